//! What a training records for the latent map through the epochs (issue 20, part 1): the
//! codes of a fixed sample of test digits before the first step and after every epoch. The
//! memory is bounded ([`RECORDING_BUDGET`]); the recording goes with the run's model and is
//! dropped with it.

use burn::prelude::Device;
use serde::{Deserialize, Serialize};

use crate::analysis::{EpochMaps, encode_set, epoch_maps};
use crate::data::MnistSet;
use crate::model::Autoencoder;
use crate::training::TrainingError;

/// Test digits recorded, at most.
pub const RECORDED_DIGITS: usize = 1_000;
/// Test digits recorded, at least (where the test subset has them), however large the run.
pub const MIN_RECORDED_DIGITS: usize = 100;
/// Code values a run records at most: 8 million, 32 MB.
pub const RECORDING_BUDGET: usize = 8_000_000;
const ENCODE_BATCH: usize = 500;

/// How many test digits a run of `epochs` epochs at latent size `latent_dim` records: up to
/// [`RECORDED_DIGITS`], fewer where all its epochs (and the start) would pass the budget.
pub fn recording_sample(test_len: usize, epochs: usize, latent_dim: usize) -> usize {
    let per_digit = (epochs + 1) * latent_dim.max(1);
    (RECORDING_BUDGET / per_digit)
        .clamp(MIN_RECORDED_DIGITS, RECORDED_DIGITS)
        .min(test_len)
}

/// The recorded codes of one run.
#[derive(Debug, Clone)]
pub struct EpochRecording {
    latent_dim: usize,
    /// The first test digits, the same every epoch.
    sample: MnistSet,
    /// In order of steps: (epochs done, optimiser steps done, `digits × latent_dim` codes); the
    /// first is before the first step.
    snapshots: Vec<(usize, usize, Vec<f32>)>,
    /// Epoch snapshots a whole run takes (the start and one per epoch): the budget keeps room
    /// for them before any snapshot between epochs is taken.
    epoch_snapshots: usize,
    /// Snapshots taken between epochs.
    between: usize,
}

/// Snapshots between epochs (slow motion, every [`STEP_SNAPSHOT_EVERY`] steps) a run takes at
/// most, besides the start and the epochs.
pub const MAX_STEP_SNAPSHOTS: usize = 100;
/// While a run is watched step by step (slow motion, Step), the codes are recorded every this
/// many optimiser steps as well as after every epoch.
pub const STEP_SNAPSHOT_EVERY: usize = 10;

impl EpochRecording {
    pub fn new(test: &MnistSet, epochs: usize, latent_dim: usize) -> Self {
        Self {
            latent_dim,
            sample: test.first(recording_sample(test.len(), epochs, latent_dim)),
            snapshots: Vec::new(),
            epoch_snapshots: epochs + 1,
            between: 0,
        }
    }

    /// Records `model`'s codes of the sample after `step` optimiser steps, `epoch` epochs done
    /// (once per step: a snapshot of the same step taken again only takes the later epoch
    /// count, as the end of an epoch follows its last step).
    pub async fn record(
        &mut self,
        epoch: usize,
        step: usize,
        model: &Autoencoder,
        device: &Device,
    ) -> Result<(), TrainingError> {
        if self.sample.is_empty() {
            return Ok(());
        }
        if let Some(same) = self.snapshots.iter_mut().find(|(_, s, _)| *s == step) {
            same.0 = same.0.max(epoch);
            return Ok(());
        }
        let codes = encode_set(model, &self.sample, ENCODE_BATCH, device).await?;
        self.snapshots.push((epoch, step, codes));
        Ok(())
    }

    /// Records a snapshot between epochs (a watched run, every [`STEP_SNAPSHOT_EVERY`]
    /// steps) where one fits: at most [`MAX_STEP_SNAPSHOTS`] of them, and only while the
    /// budget keeps room for the epochs still to come. Returns whether it was taken.
    pub async fn record_between_epochs(
        &mut self,
        epochs_done: usize,
        step: usize,
        model: &Autoencoder,
        device: &Device,
    ) -> Result<bool, TrainingError> {
        let per_snapshot = self.sample.len() * self.latent_dim;
        let epochs_to_come = self.epoch_snapshots.saturating_sub(epochs_done + 1);
        let fits = self.between < MAX_STEP_SNAPSHOTS
            && self.values() + (epochs_to_come + 1) * per_snapshot <= RECORDING_BUDGET;
        if !fits || self.snapshots.iter().any(|(_, s, _)| *s == step) {
            return Ok(false);
        }
        self.record(epochs_done, step, model, device).await?;
        self.between += 1;
        Ok(true)
    }

    pub fn digits(&self) -> usize {
        self.sample.len()
    }

    /// The epochs done at each snapshot.
    pub fn epochs(&self) -> Vec<usize> {
        self.snapshots.iter().map(|(e, _, _)| *e).collect()
    }

    /// The optimiser steps done at each snapshot.
    pub fn steps(&self) -> Vec<usize> {
        self.snapshots.iter().map(|(_, s, _)| *s).collect()
    }

    /// The sample's labels.
    pub fn labels(&self) -> Vec<u8> {
        (0..self.sample.len())
            .map(|i| self.sample.label(i))
            .collect()
    }

    /// Code values held.
    pub fn values(&self) -> usize {
        self.snapshots.iter().map(|(_, _, c)| c.len()).sum()
    }

    /// Every epoch's map on still axes (`None` before any epoch is recorded, or where a code
    /// is not a number).
    pub fn maps(&self) -> Option<EpochMaps> {
        if self
            .snapshots
            .iter()
            .any(|(_, _, c)| c.iter().any(|v| !v.is_finite()))
        {
            return None;
        }
        let recorded: Vec<(usize, Vec<f32>)> = self
            .snapshots
            .iter()
            .map(|(e, _, c)| (*e, c.clone()))
            .collect();
        let mut maps = epoch_maps(&recorded, self.sample.len(), self.latent_dim)?;
        maps.steps = self.steps();
        Some(maps)
    }

    /// The recording as the latent map shows it (and as it is kept and bundled): `None` as
    /// for [`Self::maps`].
    pub fn recorded(&self, model: &str) -> Option<RecordedEpochs> {
        Some(RecordedEpochs {
            model: model.to_string(),
            labels: self.labels(),
            maps: self.maps()?,
        })
    }
}

/// The answer to [`super::ToEngine::EpochMaps`]: a model's recorded epochs as maps, and the
/// labels of the sample's digits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedEpochs {
    pub model: String,
    pub labels: Vec<u8>,
    pub maps: EpochMaps,
}

impl RecordedEpochs {
    /// Checks a recording read from a file or the browser's storage against the test subset
    /// it was made on (its digits are the subset's first ones): an error says what is wrong.
    pub fn check(&self, test: &MnistSet) -> Result<(), String> {
        let n = self.labels.len();
        let maps = &self.maps;
        if n == 0 || maps.epochs.is_empty() {
            return Err("it records no digits or no epochs".into());
        }
        if n > test.len() || (0..n).any(|i| test.label(i) != self.labels[i]) {
            return Err(format!(
                "its {n} digits are not the first {n} of the test subset"
            ));
        }
        if maps.points.len() != maps.epochs.len() || maps.explained.len() != maps.epochs.len() {
            return Err(format!(
                "{} epochs but {} maps and {} variance shares",
                maps.epochs.len(),
                maps.points.len(),
                maps.explained.len()
            ));
        }
        if let Some((e, p)) = maps
            .epochs
            .iter()
            .zip(&maps.points)
            .find(|(_, p)| p.len() != 2 * n)
        {
            return Err(format!(
                "the map of epoch {e} has {} values, not 2 × {n}",
                p.len()
            ));
        }
        if !maps.epochs.windows(2).all(|w| w[0] <= w[1]) {
            return Err("its epochs are not in order".into());
        }
        let steps_fit = maps.steps.is_empty()
            || (maps.steps.len() == maps.epochs.len()
                && maps.steps.windows(2).all(|w| w[0] < w[1]));
        if !steps_fit {
            return Err("its steps are not one per map, in order".into());
        }
        let finite = maps.points.iter().flatten().all(|v| v.is_finite())
            && maps.explained.iter().flatten().all(|v| v.is_finite());
        if !finite {
            return Err("it holds a value that is not a number".into());
        }
        Ok(())
    }

    /// Reads and checks a bundled `<name>.epochs.json`, under the model's name here.
    pub fn from_json(model: &str, json: &[u8], test: &MnistSet) -> Result<Self, String> {
        let mut recorded: RecordedEpochs =
            serde_json::from_slice(json).map_err(|e| format!("unreadable: {e}"))?;
        recorded.check(test)?;
        recorded.model = model.to_string();
        Ok(recorded)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_sample_shrinks_only_past_the_budget() {
        assert_eq!(recording_sample(2_000, 10, 20), 1_000);
        assert_eq!(
            recording_sample(500, 10, 20),
            500,
            "no more than the test subset"
        );
        // 100 epochs at d = 1000: 101,000 values a digit, 79 within the budget; 100 kept.
        assert_eq!(recording_sample(2_000, 100, 1_000), MIN_RECORDED_DIGITS);
        // 20 epochs at d = 500: 10,500 values a digit, 761 within the budget.
        let n = recording_sample(2_000, 20, 500);
        assert_eq!(n, 761);
        assert!(n * 21 * 500 <= RECORDING_BUDGET && (n + 1) * 21 * 500 > RECORDING_BUDGET);
    }

    #[test]
    fn an_epoch_is_recorded_once_and_the_values_are_counted() {
        let device = crate::BackendKind::Flex.cpu_backend().device;
        let images: Vec<u8> = (0..4 * 784).map(|i| (i % 251) as u8).collect();
        let test = MnistSet::new(images, vec![3, 1, 4, 1]);
        let model = crate::model::AutoencoderConfig::new(crate::model::Architecture::TwoLayer, 5)
            .init(&device);
        let mut recording = EpochRecording::new(&test, 2, 5);
        assert_eq!(recording.digits(), 4);
        assert!(recording.maps().is_none(), "nothing recorded yet");
        pollster::block_on(recording.record(0, 0, &model, &device)).unwrap();
        pollster::block_on(recording.record(0, 0, &model, &device)).unwrap();
        pollster::block_on(recording.record(1, 3, &model, &device)).unwrap();
        assert_eq!(recording.epochs(), vec![0, 1]);
        assert_eq!(recording.steps(), vec![0, 3]);
        assert_eq!(recording.values(), 2 * 4 * 5);
        assert_eq!(recording.labels(), vec![3, 1, 4, 1]);
        let maps = recording.maps().unwrap();
        assert_eq!(maps.points.len(), 2);
        assert_eq!(maps.points[0].len(), 4 * 2);

        // As kept and bundled: it reads back against the same subset, and a damaged or
        // foreign copy is refused with the reason.
        let recorded = recording.recorded("m").unwrap();
        let json = serde_json::to_vec(&recorded).unwrap();
        let back = RecordedEpochs::from_json("m (2)", &json, &test).unwrap();
        assert_eq!(back.model, "m (2)");
        // The f32 points come back exactly; an f64 share explained may come back a bit off
        // (serde_json's default parser: protocol::tests::floats_come_back_exactly_or_within_a_bit).
        assert_eq!(back.maps.explained.len(), recorded.maps.explained.len());
        for (got, kept) in back.maps.explained.iter().zip(&recorded.maps.explained) {
            for (g, k) in got.iter().zip(kept) {
                assert!(g.to_bits().abs_diff(k.to_bits()) <= 1, "{g} against {k}");
            }
        }
        let mut expected = recorded.maps.clone();
        expected.explained = back.maps.explained.clone();
        assert_eq!(back.maps, expected);
        let other = MnistSet::new(vec![0; 4 * 784], vec![3, 1, 4, 2]);
        let err = RecordedEpochs::from_json("m", &json, &other).unwrap_err();
        assert!(err.contains("not the first 4"), "{err}");
        let mut short = recorded.clone();
        short.maps.points[1].pop();
        assert!(
            short
                .check(&test)
                .unwrap_err()
                .contains("epoch 1 has 7 values")
        );
        let mut nan = recorded.clone();
        nan.maps.points[0][0] = f32::NAN;
        assert!(nan.check(&test).unwrap_err().contains("not a number"));
        let mut disordered = recorded;
        disordered.maps.epochs = vec![1, 0];
        assert!(disordered.check(&test).unwrap_err().contains("order"));
        assert!(
            RecordedEpochs::from_json("m", b"{", &test)
                .unwrap_err()
                .contains("unreadable")
        );
    }

    #[test]
    fn a_watched_run_records_between_epochs_a_bounded_number_of_times() {
        let device = crate::BackendKind::Flex.cpu_backend().device;
        let images: Vec<u8> = (0..4 * 784).map(|i| (i % 253) as u8).collect();
        let test = MnistSet::new(images, vec![0, 1, 2, 3]);
        let model = crate::model::AutoencoderConfig::new(crate::model::Architecture::TwoLayer, 2)
            .init(&device);
        let mut recording = EpochRecording::new(&test, 2, 2);
        let record = |r: &mut EpochRecording, epoch, step| {
            pollster::block_on(r.record(epoch, step, &model, &device)).unwrap()
        };
        let between = |r: &mut EpochRecording, epoch, step| {
            pollster::block_on(r.record_between_epochs(epoch, step, &model, &device)).unwrap()
        };
        record(&mut recording, 0, 0);
        assert!(between(&mut recording, 0, 10));
        assert!(between(&mut recording, 0, 20));
        assert!(!between(&mut recording, 0, 20), "once per step");
        // The end of epoch 1 comes at step 20: that snapshot is now epoch 1's.
        record(&mut recording, 1, 20);
        assert_eq!(recording.epochs(), vec![0, 0, 1]);
        assert_eq!(recording.steps(), vec![0, 10, 20]);
        let maps = recording.maps().unwrap();
        assert_eq!(
            (maps.epochs.clone(), maps.steps.clone()),
            (vec![0, 0, 1], vec![0, 10, 20])
        );
        let recorded = recording.recorded("m").unwrap();
        assert!(recorded.check(&test).is_ok());
        let mut backwards = recorded;
        backwards.maps.steps = vec![0, 20, 10];
        assert!(backwards.check(&test).unwrap_err().contains("steps"));
        // No more than MAX_STEP_SNAPSHOTS between epochs.
        let mut long = EpochRecording::new(&test, 1, 2);
        let taken = (1..=MAX_STEP_SNAPSHOTS + 5)
            .filter(|&k| between(&mut long, 0, k * STEP_SNAPSHOT_EVERY))
            .count();
        assert_eq!(taken, MAX_STEP_SNAPSHOTS);
    }
}
