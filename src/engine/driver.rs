//! One loop drives every long run of the engine (a training, each scenario of a transfer run):
//! steps in slices of a few tens of milliseconds, the page's pause, resume and cancel obeyed
//! between slices, every event posted, a hook after each epoch (the training's checkpoint).
//!
//! The browser is behind [`Host`] (the clock, posting, yielding to the event loop), so the
//! loop is plain Rust and tested natively with a made-up host; the worker gives the real one.

use super::progress::Pausable;
use super::protocol::FromEngine;
use super::session::TrainingSession;
use super::state::Control;
use super::transfer_session::TransferSession;
use crate::data::MnistSet;

/// The subsets a session steps on.
#[derive(Clone, Copy)]
pub struct Subsets<'a> {
    pub train: &'a MnistSet,
    pub test: &'a MnistSet,
}

/// What one step gives the page, and whether it ended an epoch.
#[derive(Debug, Default)]
pub struct SessionStep {
    pub events: Vec<FromEngine>,
    pub epoch_finished: bool,
}

/// A run the loop can drive: a training or a transfer scenario.
// The engine runs on one thread (the browser's worker, or a native test): the futures need
// no `Send` bound, so plain `async fn` in the trait is what is wanted.
#[allow(async_fn_in_trait)]
pub trait Session: Pausable {
    fn is_finished(&self) -> bool;
    /// The progress report as of `now_ms` (posted when the run pauses and when it ends).
    fn progress_event(&self, now_ms: f64) -> FromEngine;
    /// Watched step by step (a single step, slow motion): every step reports everything
    /// (loss, progress, reconstructions), not only every few tens of milliseconds.
    fn watch_every_step(&mut self, _watched: bool) {}
    /// One optimiser step.
    async fn step_once(
        &mut self,
        subsets: Subsets<'_>,
        now: &dyn Fn() -> f64,
    ) -> Result<SessionStep, String>;
}

/// What the loop needs from where it runs.
#[allow(async_fn_in_trait)]
pub trait Host {
    /// Milliseconds from any fixed origin.
    fn now_ms(&self) -> f64;
    fn post(&self, event: &FromEngine);
    /// The page's last pause, resume or cancel.
    fn control(&self) -> Option<Control>;
    /// Lets the page's messages in before the next slice.
    async fn next_task(&self);
    /// Waits a little while paused, before looking at the control again.
    async fn pause_a_while(&self);
    /// Slow motion: at most this many steps a second (`None`: full speed).
    fn slow_motion(&self) -> Option<f32> {
        None
    }
    /// The single step [`Control::Step`] asked for is done: the run pauses.
    fn step_taken(&self) {}
    /// Waits `ms` milliseconds, letting the page's messages in (slow motion's pace).
    async fn wait_ms(&self, ms: f64) {
        let _ = ms;
        self.next_task().await;
    }
    /// Why the device the run computes on was lost (a GPU reset, the browser reclaiming it),
    /// once it was: the run stops with that reason rather than compute on a dead device.
    fn device_lost(&self) -> Option<String> {
        None
    }
}

/// What a run does next, after the page's last pause, resume or cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Train a slice.
    Step,
    /// Train one step, then pause.
    Single,
    /// Paused: wait and look again (`just_paused`: the run stopped its clock just now).
    Wait { just_paused: bool },
    /// Cancelled.
    Stop,
}

/// Applies the page's control to a run's clock and says what to do next.
pub fn obey_control(control: Option<Control>, run: &mut impl Pausable, now_ms: f64) -> Turn {
    match control {
        Some(Control::Cancel) => Turn::Stop,
        Some(Control::Pause) => {
            let just_paused = !run.is_paused();
            if just_paused {
                run.pause(now_ms);
            }
            Turn::Wait { just_paused }
        }
        Some(Control::Run) | None => {
            if run.is_paused() {
                run.resume(now_ms);
            }
            Turn::Step
        }
        Some(Control::Step) => {
            if run.is_paused() {
                run.resume(now_ms);
            }
            Turn::Single
        }
    }
}

/// Runs `session` until it is finished or cancelled, `slice_ms` of steps between two yields.
/// `after_epoch` runs after a step that ended an epoch, unless that was the last one.
/// Returns whether the run was cancelled; a step's error ends it.
pub async fn drive<S: Session>(
    session: &mut S,
    subsets: Subsets<'_>,
    host: &impl Host,
    slice_ms: f64,
    mut after_epoch: impl AsyncFnMut(&S),
) -> Result<bool, String> {
    let now = || host.now_ms();
    let mut cancelled = false;
    while !session.is_finished() {
        match obey_control(host.control(), session, now()) {
            Turn::Stop => {
                cancelled = true;
                break;
            }
            Turn::Wait { just_paused } => {
                if just_paused {
                    host.post(&session.progress_event(now()));
                }
                host.pause_a_while().await;
                continue;
            }
            Turn::Single => {
                session.watch_every_step(true);
                one_step(session, subsets, host, &mut after_epoch).await?;
                host.step_taken();
                host.next_task().await;
                continue;
            }
            Turn::Step => {}
        }
        if let Some(rate) = host.slow_motion() {
            // One step, everything reported, then the rest of its share of a second.
            session.watch_every_step(true);
            let started = now();
            one_step(session, subsets, host, &mut after_epoch).await?;
            let left = 1000.0 / f64::from(rate) - (now() - started);
            host.wait_ms(left.max(0.0)).await;
            continue;
        }
        session.watch_every_step(false);
        let slice_end = now() + slice_ms;
        while !session.is_finished() && now() < slice_end {
            one_step(session, subsets, host, &mut after_epoch).await?;
        }
        host.next_task().await;
    }
    host.post(&session.progress_event(now()));
    Ok(cancelled)
}

/// One step of `session`: its events posted, the epoch hook run after an epoch (but the
/// last), and the device checked before and after.
async fn one_step<S: Session>(
    session: &mut S,
    subsets: Subsets<'_>,
    host: &impl Host,
    after_epoch: &mut impl AsyncFnMut(&S),
) -> Result<(), String> {
    if let Some(reason) = host.device_lost() {
        return Err(reason);
    }
    let now = || host.now_ms();
    let step = session.step_once(subsets, &now).await?;
    for event in &step.events {
        host.post(event);
    }
    // No checkpoint from a device lost during the step: the last good one stays.
    if let Some(reason) = host.device_lost() {
        return Err(reason);
    }
    if step.epoch_finished && !session.is_finished() {
        after_epoch(&*session).await;
    }
    Ok(())
}

impl Session for TrainingSession {
    fn is_finished(&self) -> bool {
        TrainingSession::is_finished(self)
    }

    fn progress_event(&self, now_ms: f64) -> FromEngine {
        FromEngine::Progress(self.progress(now_ms))
    }

    fn watch_every_step(&mut self, watched: bool) {
        TrainingSession::watch_every_step(self, watched);
    }

    async fn step_once(
        &mut self,
        subsets: Subsets<'_>,
        now: &dyn Fn() -> f64,
    ) -> Result<SessionStep, String> {
        let events = self
            .step(subsets.train, subsets.test, now)
            .await
            .map_err(|e| e.to_string())?;
        let epoch_finished = events
            .iter()
            .any(|e| matches!(e, FromEngine::EpochDone { .. }));
        Ok(SessionStep {
            events,
            epoch_finished,
        })
    }
}

impl Session for TransferSession {
    fn is_finished(&self) -> bool {
        TransferSession::is_finished(self)
    }

    fn progress_event(&self, now_ms: f64) -> FromEngine {
        FromEngine::TransferProgress {
            scenario: self.scenario(),
            progress: self.progress(now_ms),
        }
    }

    async fn step_once(
        &mut self,
        subsets: Subsets<'_>,
        now: &dyn Fn() -> f64,
    ) -> Result<SessionStep, String> {
        let scenario = self.scenario();
        let (progress, point) = self
            .step(subsets.test, now)
            .await
            .map_err(|e| format!("{scenario}: {e}"))?;
        let epoch_finished = point.is_some();
        let events = progress
            .map(|progress| FromEngine::TransferProgress { scenario, progress })
            .into_iter()
            .chain(point.map(FromEngine::TransferPoint))
            .collect();
        Ok(SessionStep {
            events,
            epoch_finished,
        })
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::cell::{Cell, RefCell};

    use super::*;
    use crate::engine::protocol::TrainingProgress;

    /// Steps of 2 ms each; an epoch every `epoch_steps`; fails at `fail_at` if set.
    struct CountingSession {
        steps: usize,
        total: usize,
        epoch_steps: usize,
        paused: bool,
        fail_at: Option<usize>,
        pauses: usize,
        resumes: usize,
    }

    impl CountingSession {
        fn new(total: usize, epoch_steps: usize) -> Self {
            Self {
                steps: 0,
                total,
                epoch_steps,
                paused: false,
                fail_at: None,
                pauses: 0,
                resumes: 0,
            }
        }
    }

    impl Pausable for CountingSession {
        fn is_paused(&self) -> bool {
            self.paused
        }
        fn pause(&mut self, _: f64) {
            self.paused = true;
            self.pauses += 1;
        }
        fn resume(&mut self, _: f64) {
            self.paused = false;
            self.resumes += 1;
        }
    }

    fn progress(step: usize, paused: bool) -> TrainingProgress {
        TrainingProgress {
            epoch: 1,
            epochs: 1,
            step,
            total_steps: 0,
            loss: 0.0,
            smoothed_loss: 0.0,
            images_per_second: 0.0,
            elapsed_seconds: 0.0,
            seconds_left: None,
            paused,
        }
    }

    impl Session for CountingSession {
        fn is_finished(&self) -> bool {
            self.steps == self.total
        }
        fn progress_event(&self, _: f64) -> FromEngine {
            FromEngine::Progress(progress(self.steps, self.paused))
        }
        async fn step_once(
            &mut self,
            _: Subsets<'_>,
            _: &dyn Fn() -> f64,
        ) -> Result<SessionStep, String> {
            if self.fail_at == Some(self.steps + 1) {
                return Err(format!("step {} failed", self.steps + 1));
            }
            self.steps += 1;
            let epoch_finished = self.steps.is_multiple_of(self.epoch_steps);
            Ok(SessionStep {
                events: vec![FromEngine::Reconstructions {
                    step: self.steps,
                    pixels: Vec::new(),
                }],
                epoch_finished,
            })
        }
    }

    /// A clock that moves 1 ms per reading, and the page's control changed by a script:
    /// `(after so many yields or pauses, control)`.
    struct ScriptedHost {
        clock: Cell<f64>,
        control: Cell<Option<Control>>,
        script: RefCell<Vec<(usize, Control)>>,
        turns: Cell<usize>,
        yields: Cell<usize>,
        posted: RefCell<Vec<FromEngine>>,
        /// The device is lost after this many yields or pauses.
        lose_device_at: Cell<Option<usize>>,
        slow_motion: Cell<Option<f32>>,
        /// Each slow-motion wait, in ms.
        waits: RefCell<Vec<f64>>,
    }

    impl ScriptedHost {
        fn new(script: Vec<(usize, Control)>) -> Self {
            Self {
                clock: Cell::new(0.0),
                control: Cell::new(Some(Control::Run)),
                script: RefCell::new(script),
                turns: Cell::new(0),
                yields: Cell::new(0),
                posted: RefCell::new(Vec::new()),
                lose_device_at: Cell::new(None),
                slow_motion: Cell::new(None),
                waits: RefCell::new(Vec::new()),
            }
        }

        fn turn(&self) {
            self.turns.set(self.turns.get() + 1);
            let mut script = self.script.borrow_mut();
            if let Some(&(at, control)) = script.first()
                && at == self.turns.get()
            {
                self.control.set(Some(control));
                script.remove(0);
            }
        }

        fn steps_posted(&self) -> Vec<usize> {
            self.posted
                .borrow()
                .iter()
                .filter_map(|e| match e {
                    FromEngine::Reconstructions { step, .. } => Some(*step),
                    _ => None,
                })
                .collect()
        }

        fn progress_posted(&self) -> Vec<(usize, bool)> {
            self.posted
                .borrow()
                .iter()
                .filter_map(|e| match e {
                    FromEngine::Progress(p) => Some((p.step, p.paused)),
                    _ => None,
                })
                .collect()
        }
    }

    impl Host for ScriptedHost {
        fn now_ms(&self) -> f64 {
            let t = self.clock.get();
            self.clock.set(t + 1.0);
            t
        }
        fn post(&self, event: &FromEngine) {
            self.posted.borrow_mut().push(event.clone());
        }
        fn control(&self) -> Option<Control> {
            self.control.get()
        }
        async fn next_task(&self) {
            self.yields.set(self.yields.get() + 1);
            self.turn();
        }
        async fn pause_a_while(&self) {
            self.clock.set(self.clock.get() + 50.0);
            self.turn();
        }
        fn slow_motion(&self) -> Option<f32> {
            self.slow_motion.get()
        }
        fn step_taken(&self) {
            if self.control.get() == Some(Control::Step) {
                self.control.set(Some(Control::Pause));
            }
        }
        async fn wait_ms(&self, ms: f64) {
            self.waits.borrow_mut().push(ms);
            self.clock.set(self.clock.get() + ms);
            self.turn();
        }
        fn device_lost(&self) -> Option<String> {
            self.lose_device_at
                .get()
                .is_some_and(|at| self.turns.get() >= at)
                .then(|| "the GPU device was lost (Destroyed)".into())
        }
    }

    fn empty() -> MnistSet {
        MnistSet::new(Vec::new(), Vec::new())
    }

    fn run(
        session: &mut CountingSession,
        host: &ScriptedHost,
        slice_ms: f64,
    ) -> (Result<bool, String>, Vec<usize>) {
        let (train, test) = (empty(), empty());
        let subsets = Subsets {
            train: &train,
            test: &test,
        };
        let mut epochs_seen = Vec::new();
        let result = pollster::block_on(drive(
            session,
            subsets,
            host,
            slice_ms,
            async |s: &CountingSession| epochs_seen.push(s.steps),
        ));
        (result, epochs_seen)
    }

    #[test]
    fn a_run_goes_to_its_end_in_slices_with_every_event_posted() {
        let mut session = CountingSession::new(12, 4);
        let host = ScriptedHost::new(Vec::new());
        // The loop reads the clock (1 ms a reading) once a step, so a 6 ms slice holds a few
        // steps: several yields in all.
        let (result, epochs_seen) = run(&mut session, &host, 6.0);
        assert_eq!(result, Ok(false), "not cancelled");
        assert_eq!(host.steps_posted(), (1..=12).collect::<Vec<_>>());
        assert_eq!(epochs_seen, vec![4, 8], "after each epoch but the last");
        assert!(host.yields.get() >= 3, "{} yields", host.yields.get());
        assert_eq!(
            host.progress_posted(),
            vec![(12, false)],
            "one progress report at the end"
        );
    }

    #[test]
    fn a_lost_device_ends_the_run_with_its_reason_and_no_checkpoint_after_it() {
        let mut session = CountingSession::new(12, 4);
        let host = ScriptedHost::new(Vec::new());
        // Lost after the second yield: a 6 ms slice holds a few steps, so mid-run.
        host.lose_device_at.set(Some(2));
        let (result, epochs_seen) = run(&mut session, &host, 6.0);
        assert_eq!(
            result,
            Err("the GPU device was lost (Destroyed)".to_string())
        );
        let steps = host.steps_posted();
        assert!(!steps.is_empty() && steps.len() < 12, "{steps:?}");
        assert!(
            epochs_seen.iter().all(|&at| at <= steps.len()),
            "checkpoints only of steps done before the loss: {epochs_seen:?}"
        );
        assert_eq!(session.steps, steps.len(), "no step after the loss");
    }

    #[test]
    fn a_pause_stops_the_clock_once_and_a_resume_goes_on_where_it_stopped() {
        let mut session = CountingSession::new(10, 100);
        // Pause after the first slice; resume after two turns of waiting.
        let host = ScriptedHost::new(vec![(1, Control::Pause), (3, Control::Run)]);
        let (result, _) = run(&mut session, &host, 4.0);
        assert_eq!(result, Ok(false));
        assert_eq!((session.pauses, session.resumes), (1, 1));
        let progress = host.progress_posted();
        assert_eq!(progress.len(), 2, "{progress:?}");
        assert!(progress[0].1, "the pause is reported as a pause");
        assert!(
            progress[0].0 < 10,
            "paused mid-run at step {}",
            progress[0].0
        );
        assert_eq!(progress[1], (10, false));
        assert_eq!(host.steps_posted(), (1..=10).collect::<Vec<_>>());
    }

    #[test]
    fn a_cancel_stops_between_slices_and_reports_where_it_stopped() {
        let mut session = CountingSession::new(1000, 100);
        let host = ScriptedHost::new(vec![(2, Control::Cancel)]);
        let (result, _) = run(&mut session, &host, 4.0);
        assert_eq!(result, Ok(true), "cancelled");
        let stopped_at = session.steps;
        assert!(stopped_at > 0 && stopped_at < 1000, "{stopped_at}");
        assert_eq!(host.progress_posted(), vec![(stopped_at, false)]);
    }

    #[test]
    fn a_single_step_then_pauses_and_is_watched() {
        let mut session = CountingSession::new(10, 100);
        // Paused at once; then Step, Step (each one step); then run to the end.
        let host = ScriptedHost::new(vec![
            (2, Control::Step),
            (5, Control::Step),
            (8, Control::Run),
        ]);
        host.control.set(Some(Control::Pause));
        let (result, _) = run(&mut session, &host, 1000.0);
        assert_eq!(result, Ok(false));
        let progress = host.progress_posted();
        // Paused at 0; a step, paused at 1; a step, paused at 2; then the end.
        assert_eq!(
            progress,
            vec![(0, true), (1, true), (2, true), (10, false)],
            "each step pauses the run again"
        );
        assert_eq!(host.steps_posted(), (1..=10).collect::<Vec<_>>());
    }

    #[test]
    fn slow_motion_takes_one_step_per_share_of_a_second() {
        let mut session = CountingSession::new(4, 100);
        let host = ScriptedHost::new(Vec::new());
        host.slow_motion.set(Some(5.0));
        let (result, _) = run(&mut session, &host, 1000.0);
        assert_eq!(result, Ok(false));
        assert_eq!(host.steps_posted(), vec![1, 2, 3, 4]);
        // 5 steps a second: 200 ms each, less the step's own time (a clock reading or two).
        let waits = host.waits.borrow().clone();
        assert_eq!(waits.len(), 4, "{waits:?}");
        assert!(
            waits.iter().all(|&w| (190.0..200.0).contains(&w)),
            "{waits:?}"
        );
    }

    #[test]
    fn a_failed_step_ends_the_run_with_its_error() {
        let mut session = CountingSession::new(10, 100);
        session.fail_at = Some(3);
        let host = ScriptedHost::new(Vec::new());
        let (result, _) = run(&mut session, &host, 100.0);
        assert_eq!(result, Err("step 3 failed".into()));
        assert_eq!(host.steps_posted(), vec![1, 2]);
    }

    #[test]
    fn control_rules() {
        let mut session = CountingSession::new(1, 1);
        assert_eq!(obey_control(None, &mut session, 0.0), Turn::Step);
        assert_eq!(
            obey_control(Some(Control::Pause), &mut session, 0.0),
            Turn::Wait { just_paused: true }
        );
        assert_eq!(
            obey_control(Some(Control::Pause), &mut session, 1.0),
            Turn::Wait { just_paused: false }
        );
        assert_eq!(session.pauses, 1, "the clock stops once");
        assert_eq!(
            obey_control(Some(Control::Run), &mut session, 2.0),
            Turn::Step
        );
        assert_eq!(
            obey_control(Some(Control::Step), &mut session, 3.0),
            Turn::Single
        );
        assert_eq!(session.resumes, 1);
        assert_eq!(
            obey_control(Some(Control::Cancel), &mut session, 3.0),
            Turn::Stop
        );
    }
}
