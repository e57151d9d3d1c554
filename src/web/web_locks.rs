//! The Web Locks API (`navigator.locks`, in workers too): how tabs of the page tell each other
//! "this run is alive". A training holds its run's lock while it runs; the browser releases it
//! when the run ends or the tab (its worker) goes away, so a checkpoint whose lock is held
//! belongs to a live run elsewhere and is neither offered nor deleted here.
//!
//! Called through `Reflect`: the web-sys lock types would need new web-sys features, which
//! rebuild the whole wgpu stack. A browser without Web Locks (an old one, or a page not served
//! from a secure origin) gets locks that are always granted: one tab then works as before.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::js_error;

/// A granted lock, held until dropped.
pub struct HeldLock {
    release: Option<Function>,
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}

fn lock_manager() -> Option<JsValue> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    (!locks.is_undefined() && !locks.is_null()).then_some(locks)
}

fn method(target: &JsValue, name: &str) -> Result<Function, String> {
    Reflect::get(target, &name.into())
        .map_err(|e| js_error(&e))?
        .dyn_into::<Function>()
        .map_err(|_| format!("navigator.locks.{name} is not a function"))
}

/// Asks for the exclusive lock `name`. Waits until it is granted, or, with `if_available`,
/// answers `None` at once when another holder has it.
async fn request(name: &str, if_available: bool) -> Result<Option<HeldLock>, String> {
    let Some(locks) = lock_manager() else {
        return Ok(Some(HeldLock { release: None }));
    };
    // The callback's promise keeps the lock until `release` resolves it.
    let mut release = None;
    let held = Promise::new(&mut |resolve, _| release = Some(resolve));
    let mut granted = None;
    let granted_promise = Promise::new(&mut |resolve, _| granted = Some(resolve));
    let granted = granted.expect("the executor runs at once");
    let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        let got = !lock.is_null();
        let _ = granted.call1(&JsValue::NULL, &JsValue::from_bool(got));
        if got { held.into() } else { JsValue::UNDEFINED }
    });
    let options = Object::new();
    Reflect::set(&options, &"ifAvailable".into(), &if_available.into())
        .map_err(|e| js_error(&e))?;
    let done = method(&locks, "request")?
        .call3(&locks, &name.into(), &options, &callback)
        .map_err(|e| format!("the lock '{name}' could not be asked for: {}", js_error(&e)))?;
    // The request's own promise settles when the lock is released: nothing waits on it, so a
    // rejection (an aborted request) is caught here rather than reported as unhandled.
    if let Ok(done) = done.dyn_into::<Promise>() {
        let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
        let _ = done.catch(&ignore);
        ignore.forget();
    }
    let got = JsFuture::from(granted_promise)
        .await
        .map_err(|e| js_error(&e))?
        .as_bool()
        .unwrap_or(false);
    Ok(got.then(|| HeldLock { release }))
}

/// Holds the lock `name`, waiting for it as long as another holder has it.
pub async fn hold(name: &str) -> Result<HeldLock, String> {
    Ok(request(name, false)
        .await?
        .expect("a lock asked for without ifAvailable is granted"))
}

/// Holds the lock `name` if nobody else does; `None` when it is held elsewhere.
pub async fn try_hold(name: &str) -> Result<Option<HeldLock>, String> {
    request(name, true).await
}

/// The names of the locks held now, by any tab of this origin (this one included).
pub async fn held_names() -> Result<Vec<String>, String> {
    let Some(locks) = lock_manager() else {
        return Ok(Vec::new());
    };
    let snapshot = method(&locks, "query")?
        .call0(&locks)
        .map_err(|e| js_error(&e))?;
    let snapshot = JsFuture::from(Promise::resolve(&snapshot))
        .await
        .map_err(|e| js_error(&e))?;
    let held = Reflect::get(&snapshot, &"held".into()).map_err(|e| js_error(&e))?;
    Ok(Array::from(&held)
        .iter()
        .filter_map(|lock| Reflect::get(&lock, &"name".into()).ok()?.as_string())
        .collect())
}
