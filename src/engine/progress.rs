//! Progress figures for a running training: speed, time left, a smoothed loss.
//!
//! Time is passed in (milliseconds from any fixed origin) rather than read from a clock, so
//! the same code runs natively and in a browser worker, and is tested with made-up times.

use serde::{Deserialize, Serialize};

use crate::training::{Objective, Trainer, TrainingError};

/// Figures for one progress update.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainingProgress {
    /// From 1.
    pub epoch: usize,
    pub epochs: usize,
    /// Steps done, over all epochs.
    pub step: usize,
    pub total_steps: usize,
    /// The mean batch loss over the steps since the report before, and its exponential moving
    /// average over steps; NaN before the first read (sent as `null`, which JSON can hold and
    /// NaN it cannot).
    #[serde(with = "nan_as_null")]
    pub loss: f32,
    #[serde(with = "nan_as_null")]
    pub smoothed_loss: f32,
    pub images_per_second: f64,
    pub elapsed_seconds: f64,
    /// `None` until a step has been timed.
    pub seconds_left: Option<f64>,
    pub paused: bool,
}

/// A float that may be NaN or infinite (a diverged loss), as a number or `null`: JSON has no
/// such numbers, and a plain `f32` field would refuse the `null` serde_json writes for them.
pub(crate) mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &f32, s: S) -> Result<S::Ok, S::Error> {
        if value.is_finite() {
            s.serialize_some(value)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
        Ok(Option::<f32>::deserialize(d)?.unwrap_or(f32::NAN))
    }
}

/// Exponential moving average, bias-corrected so the first values are not pulled to zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ema {
    decay: f64,
    value: f64,
    weight: f64,
}

impl Ema {
    /// `decay` in [0, 1): the share of the past kept at each update.
    pub fn new(decay: f64) -> Self {
        assert!((0.0..1.0).contains(&decay), "decay must be in [0, 1)");
        Self {
            decay,
            value: 0.0,
            weight: 0.0,
        }
    }

    /// Adds a value and returns the new average.
    pub fn update(&mut self, x: f64) -> f64 {
        self.update_over(x, 1)
    }

    /// Adds `x`, the mean of `count` values, as `count` updates by `x` would: a mean over many
    /// steps moves the average as far as those steps would have, no further and no less.
    pub fn update_over(&mut self, x: f64, count: usize) -> f64 {
        let keep = self.decay.powf(count as f64);
        self.value = keep * self.value + (1.0 - keep) * x;
        self.weight = keep * self.weight + (1.0 - keep);
        self.get().unwrap_or(x)
    }

    pub fn get(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.value / self.weight)
    }
}

/// A run whose clock the page can stop and restart.
pub trait Pausable {
    fn is_paused(&self) -> bool;
    fn pause(&mut self, now_ms: f64);
    fn resume(&mut self, now_ms: f64);
}

/// Wall time of a run, excluding pauses.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ActiveClock {
    active_ms: f64,
    running_since: Option<f64>,
}

impl ActiveClock {
    pub fn start(&mut self, now_ms: f64) {
        if self.running_since.is_none() {
            self.running_since = Some(now_ms);
        }
    }

    pub fn pause(&mut self, now_ms: f64) {
        if let Some(since) = self.running_since.take() {
            self.active_ms += (now_ms - since).max(0.0);
        }
    }

    pub fn is_running(&self) -> bool {
        self.running_since.is_some()
    }

    pub fn seconds(&self, now_ms: f64) -> f64 {
        let running = self.running_since.map_or(0.0, |s| (now_ms - s).max(0.0));
        (self.active_ms + running) / 1000.0
    }
}

/// Images per second and seconds left, from the work done so far in `elapsed_seconds`.
/// Both are `None`-like (0 and `None`) until some time has passed.
pub fn speed_and_time_left(
    images_done: usize,
    steps_done: usize,
    total_steps: usize,
    elapsed_seconds: f64,
) -> (f64, Option<f64>) {
    if elapsed_seconds <= 0.0 || steps_done == 0 {
        return (0.0, None);
    }
    let images_per_second = images_done as f64 / elapsed_seconds;
    let seconds_per_step = elapsed_seconds / steps_done as f64;
    let left = total_steps.saturating_sub(steps_done) as f64 * seconds_per_step;
    (images_per_second, Some(left))
}

/// Where a run stands, for its progress figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunPosition {
    pub epochs_done: usize,
    pub epochs: usize,
    /// Steps done, over all epochs.
    pub steps_done: usize,
    pub total_steps: usize,
    /// Steps done before this session (a resumed run): left out of speed and time left.
    pub steps_before: usize,
}

impl RunPosition {
    /// Where `trainer` stands, `steps_before` of its steps done before this session.
    pub fn of<M: Objective>(trainer: &Trainer<M>, steps_before: usize) -> Self {
        Self {
            epochs_done: trainer.epoch(),
            epochs: trainer.config().epochs,
            steps_done: trainer.steps_done(),
            total_steps: trainer.total_steps(),
            steps_before,
        }
    }
}

/// What a training session counts for its progress reports: its clock without the pauses,
/// the images it trained, the last loss read back and its smoothed value, and when it last
/// reported. The autoencoder and the transfer sessions share it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressMeter {
    clock: ActiveClock,
    smoothed_loss: Ema,
    images_done: usize,
    last_loss: Option<f32>,
    last_report_ms: f64,
}

impl ProgressMeter {
    /// A meter whose clock starts at `now_ms`, with the loss smoothed by `loss_smoothing`
    /// (the share of the past kept at each read, see [`Ema`]).
    pub fn start(now_ms: f64, loss_smoothing: f64) -> Self {
        let mut clock = ActiveClock::default();
        clock.start(now_ms);
        Self {
            clock,
            smoothed_loss: Ema::new(loss_smoothing),
            images_done: 0,
            last_loss: None,
            last_report_ms: f64::NEG_INFINITY,
        }
    }

    /// Counts the images of a step just done.
    pub fn count_images(&mut self, images: usize) {
        self.images_done += images;
    }

    pub fn images_done(&self) -> usize {
        self.images_done
    }

    /// Whether at least `every_ms` have passed since the last report (always before the first).
    pub fn is_due(&self, now_ms: f64, every_ms: f64) -> bool {
        now_ms - self.last_report_ms >= every_ms
    }

    /// Takes the mean batch loss of the last `steps` steps, read back in epoch `epoch` (from
    /// 1); a NaN or infinite one is the run's end, with that error. The smoothing counts steps,
    /// not reads: read every tenth step, the average keeps up with the loss as it would read
    /// every step (reads once a report came every 100 ms, and a smoothing per read lagged by
    /// as many as 50 steps, drawing the training loss above the test loss).
    pub fn record_loss(
        &mut self,
        loss: f32,
        steps: usize,
        epoch: usize,
    ) -> Result<(), TrainingError> {
        if !loss.is_finite() {
            return Err(TrainingError::NonFiniteLoss { epoch, value: loss });
        }
        self.last_loss = Some(loss);
        self.smoothed_loss
            .update_over(f64::from(loss), steps.max(1));
        Ok(())
    }

    /// Seconds the run has trained, pauses left out.
    pub fn seconds(&self, now_ms: f64) -> f64 {
        self.clock.seconds(now_ms)
    }

    /// The figures at `now_ms` for a run at `at`.
    pub fn progress(&self, now_ms: f64, at: RunPosition) -> TrainingProgress {
        let elapsed = self.clock.seconds(now_ms);
        let (images_per_second, seconds_left) = speed_and_time_left(
            self.images_done,
            at.steps_done - at.steps_before,
            at.total_steps - at.steps_before,
            elapsed,
        );
        TrainingProgress {
            epoch: (at.epochs_done + 1).min(at.epochs),
            epochs: at.epochs,
            step: at.steps_done,
            total_steps: at.total_steps,
            loss: self.last_loss.unwrap_or(f32::NAN),
            smoothed_loss: self.smoothed_loss.get().map_or(f32::NAN, |v| v as f32),
            images_per_second,
            elapsed_seconds: elapsed,
            seconds_left,
            paused: self.is_paused(),
        }
    }

    /// [`ProgressMeter::progress`], counted as the latest report ([`ProgressMeter::is_due`]).
    pub fn report(&mut self, now_ms: f64, at: RunPosition) -> TrainingProgress {
        self.last_report_ms = now_ms;
        self.progress(now_ms, at)
    }
}

impl Pausable for ProgressMeter {
    fn is_paused(&self) -> bool {
        !self.clock.is_running()
    }

    fn pause(&mut self, now_ms: f64) {
        self.clock.pause(now_ms);
    }

    fn resume(&mut self, now_ms: f64) {
        self.clock.start(now_ms);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn ema_matches_hand_computation() {
        let mut ema = Ema::new(0.5);
        assert_eq!(ema.get(), None);
        // First value: (0.5·1) / 0.5 = 1.
        assert!((ema.update(1.0) - 1.0).abs() < 1e-12);
        // value = 0.25 + 1.5 = 1.75, weight = 0.75: 2.333…
        assert!((ema.update(3.0) - 1.75 / 0.75).abs() < 1e-12);
    }

    #[test]
    fn clock_excludes_pauses() {
        let mut clock = ActiveClock::default();
        clock.start(1000.0);
        assert!((clock.seconds(3000.0) - 2.0).abs() < 1e-12);
        clock.pause(3000.0);
        assert!(!clock.is_running());
        assert!((clock.seconds(10_000.0) - 2.0).abs() < 1e-12);
        clock.start(10_000.0);
        assert!((clock.seconds(11_500.0) - 3.5).abs() < 1e-12);
    }

    #[test]
    fn a_meter_reports_by_hand_computed_figures() {
        let mut meter = ProgressMeter::start(1_000.0, 0.5);
        let at = RunPosition {
            epochs_done: 0,
            epochs: 2,
            steps_done: 0,
            total_steps: 20,
            steps_before: 0,
        };
        assert!(
            meter.is_due(1_000.0, 100.0),
            "the first report is always due"
        );
        let before = meter.progress(1_000.0, at);
        assert!(before.loss.is_nan() && before.smoothed_loss.is_nan());
        assert_eq!((before.epoch, before.seconds_left), (1, None));

        meter.count_images(64);
        meter.record_loss(1.0, 1, 1).unwrap();
        meter.count_images(64);
        meter.record_loss(3.0, 1, 1).unwrap();
        let at = RunPosition {
            steps_done: 2,
            ..at
        };
        let report = meter.report(2_000.0, at);
        // 128 images in 1 s; 18 steps left at 0.5 s each; (0.25 + 1.5) / 0.75 smoothed.
        assert_eq!(report.images_per_second, 128.0);
        assert_eq!(report.seconds_left, Some(9.0));
        assert_eq!(report.loss, 3.0);
        assert!((report.smoothed_loss - 1.75 / 0.75).abs() < 1e-6);
        assert!(!meter.is_due(2_050.0, 100.0) && meter.is_due(2_100.0, 100.0));

        // Paused for 5 s: the speed does not fall, the report says paused.
        meter.pause(2_000.0);
        let paused = meter.progress(7_000.0, at);
        assert!(paused.paused && paused.images_per_second == 128.0);
        meter.resume(7_000.0);
        assert_eq!(meter.seconds(8_000.0), 2.0);
    }

    #[test]
    fn a_mean_over_steps_moves_the_average_as_far_as_those_steps() {
        // Five steps at 1.0, then one read of ten steps' mean 0.5: as ten updates by 0.5.
        let (mut once, mut each) = (Ema::new(0.9), Ema::new(0.9));
        once.update_over(1.0, 5);
        let read = once.update_over(0.5, 10);
        for x in [1.0; 5].into_iter().chain([0.5; 10]) {
            each.update(x);
        }
        // By hand: weights 0.9^10 (1 - 0.9^5) on 1.0 and 1 - 0.9^10 on 0.5, over 1 - 0.9^15.
        let by_hand = (0.9f64.powi(10) * (1.0 - 0.9f64.powi(5)) + (1.0 - 0.9f64.powi(10)) * 0.5)
            / (1.0 - 0.9f64.powi(15));
        assert!((read - by_hand).abs() < 1e-12 && (each.get().unwrap() - by_hand).abs() < 1e-12);
        // Long at 1.0, the loss halves: ten steps' mean takes the average to
        // 0.9^10 + (1 - 0.9^10) 0.5 = 0.674; smoothed per read, as before, it went to 0.95.
        let (mut per_step, mut per_read) = (Ema::new(0.9), Ema::new(0.9));
        per_step.update_over(1.0, 200);
        per_read.update_over(1.0, 200);
        let ten = per_step.update_over(0.5, 10);
        assert!((ten - (0.9f64.powi(10) + (1.0 - 0.9f64.powi(10)) * 0.5)).abs() < 1e-6);
        assert!((per_read.update(0.5) - 0.95).abs() < 1e-6);
    }

    #[test]
    fn a_resumed_run_times_only_its_own_steps() {
        let mut meter = ProgressMeter::start(0.0, 0.9);
        meter.count_images(640);
        // 100 steps before this session, 10 in its 2 s, 40 to go: 8 s left, 320 images/s.
        let at = RunPosition {
            epochs_done: 5,
            epochs: 5,
            steps_done: 110,
            total_steps: 150,
            steps_before: 100,
        };
        let report = meter.progress(2_000.0, at);
        assert_eq!(
            (report.images_per_second, report.seconds_left),
            (320.0, Some(8.0))
        );
        // Past the last epoch the epoch shown stays the last one.
        assert_eq!(report.epoch, 5);
    }

    #[test]
    fn a_non_finite_loss_is_an_error_and_not_recorded() {
        let mut meter = ProgressMeter::start(0.0, 0.9);
        meter.record_loss(0.5, 1, 1).unwrap();
        for bad in [f32::NAN, f32::INFINITY] {
            let error = meter.record_loss(bad, 10, 3).unwrap_err();
            assert!(matches!(
                error,
                TrainingError::NonFiniteLoss { epoch: 3, .. }
            ));
        }
        let at = RunPosition {
            epochs_done: 0,
            epochs: 1,
            steps_done: 1,
            total_steps: 1,
            steps_before: 0,
        };
        assert_eq!(meter.progress(10.0, at).loss, 0.5);
    }

    #[test]
    fn speed_and_time_left_by_hand() {
        // 10 steps of 64 images in 2 s, 40 steps to go at 0.2 s each.
        let (speed, left) = speed_and_time_left(640, 10, 50, 2.0);
        assert!((speed - 320.0).abs() < 1e-9);
        assert!((left.unwrap() - 8.0).abs() < 1e-9);
        assert_eq!(speed_and_time_left(0, 0, 50, 0.0), (0.0, None));
        assert_eq!(speed_and_time_left(640, 50, 50, 2.0).1, Some(0.0));
    }
}
