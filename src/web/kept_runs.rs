//! The last finished training and transfer run, kept in the browser's `localStorage` so that a
//! reload brings back what the models they trained (kept in the model list) do not hold: the
//! training's loss curve and reconstructions, the transfer run's table, curves and confusion
//! matrices. Called through `Reflect`, as `browser_storage.rs` is, so that no new web-sys
//! bindings are needed; a browser that refuses storage keeps the runs for this visit only.
//! The lists of earlier runs beside them are `earlier_lists.rs`'s.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::js_error;
use crate::engine::protocol::ErrorSource;
use crate::ui::engine_state::{EngineState, RunState};
use crate::ui::transfer_state::TransferState;

const TRAINING_KEY: &str = "latent-lab.training";
const TRANSFER_KEY: &str = "latent-lab.transfer";

/// Calls `localStorage[method](args…)`; `Err` with the browser's reason where there is no
/// storage (a sandboxed frame, storage turned off) or the call throws (the quota).
pub(super) fn call(method: &str, args: &[&str]) -> Result<JsValue, String> {
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

/// Brings back the runs an earlier visit kept; an entry that cannot be read is said, and left
/// as it is (a newer page may read it).
pub fn restore(state: RwSignal<EngineState>) {
    restore_one(state, TRAINING_KEY, RunState::from_kept, |s, run| {
        s.run = run
    });
    restore_one(state, TRANSFER_KEY, TransferState::from_kept, |s, t| {
        s.transfer = t
    });
    super::earlier_lists::restore(state);
}

fn restore_one<T>(
    state: RwSignal<EngineState>,
    key: &str,
    read: fn(&str) -> Result<T, String>,
    put: fn(&mut EngineState, T),
) {
    let Ok(Some(json)) = call("getItem", &[key]).map(|v| v.as_string()) else {
        return;
    };
    match read(&json) {
        Ok(run) => state.update(|s| put(s, run)),
        Err(e) => state.update(|s| {
            s.push_error(
                ErrorSource::Page,
                format!(
                    "a run kept from an earlier visit could not be shown ({e}); it is left as \
                     it is, and the next finished run of its kind replaces it"
                ),
            )
        }),
    }
}

/// Keeps each training and transfer run as it finishes (or is cancelled), and again as the
/// models it trained join the model list (their names are shown with it).
pub fn keep_finished_runs(state: RwSignal<EngineState>) {
    // What decides whether to write: cheap to compare at every state change (a drawing
    // changes the state many times a second), unlike the runs' JSON.
    let training = Memo::new(move |_| {
        state.with(|s| {
            let r = &s.run;
            let epochs = r.history.epochs.len();
            (r.status, r.history.steps.len(), epochs, r.model.clone())
        })
    });
    keep_when_changed(training, TRAINING_KEY, move || {
        state.with_untracked(|s| s.run.to_kept())
    });
    Effect::new(move |_| {
        training.with(|_| ());
        super::earlier_lists::remember_ended_training(state);
    });
    let transfer = Memo::new(move |_| {
        state.with(|s| {
            let t = &s.transfer;
            let names: Vec<String> = t.results.iter().map(|r| r.classifier.clone()).collect();
            (t.status, t.points.len(), names)
        })
    });
    keep_when_changed(transfer, TRANSFER_KEY, move || {
        state.with_untracked(|s| s.transfer.to_kept())
    });
    Effect::new(move |_| {
        transfer.with(|_| ());
        super::earlier_lists::remember_ended_transfer(state);
    });
    super::earlier_lists::follow_other_tabs(state);
}

fn keep_when_changed<K: Clone + PartialEq + Send + Sync + 'static>(
    changed: Memo<K>,
    key: &'static str,
    kept: impl Fn() -> Option<String> + 'static,
) {
    Effect::new(move |_| {
        // Read, not only tracked: a memo that is never read never computes, and so never
        // hears of the state's changes.
        changed.with(|_| ());
        let Some(json) = kept() else { return };
        if let Err(e) = call("setItem", &[key, &json]) {
            leptos::logging::warn!("{key} is not kept for the next visit: {e}");
        }
    });
}
