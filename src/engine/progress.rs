//! Progress figures for a running training: speed, time left, a smoothed loss.
//!
//! Time is passed in (milliseconds from any fixed origin) rather than read from a clock, so
//! the same code runs natively and in a browser worker, and is tested with made-up times.

use serde::{Deserialize, Serialize};

/// Figures for one progress update.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainingProgress {
    /// From 1.
    pub epoch: usize,
    pub epochs: usize,
    /// Steps done, over all epochs.
    pub step: usize,
    pub total_steps: usize,
    /// The last read batch loss, and its exponential moving average; NaN before the first
    /// read (sent as `null`, which JSON can hold and NaN it cannot).
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
        self.value = self.decay * self.value + (1.0 - self.decay) * x;
        self.weight = self.decay * self.weight + (1.0 - self.decay);
        self.get().expect("just updated")
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
    fn speed_and_time_left_by_hand() {
        // 10 steps of 64 images in 2 s, 40 steps to go at 0.2 s each.
        let (speed, left) = speed_and_time_left(640, 10, 50, 2.0);
        assert!((speed - 320.0).abs() < 1e-9);
        assert!((left.unwrap() - 8.0).abs() < 1e-9);
        assert_eq!(speed_and_time_left(0, 0, 50, 0.0), (0.0, None));
        assert_eq!(speed_and_time_left(640, 50, 50, 2.0).1, Some(0.0));
    }
}
