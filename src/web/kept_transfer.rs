//! The last finished transfer run, kept in the browser's `localStorage` so that a reload
//! brings back its table, curves and confusion matrices (its classifiers come back with the
//! model list). Called through `Reflect`, as `browser_storage.rs` is, so that no new web-sys
//! bindings are needed; a browser that refuses storage keeps the run for this visit only.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::js_error;
use crate::engine::protocol::ErrorSource;
use crate::ui::engine_state::EngineState;
use crate::ui::transfer_state::TransferState;

const KEY: &str = "latent-lab.transfer";

/// Calls `localStorage[method](args…)`; `Err` with the browser's reason where there is no
/// storage (a sandboxed frame, storage turned off) or the call throws (the quota).
fn call(method: &str, args: &[&str]) -> Result<JsValue, String> {
    let reason = |e: JsValue| js_error(&e);
    let storage =
        js_sys::Reflect::get(&js_sys::global(), &"localStorage".into()).map_err(reason)?;
    if storage.is_null() || storage.is_undefined() {
        return Err("this browser has no localStorage".into());
    }
    let function: js_sys::Function = js_sys::Reflect::get(&storage, &method.into())
        .map_err(reason)?
        .dyn_into()
        .map_err(|_| format!("localStorage.{method} is not a function"))?;
    let args: js_sys::Array = args.iter().map(|a| JsValue::from_str(a)).collect();
    function.apply(&storage, &args).map_err(reason)
}

/// Brings back the run an earlier visit kept; an entry that cannot be read is said, and left
/// as it is (a newer page may read it).
pub fn restore(state: RwSignal<EngineState>) {
    let Ok(Some(json)) = call("getItem", &[KEY]).map(|v| v.as_string()) else {
        return;
    };
    match TransferState::from_kept(&json) {
        Ok(transfer) => state.update(|s| s.transfer = transfer),
        Err(e) => state.update(|s| {
            s.push_error(
                ErrorSource::Page,
                format!("{e}; it is left as it is, and the next finished run replaces it"),
            )
        }),
    }
}

/// Keeps each transfer run as it finishes (or is cancelled), and again as its classifiers
/// join the model list (their names are part of the table).
pub fn keep_finished_runs(state: RwSignal<EngineState>) {
    // What decides whether to write: cheap to compare at every state change (a drawing
    // changes the state many times a second), unlike the run's JSON.
    let ended = Memo::new(move |_| {
        state.with(|s| {
            let t = &s.transfer;
            let names: Vec<String> = t.results.iter().map(|r| r.classifier.clone()).collect();
            (t.status, t.points.len(), names)
        })
    });
    Effect::new(move |_| {
        // Read, not only tracked: a memo that is never read never computes, and so never
        // hears of the state's changes.
        ended.with(|_| ());
        let Some(json) = state.with_untracked(|s| s.transfer.to_kept()) else {
            return;
        };
        if let Err(e) = call("setItem", &[KEY, &json]) {
            leptos::logging::warn!("the transfer run is not kept for the next visit: {e}");
        }
    });
}
