//! Training settings: the exercise's defaults (Adam 1e-3, batch 64, 10 epochs).

use burn::optim::{AdamConfig, ModuleOptimizer};
use serde::{Deserialize, Serialize};

use super::TrainingError;

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

/// Adam with PyTorch's defaults (β = 0.9, 0.999; ε = 1e-8; burn's own ε default is 1e-5).
pub fn adam() -> ModuleOptimizer {
    AdamConfig::new()
        .with_beta_1(0.9)
        .with_beta_2(0.999)
        .with_epsilon(1e-8)
        .init()
}
