//! Training settings: the exercise's defaults (Adam 1e-3, batch 64, 10 epochs).

use burn::optim::{AdamConfig, ModuleOptimizer};
use burn::prelude::Device;
use serde::{Deserialize, Serialize};

use super::{FusedAdam, TrainingError};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainingConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    /// Seeds the per-epoch shuffle.
    pub seed: u64,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        Self {
            epochs: 10,
            batch_size: 64,
            learning_rate: 1e-3,
            seed: 42,
        }
    }
}

impl TrainingConfig {
    pub fn validate(&self) -> Result<(), TrainingError> {
        if self.epochs == 0 {
            return Err(TrainingError::InvalidConfig(
                "epochs must be at least 1".into(),
            ));
        }
        if self.batch_size == 0 {
            return Err(TrainingError::InvalidConfig(
                "batch size must be at least 1".into(),
            ));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(TrainingError::InvalidConfig(format!(
                "learning rate must be a positive number, not {}",
                self.learning_rate
            )));
        }
        Ok(())
    }
}

/// Optimiser steps in one epoch over `images` at `batch_size`, as [`Trainer`](super::Trainer)
/// takes them: the last batch of an epoch may be short. At least 1, so that a count of
/// settings not yet checked (no images, a batch of 0) never divides by zero.
pub fn steps_per_epoch(images: usize, batch_size: usize) -> usize {
    images.div_ceil(batch_size.max(1)).max(1)
}

/// Adam's settings: PyTorch's defaults (burn's own ε default is 1e-5).
const ADAM: FusedAdam = FusedAdam {
    beta_1: 0.9,
    beta_2: 0.999,
    epsilon: 1e-8,
};

/// Adam with PyTorch's defaults (β = 0.9, 0.999; ε = 1e-8) for parameters on `device`: in one
/// pass per parameter on a CPU backend ([`FusedAdam`], the same bits), burn's `Adam` on a GPU.
pub fn adam(device: &Device) -> ModuleOptimizer {
    if values_in_host_memory(device) {
        return ModuleOptimizer::from(ADAM);
    }
    AdamConfig::new()
        .with_beta_1(ADAM.beta_1)
        .with_beta_2(ADAM.beta_2)
        .with_epsilon(ADAM.epsilon)
        .init()
}

/// Whether `device` keeps tensors in this process's memory (flex, ndarray), so that reading
/// them costs a copy at most.
fn values_in_host_memory(device: &Device) -> bool {
    let device = device.clone().inner();
    // burn marks ndarray deprecated; the lab keeps it selectable to compare with flex.
    #[cfg(feature = "ndarray")]
    #[allow(deprecated)]
    if device == Device::ndarray() {
        return true;
    }
    device == Device::flex()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_per_epoch_counts_the_short_last_batch() {
        // 2,000 = 31 × 64 + 16: the 16 left over make a 32nd step.
        assert_eq!(steps_per_epoch(2_000, 64), 32);
        assert_eq!(steps_per_epoch(1_984, 64), 31);
        // Full MNIST: 60,000 = 937 × 64 + 32.
        assert_eq!(steps_per_epoch(60_000, 64), 938);
        assert_eq!(steps_per_epoch(5, 64), 1);
        // Settings not yet checked count one step, never a division by zero.
        assert_eq!(steps_per_epoch(0, 64), 1);
        assert_eq!(steps_per_epoch(7, 0), 7);
    }
}
