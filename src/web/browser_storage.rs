//! The browser's storage manager (`navigator.storage`): how much of the quota the page uses,
//! and the request that the browser keep the page's data (`persist`). Called through
//! `Reflect`, so that no new web-sys bindings (and no rebuild of the wgpu stack) are needed;
//! a browser without it gives `None`.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

fn storage_manager() -> Option<JsValue> {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let storage = js_sys::Reflect::get(&navigator, &"storage".into()).ok()?;
    (!storage.is_undefined() && !storage.is_null()).then_some(storage)
}

/// Calls `navigator.storage[method]()` and awaits its promise.
async fn call(method: &str) -> Option<JsValue> {
    let storage = storage_manager()?;
    let function: js_sys::Function = js_sys::Reflect::get(&storage, &method.into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise: js_sys::Promise = function.call0(&storage).ok()?.dyn_into().ok()?;
    JsFuture::from(promise).await.ok()
}

/// `(usage, quota)` in bytes, as `navigator.storage.estimate()` reports them.
pub async fn estimate() -> Option<(f64, f64)> {
    let estimate = call("estimate").await?;
    let number = |key: &str| js_sys::Reflect::get(&estimate, &key.into()).ok()?.as_f64();
    Some((number("usage")?, number("quota")?))
}

/// Whether the browser has promised to keep the page's data.
pub async fn persisted() -> Option<bool> {
    call("persisted").await?.as_bool()
}

/// Asks the browser to keep the page's data (it may ask the person, or decide by itself).
pub async fn persist() -> Option<bool> {
    call("persist").await?.as_bool()
}
