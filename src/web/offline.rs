//! Offline: the page registers the service worker (`sw.js`, written into the build by
//! `scripts/trunk-service-worker.sh` from `src/web/service-worker.js`). It is ready once it is
//! active, that is once its install has cached every file of the build.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::js_error;

fn get(target: &JsValue, key: &str) -> Result<JsValue, String> {
    js_sys::Reflect::get(target, &key.into())
        .ok()
        .filter(|v| !v.is_undefined())
        .ok_or_else(|| format!("no {key}"))
}

async fn promise(value: JsValue) -> Result<JsValue, String> {
    let promise = value
        .dyn_into::<js_sys::Promise>()
        .map_err(|_| "not a promise".to_string())?;
    JsFuture::from(promise).await.map_err(|e| js_error(&e))
}

/// Registers `sw.js` under `base` and waits until it has cached the whole build. An error
/// says why the lab will not work offline here (no service workers on an insecure origin, a
/// failed install); the page works as before.
pub async fn register_service_worker(base: &str) -> Result<(), String> {
    let navigator = get(&leptos::prelude::window(), "navigator")?;
    let container = get(&navigator, "serviceWorker")
        .map_err(|_| "this browser offers no service workers here".to_string())?;
    let register = get(&container, "register")?
        .dyn_into::<js_sys::Function>()
        .map_err(|_| "serviceWorker.register is not a function".to_string())?;
    let registered = register
        .call1(&container, &format!("{base}sw.js").into())
        .map_err(|e| js_error(&e))?;
    promise(registered).await?;
    promise(get(&container, "ready")?).await?;
    Ok(())
}
