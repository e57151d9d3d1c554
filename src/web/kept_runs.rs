//! The last finished training and transfer run, kept in the browser's `localStorage` so that a
//! reload brings back what the models they trained (kept in the model list) do not hold: the
//! training's loss curve and reconstructions, the transfer run's table, curves and confusion
//! matrices. Called through `Reflect`, as `browser_storage.rs` is, so that no new web-sys
//! bindings are needed; a browser that refuses storage keeps the runs for this visit only.
//! Beside them, the list of earlier trainings (their settings and curves, to lay over the
//! chart): each change to it is made to the stored list as read at that moment, so that what
//! another tab added or forgot meanwhile is not undone.

use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::js_error;
use crate::engine::protocol::ErrorSource;
use crate::ui::earlier_runs::{EarlierRun, EarlierRuns};
use crate::ui::engine_state::{EngineState, RunState};
use crate::ui::transfer_state::TransferState;

const TRAINING_KEY: &str = "latent-lab.training";
const TRANSFER_KEY: &str = "latent-lab.transfer";
const EARLIER_KEY: &str = "latent-lab.earlier-runs";

/// The stored list of earlier runs could not be read (another page's version, damaged): it is
/// left as it is, and this visit's runs are listed for this visit only.
static EARLIER_UNREADABLE: AtomicBool = AtomicBool::new(false);

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

/// Brings back the runs an earlier visit kept; an entry that cannot be read is said, and left
/// as it is (a newer page may read it).
pub fn restore(state: RwSignal<EngineState>) {
    restore_one(state, TRAINING_KEY, RunState::from_kept, |s, run| {
        s.run = run
    });
    restore_one(state, TRANSFER_KEY, TransferState::from_kept, |s, t| {
        s.transfer = t
    });
    match stored_earlier_runs() {
        Stored::Read(runs) => state.update(|s| s.earlier_runs = runs),
        Stored::Unreadable(e) => state.update(|s| {
            s.push_error(
                ErrorSource::Page,
                format!(
                    "the earlier runs kept in this browser could not be listed ({e}); they are \
                     left as they are, and this visit's runs are listed for this visit only"
                ),
            )
        }),
        Stored::Absent | Stored::NoStorage => {}
    }
    // The run on the chart joins the list (kept by a page from before the list, it is not
    // there yet; if it is, nothing changes).
    remember_ended_run(state);
}

/// What storage holds of the earlier runs.
enum Stored {
    Read(EarlierRuns),
    Absent,
    NoStorage,
    Unreadable(String),
}

fn stored_earlier_runs() -> Stored {
    match call("getItem", &[EARLIER_KEY]).map(|v| v.as_string()) {
        Err(_) => Stored::NoStorage,
        Ok(None) => Stored::Absent,
        Ok(Some(json)) => match EarlierRuns::from_json(&json) {
            Ok(runs) => Stored::Read(runs),
            Err(e) => {
                EARLIER_UNREADABLE.store(true, Ordering::Relaxed);
                Stored::Unreadable(e)
            }
        },
    }
}

/// Changes the list of earlier runs: the stored one as it is now (another tab may have changed
/// it), else this page's; then stores it and shows it.
pub fn change_earlier_runs(state: RwSignal<EngineState>, change: impl FnOnce(&mut EarlierRuns)) {
    let stored = if EARLIER_UNREADABLE.load(Ordering::Relaxed) {
        Stored::Unreadable(String::new())
    } else {
        stored_earlier_runs()
    };
    let mut runs = match stored {
        Stored::Read(runs) => runs,
        Stored::Absent => EarlierRuns::default(),
        Stored::NoStorage | Stored::Unreadable(_) => {
            state.with_untracked(|s| s.earlier_runs.clone())
        }
    };
    let before = runs.clone();
    change(&mut runs);
    // Written only when changed: a tab that hears of another's write and has nothing to add
    // writes nothing back.
    if runs != before
        && !EARLIER_UNREADABLE.load(Ordering::Relaxed)
        && let Err(e) = call("setItem", &[EARLIER_KEY, &runs.to_json()])
    {
        leptos::logging::warn!("{EARLIER_KEY} is not kept for the next visit: {e}");
    }
    if state.with_untracked(|s| s.earlier_runs != runs) {
        state.update(|s| s.earlier_runs = runs);
    }
}

/// The chart's run, once it has ended.
fn ended_run(state: RwSignal<EngineState>) -> Option<RunState> {
    state.with_untracked(|s| s.run.status.kept_cancelled().map(|_| s.run.clone()))
}

/// Adds `run` to the list, or updates it there (again as its model joins the model list).
fn remember(runs: &mut EarlierRuns, run: Option<RunState>) {
    if let Some(earlier) = run.and_then(|run| EarlierRun::of(&run, runs.next_colour())) {
        runs.remember(earlier);
    }
}

/// Adds the chart's run to the list once it has ended.
fn remember_ended_run(state: RwSignal<EngineState>) {
    // Not while it runs: the list is read from storage only when there is a run to add.
    let Some(run) = ended_run(state) else { return };
    change_earlier_runs(state, move |runs| remember(runs, Some(run)));
}

/// Another tab changed the list: it is shown as it is now, with this tab's ended run in it
/// (two tabs whose runs end at once may each have written the list as it was before the
/// other's run).
fn follow_other_tabs(state: RwSignal<EngineState>) {
    let _ = window_event_listener(leptos::ev::storage, move |ev| {
        if ev.key().as_deref() == Some(EARLIER_KEY) {
            let run = ended_run(state);
            change_earlier_runs(state, move |runs| remember(runs, run));
        }
    });
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
        remember_ended_run(state);
    });
    follow_other_tabs(state);
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
