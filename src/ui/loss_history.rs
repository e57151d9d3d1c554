//! The series of the live loss chart: the smoothed per-step loss and per-epoch losses, with
//! x in epochs (fractional for steps) so both share one axis.

use crate::engine::protocol::EpochLoss;

/// Step points kept before thinning: a long run stays cheap to draw.
const MAX_STEP_POINTS: usize = 1500;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LossHistory {
    steps_per_epoch: usize,
    /// (epochs done, smoothed batch loss).
    pub steps: Vec<(f64, f64)>,
    /// (epoch from 1, running train loss, test loss).
    pub epochs: Vec<(f64, f64, f64)>,
}

impl LossHistory {
    pub fn new(steps_per_epoch: usize) -> Self {
        Self {
            steps_per_epoch: steps_per_epoch.max(1),
            ..Self::default()
        }
    }

    /// A history as it was kept ([`super::run_state`]): `None` for step points that are not
    /// finite or do not move forward, which [`Self::push_step`] never makes.
    pub fn from_parts(
        steps_per_epoch: usize,
        steps: Vec<(f64, f64)>,
        epochs: Vec<(f64, f64, f64)>,
    ) -> Option<Self> {
        let finite = steps.iter().all(|p| p.0.is_finite() && p.1.is_finite());
        let forward = steps.windows(2).all(|w| w[0].0 < w[1].0);
        (steps_per_epoch > 0 && finite && forward).then_some(Self {
            steps_per_epoch,
            steps,
            epochs,
        })
    }

    pub fn steps_per_epoch(&self) -> usize {
        self.steps_per_epoch
    }

    pub fn push_step(&mut self, step: usize, smoothed_loss: f32) {
        if !smoothed_loss.is_finite() {
            return;
        }
        let x = step as f64 / self.steps_per_epoch as f64;
        if self.steps.last().is_some_and(|&(last, _)| last >= x) {
            return;
        }
        self.steps.push((x, smoothed_loss as f64));
        if self.steps.len() > MAX_STEP_POINTS {
            // Keep every other point (and always the newest).
            let last = *self.steps.last().expect("not empty");
            self.steps = self.steps.iter().copied().step_by(2).collect();
            if self.steps.last() != Some(&last) {
                self.steps.push(last);
            }
        }
    }

    pub fn push_epoch(&mut self, epoch: usize, train_loss: f32, test_loss: f32) {
        self.epochs
            .push((epoch as f64, train_loss as f64, test_loss as f64));
    }

    /// The epochs' losses as the engine sent them (the history's f64s came from these f32s:
    /// back to them exactly).
    pub fn epoch_losses(&self) -> Vec<EpochLoss> {
        self.epochs
            .iter()
            .map(|&(epoch, train, test)| EpochLoss {
                epoch: epoch as usize,
                train_loss: train as f32,
                test_loss: test as f32,
            })
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.epochs.is_empty()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn steps_become_fractional_epochs() {
        let mut h = LossHistory::new(100);
        h.push_step(50, 0.08);
        h.push_step(50, 0.07); // same step again: ignored
        h.push_step(150, f32::NAN); // unknown loss: ignored
        h.push_step(150, 0.05);
        assert_eq!(h.steps, vec![(0.5, 0.08f32 as f64), (1.5, 0.05f32 as f64)]);
    }

    #[test]
    fn thinning_keeps_the_newest_point() {
        let mut h = LossHistory::new(1);
        for step in 1..=MAX_STEP_POINTS + 1 {
            h.push_step(step, 1.0 / step as f32);
        }
        assert!(h.steps.len() <= MAX_STEP_POINTS / 2 + 2);
        assert_eq!(h.steps.last().unwrap().0, (MAX_STEP_POINTS + 1) as f64);
        assert_eq!(h.steps[0].0, 1.0);
    }

    #[test]
    fn kept_parts_must_be_a_curve_push_step_could_make() {
        let mut h = LossHistory::new(3);
        h.push_step(1, 0.5);
        h.push_step(2, 0.25);
        h.push_epoch(1, 0.3, f32::NAN);
        let back = LossHistory::from_parts(3, h.steps.clone(), h.epochs.clone()).unwrap();
        assert_eq!(back.steps_per_epoch(), 3);
        assert_eq!(
            (back.steps.as_slice(), back.epochs.len()),
            (h.steps.as_slice(), 1)
        );
        let steps = |s: &[(f64, f64)]| LossHistory::from_parts(3, s.to_vec(), Vec::new());
        assert_eq!(steps(&[(0.5, f64::NAN)]), None);
        assert_eq!(steps(&[(f64::INFINITY, 0.1)]), None);
        assert_eq!(steps(&[(0.5, 0.1), (0.5, 0.2)]), None, "the same x twice");
        assert_eq!(LossHistory::from_parts(0, Vec::new(), Vec::new()), None);
    }
}
