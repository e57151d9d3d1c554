//! A small key-value layer over the browser's IndexedDB (available in workers too): one
//! database, a few object stores with string keys, each request awaited as a promise.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode,
};

use super::js_error;

const DATABASE: &str = "latent-lab";
/// Bumped when object stores are added; the upgrade creates any that are missing.
const VERSION: u32 = 1;
pub const MODELS: &str = "models";
pub const CHECKPOINTS: &str = "checkpoints";
const STORES: [&str; 2] = [MODELS, CHECKPOINTS];

pub struct Database {
    db: IdbDatabase,
}

/// Resolves with the request's result once it succeeds, or with its error. The handlers are
/// attached when this is called, not when it is first polled: several requests of one
/// transaction are made, and their outcomes awaited, in [`Database::entries`].
fn finish(request: &IdbRequest) -> impl Future<Output = Result<JsValue, String>> + use<> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = request.clone();
        let on_success = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &ok.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = request.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let message = failed
                .error()
                .ok()
                .flatten()
                .map(|e| e.message())
                .unwrap_or_else(|| "unknown IndexedDB error".into());
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&message));
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    async move { JsFuture::from(promise).await.map_err(|e| js_error(&e)) }
}

/// Resolves once the transaction has committed (`complete`), or with why it did not (`abort`,
/// `error`). A request's `success` is not enough: the browser may still refuse the commit, for
/// example with a `QuotaExceededError` when the storage is full.
async fn committed(transaction: &IdbTransaction) -> Result<(), String> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let failed = transaction.clone();
        let reject_with = move || {
            let message = failed
                .error()
                .map(|e| match e.message() {
                    m if m.is_empty() => e.name(),
                    m => format!("{}: {m}", e.name()),
                })
                .unwrap_or_else(|| "the browser cancelled the write".into());
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&message));
        };
        // `error` bubbles to the transaction and is followed by `abort`: settle once, on abort.
        let on_abort = Closure::once_into_js(move |_: web_sys::Event| reject_with());
        transaction.set_oncomplete(Some(on_complete.unchecked_ref()));
        transaction.set_onabort(Some(on_abort.unchecked_ref()));
    });
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|e| js_error(&e))
}

impl Database {
    /// Opens (and on first use creates) the page's database.
    pub async fn open() -> Result<Self, String> {
        let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
        let factory = global
            .indexed_db()
            .map_err(|e| js_error(&e))?
            .ok_or("this browser gives no IndexedDB here (private mode?)")?;
        let request: IdbOpenDbRequest = factory
            .open_with_u32(DATABASE, VERSION)
            .map_err(|e| js_error(&e))?;
        let upgrading = request.clone();
        let on_upgrade = Closure::once_into_js(move |_: web_sys::Event| {
            if let Ok(result) = upgrading.result() {
                let db: IdbDatabase = result.unchecked_into();
                let existing = db.object_store_names();
                for store in STORES {
                    if !existing.contains(store) {
                        let _ = db.create_object_store(store);
                    }
                }
            }
        });
        request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
        let db = finish(&request).await?;
        Ok(Self {
            db: db.unchecked_into(),
        })
    }

    fn store(&self, name: &str, mode: IdbTransactionMode) -> Result<IdbObjectStore, String> {
        self.db
            .transaction_with_str_and_mode(name, mode)
            .and_then(|t| t.object_store(name))
            .map_err(|e| js_error(&e))
    }

    /// A read-write transaction on one store, and the store.
    fn writing(&self, name: &str) -> Result<(IdbTransaction, IdbObjectStore), String> {
        let transaction = self
            .db
            .transaction_with_str_and_mode(name, IdbTransactionMode::Readwrite)
            .map_err(|e| js_error(&e))?;
        let store = transaction.object_store(name).map_err(|e| js_error(&e))?;
        Ok((transaction, store))
    }

    /// Stores `value` under `key`; done only when the transaction has committed.
    pub async fn put(&self, store: &str, key: &str, value: &JsValue) -> Result<(), String> {
        let (transaction, object_store) = self.writing(store)?;
        object_store
            .put_with_key(value, &JsValue::from_str(key))
            .map_err(|e| js_error(&e))?;
        committed(&transaction).await
    }

    /// Removes `key`; done only when the transaction has committed.
    pub async fn delete(&self, store: &str, key: &str) -> Result<(), String> {
        let (transaction, object_store) = self.writing(store)?;
        object_store
            .delete(&JsValue::from_str(key))
            .map_err(|e| js_error(&e))?;
        committed(&transaction).await
    }

    /// Every (key, value) of a store, in key order.
    pub async fn entries(&self, store: &str) -> Result<Vec<(String, JsValue)>, String> {
        let object_store = self.store(store, IdbTransactionMode::Readonly)?;
        // Both requests are made before either is awaited: a transaction commits once control
        // returns to the event loop with no request pending, and where the CPU engine runs on
        // WebAssembly threads, wasm-bindgen-futures resumes a future in a later task, not in a
        // microtask (measured: the second request then failed, "The transaction has finished",
        // and the kept models did not come back after a reload).
        let keys = finish(&object_store.get_all_keys().map_err(|e| js_error(&e))?);
        let values = finish(&object_store.get_all().map_err(|e| js_error(&e))?);
        let (keys, values) = (keys.await?, values.await?);
        let keys: js_sys::Array = keys.unchecked_into();
        let values: js_sys::Array = values.unchecked_into();
        Ok(keys
            .iter()
            .zip(values.iter())
            .filter_map(|(k, v)| Some((k.as_string()?, v)))
            .collect())
    }
}

/// A stored record: weight-file bytes and a JSON text that describes them.
pub fn record(bytes: &[u8], json: &str) -> JsValue {
    let object = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &object,
        &"bytes".into(),
        &js_sys::Uint8Array::from(bytes).into(),
    );
    let _ = js_sys::Reflect::set(&object, &"json".into(), &json.into());
    object.into()
}

/// The bytes and JSON of a stored record, or `None` for anything else.
pub fn read_record(value: &JsValue) -> Option<(Vec<u8>, String)> {
    let bytes = js_sys::Reflect::get(value, &"bytes".into()).ok()?;
    let bytes: js_sys::Uint8Array = bytes.dyn_into().ok()?;
    let json = js_sys::Reflect::get(value, &"json".into())
        .ok()?
        .as_string()?;
    Some((bytes.to_vec(), json))
}
