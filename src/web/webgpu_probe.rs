//! Asks the browser for a WebGPU adapter (works on the page and in a worker).

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::js_error;

fn get(target: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// What the browser says of its WebGPU adapter.
pub(crate) struct AdapterProbe {
    pub name: String,
    /// A fallback (software) adapter.
    pub software: bool,
}

/// Asks `navigator.gpu` for an adapter before burn does, so that a browser without WebGPU
/// gives a reason rather than a failure deep in wgpu.
pub(crate) async fn probe_webgpu() -> Result<AdapterProbe, String> {
    let navigator = get(&js_sys::global(), "navigator");
    let gpu = get(&navigator, "gpu");
    if gpu.is_undefined() || gpu.is_null() {
        return Err("this browser has no WebGPU (navigator.gpu is missing)".into());
    }
    let request: js_sys::Function = get(&gpu, "requestAdapter")
        .dyn_into()
        .map_err(|_| "navigator.gpu.requestAdapter is missing".to_string())?;
    let promise: js_sys::Promise = request
        .call0(&gpu)
        .map_err(|e| format!("requestAdapter failed: {}", js_error(&e)))?
        .dyn_into()
        .map_err(|_| "requestAdapter did not return a promise".to_string())?;
    let adapter = JsFuture::from(promise)
        .await
        .map_err(|e| format!("requestAdapter failed: {}", js_error(&e)))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("the browser offers no WebGPU adapter (disabled or unsupported GPU)".into());
    }
    let info = get(&adapter, "info");
    let fallback = get(&info, "isFallbackAdapter")
        .as_bool()
        .or_else(|| get(&adapter, "isFallbackAdapter").as_bool())
        .unwrap_or(false);
    let vendor = get(&info, "vendor").as_string().unwrap_or_default();
    let architecture = get(&info, "architecture").as_string().unwrap_or_default();
    let software = fallback
        || vendor.contains("google") && architecture.contains("swiftshader")
        || architecture.contains("llvmpipe")
        || architecture.contains("lavapipe");
    let description = get(&info, "description").as_string().unwrap_or_default();
    let name = [
        description,
        format!("{vendor} {architecture}").trim().to_string(),
    ]
    .into_iter()
    .find(|n| !n.is_empty())
    .unwrap_or_else(|| "unnamed adapter".into());
    Ok(AdapterProbe { name, software })
}
