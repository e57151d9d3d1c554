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
    /// (epoch, `digits × latent_dim` codes), in order; epoch 0 is before the first step.
    epochs: Vec<(usize, Vec<f32>)>,
}

impl EpochRecording {
    pub fn new(test: &MnistSet, epochs: usize, latent_dim: usize) -> Self {
        Self {
            latent_dim,
            sample: test.first(recording_sample(test.len(), epochs, latent_dim)),
            epochs: Vec::new(),
        }
    }

    /// Records `model`'s codes of the sample as of `epoch` (once per epoch).
    pub async fn record(
        &mut self,
        epoch: usize,
        model: &Autoencoder,
        device: &Device,
    ) -> Result<(), TrainingError> {
        if self.epochs.iter().any(|(e, _)| *e == epoch) || self.sample.is_empty() {
            return Ok(());
        }
        let codes = encode_set(model, &self.sample, ENCODE_BATCH, device).await?;
        self.epochs.push((epoch, codes));
        Ok(())
    }

    pub fn digits(&self) -> usize {
        self.sample.len()
    }

    /// The recorded epochs.
    pub fn epochs(&self) -> Vec<usize> {
        self.epochs.iter().map(|(e, _)| *e).collect()
    }

    /// The sample's labels.
    pub fn labels(&self) -> Vec<u8> {
        (0..self.sample.len())
            .map(|i| self.sample.label(i))
            .collect()
    }

    /// Code values held.
    pub fn values(&self) -> usize {
        self.epochs.iter().map(|(_, c)| c.len()).sum()
    }

    /// Every epoch's map on still axes (`None` before any epoch is recorded, or where a code
    /// is not a number).
    pub fn maps(&self) -> Option<EpochMaps> {
        if self
            .epochs
            .iter()
            .any(|(_, c)| c.iter().any(|v| !v.is_finite()))
        {
            return None;
        }
        epoch_maps(&self.epochs, self.sample.len(), self.latent_dim)
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
        pollster::block_on(recording.record(0, &model, &device)).unwrap();
        pollster::block_on(recording.record(0, &model, &device)).unwrap();
        pollster::block_on(recording.record(1, &model, &device)).unwrap();
        assert_eq!(recording.epochs(), vec![0, 1]);
        assert_eq!(recording.values(), 2 * 4 * 5);
        assert_eq!(recording.labels(), vec![3, 1, 4, 1]);
        let maps = recording.maps().unwrap();
        assert_eq!(maps.points.len(), 2);
        assert_eq!(maps.points[0].len(), 4 * 2);
    }
}
