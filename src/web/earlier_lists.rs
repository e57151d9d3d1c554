//! The lists of earlier runs in `localStorage`: the trainings laid over the loss chart
//! (`ui::earlier_runs`) and the transfer results listed under the transfer run's own
//! (`ui::earlier_transfers`). Every tab changes them, so each change is made to the stored list
//! as read at that moment (what another tab added or forgot meanwhile is not undone), and each
//! tab follows the others' writes (`storage` events).

use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;

use super::kept_runs::call;
use crate::engine::protocol::ErrorSource;
use crate::engine::transfer_session::TransferResult;
use crate::ui::earlier_runs::{EarlierRun, EarlierRuns};
use crate::ui::earlier_transfers::EarlierTransfers;
use crate::ui::engine_state::{EngineState, RunState};

/// A list kept in `localStorage` that every tab changes.
struct SharedList<T: 'static> {
    key: &'static str,
    /// What it holds, for an error: "earlier runs".
    what: &'static str,
    /// Set once the stored list could not be read (another page's version, damaged): it is
    /// then left as it is, and this visit's changes last for this visit only.
    unreadable: &'static AtomicBool,
    read: fn(&str) -> Result<T, String>,
    write: fn(&T) -> String,
    get: fn(&EngineState) -> &T,
    put: fn(&mut EngineState, T),
}

static RUNS_UNREADABLE: AtomicBool = AtomicBool::new(false);
static TRANSFERS_UNREADABLE: AtomicBool = AtomicBool::new(false);

static EARLIER_RUNS: SharedList<EarlierRuns> = SharedList {
    key: "latent-lab.earlier-runs",
    what: "earlier runs",
    unreadable: &RUNS_UNREADABLE,
    read: EarlierRuns::from_json,
    write: EarlierRuns::to_json,
    get: earlier_runs,
    put: put_earlier_runs,
};

static EARLIER_TRANSFERS: SharedList<EarlierTransfers> = SharedList {
    key: "latent-lab.earlier-transfers",
    what: "earlier transfer results",
    unreadable: &TRANSFERS_UNREADABLE,
    read: EarlierTransfers::from_json,
    write: EarlierTransfers::to_json,
    get: earlier_transfers,
    put: put_earlier_transfers,
};

fn earlier_runs(s: &EngineState) -> &EarlierRuns {
    &s.earlier_runs
}

fn put_earlier_runs(s: &mut EngineState, runs: EarlierRuns) {
    s.earlier_runs = runs;
}

fn earlier_transfers(s: &EngineState) -> &EarlierTransfers {
    &s.earlier_transfers
}

fn put_earlier_transfers(s: &mut EngineState, rows: EarlierTransfers) {
    s.earlier_transfers = rows;
}

/// What storage holds of a list.
enum Stored<T> {
    Read(T),
    Absent,
    NoStorage,
    Unreadable(String),
}

impl<T: Clone + PartialEq + Default + 'static> SharedList<T> {
    fn stored(&self) -> Stored<T> {
        if self.unreadable.load(Ordering::Relaxed) {
            return Stored::Unreadable(String::new());
        }
        match call("getItem", &[self.key]).map(|v| v.as_string()) {
            Err(_) => Stored::NoStorage,
            Ok(None) => Stored::Absent,
            Ok(Some(json)) => match (self.read)(&json) {
                Ok(list) => Stored::Read(list),
                Err(e) => {
                    self.unreadable.store(true, Ordering::Relaxed);
                    Stored::Unreadable(e)
                }
            },
        }
    }

    /// Shows the list an earlier visit kept; one that cannot be read is said, and left alone.
    fn restore(&self, state: RwSignal<EngineState>) {
        match self.stored() {
            Stored::Read(list) => state.update(|s| (self.put)(s, list)),
            Stored::Unreadable(e) => state.update(|s| {
                s.push_error(
                    ErrorSource::Page,
                    format!(
                        "the {} kept in this browser could not be listed ({e}); they are left \
                         as they are, and this visit's are listed for this visit only",
                        self.what
                    ),
                )
            }),
            Stored::Absent | Stored::NoStorage => {}
        }
    }

    /// Changes the list: the stored one as it is now (another tab may have changed it), else
    /// this page's; then stores it (only if changed: a tab that hears of another's write and
    /// has nothing to add writes nothing back) and shows it.
    fn change(&self, state: RwSignal<EngineState>, change: impl FnOnce(&mut T)) {
        let mut list = match self.stored() {
            Stored::Read(list) => list,
            Stored::Absent => T::default(),
            Stored::NoStorage | Stored::Unreadable(_) => {
                state.with_untracked(|s| (self.get)(s).clone())
            }
        };
        let before = list.clone();
        change(&mut list);
        if list != before
            && !self.unreadable.load(Ordering::Relaxed)
            && let Err(e) = call("setItem", &[self.key, &(self.write)(&list)])
        {
            leptos::logging::warn!("{} is not kept for the next visit: {e}", self.key);
        }
        if state.with_untracked(|s| (self.get)(s) != &list) {
            state.update(|s| (self.put)(s, list));
        }
    }
}

/// Shows the lists an earlier visit kept. The runs on the chart and the table join them at the
/// first run of `kept_runs::keep_finished_runs`'s effects (kept by a page from before the
/// lists, they are not there yet; if they are, nothing changes), not here as well: each
/// change reads the stored list again.
pub fn restore(state: RwSignal<EngineState>) {
    EARLIER_RUNS.restore(state);
    EARLIER_TRANSFERS.restore(state);
}

/// The chart's run, once it has ended.
fn ended_training(state: RwSignal<EngineState>) -> Option<RunState> {
    state.with_untracked(|s| s.run.status.kept_cancelled().map(|_| s.run.clone()))
}

/// The table's transfer results, once their run has ended.
fn ended_transfer(state: RwSignal<EngineState>) -> Option<Vec<TransferResult>> {
    state.with_untracked(|s| {
        let t = &s.transfer;
        t.status.kept_cancelled().map(|_| t.results.clone())
    })
}

fn add_training(runs: &mut EarlierRuns, run: Option<RunState>) {
    if let Some(earlier) = run.and_then(|run| EarlierRun::of(&run, runs.next_colour())) {
        runs.remember(earlier);
    }
}

/// Adds the chart's run to the list once it has ended (again as its model joins the model
/// list: it is updated in place). Not while it runs: the list is read from storage only when
/// there is a run to add.
pub fn remember_ended_training(state: RwSignal<EngineState>) {
    let Some(run) = ended_training(state) else {
        return;
    };
    EARLIER_RUNS.change(state, move |runs| add_training(runs, Some(run)));
}

/// Adds the table's transfer results to the list once their run has ended (again as their
/// classifiers join the model list).
pub fn remember_ended_transfer(state: RwSignal<EngineState>) {
    let Some(results) = ended_transfer(state) else {
        return;
    };
    EARLIER_TRANSFERS.change(state, move |rows| rows.remember(&results));
}

/// Changes the list of earlier trainings (a run shown, hidden or forgotten).
pub fn change_earlier_runs(state: RwSignal<EngineState>, change: impl FnOnce(&mut EarlierRuns)) {
    EARLIER_RUNS.change(state, change);
}

/// Forgets the earlier transfer results (the table's own run stays).
pub fn forget_earlier_transfers(state: RwSignal<EngineState>) {
    let current = state.with_untracked(|s| s.transfer.results.clone());
    EARLIER_TRANSFERS.change(state, move |rows| rows.forget_besides(&current));
}

/// Another tab changed a list: it is shown as it is now, with this tab's ended run in it (two
/// tabs whose runs end at once may each have written the list as it was before the other's).
pub fn follow_other_tabs(state: RwSignal<EngineState>) {
    let _ = window_event_listener(leptos::ev::storage, move |ev| {
        let key = ev.key();
        if key.as_deref() == Some(EARLIER_RUNS.key) {
            let run = ended_training(state);
            EARLIER_RUNS.change(state, move |runs| add_training(runs, run));
        } else if key.as_deref() == Some(EARLIER_TRANSFERS.key) {
            let results = ended_transfer(state).unwrap_or_default();
            EARLIER_TRANSFERS.change(state, move |rows| rows.remember(&results));
        }
    });
}
