//! Step-wise training and evaluation shared by the native command and the page.
//!
//! Nothing here owns a loop over the whole run: the caller asks for one optimizer step at a
//! time, so it can show progress, yield to a browser's event loop, pause or cancel between
//! steps. Values are read back with burn's async readback, which WebGPU requires.

mod config;
pub mod data_parallel;
mod evaluate;
mod fused_adam;
mod objective;
mod trainer;
mod transfer;

pub use config::{TrainingConfig, adam, steps_per_epoch};
pub use evaluate::{
    Evaluation, classifier_logits, confusion_matrix, evaluate, evaluate_in_steps,
    reconstruction_mse,
};
pub use fused_adam::{FusedAdam, FusedAdamState};
pub use objective::Objective;
pub use trainer::{StepReport, Trainer};
pub use transfer::{
    TRANSFER_EVAL_POINTS, TransferScenario, transfer_classifier, transfer_epochs,
    transfer_eval_epochs,
};

/// Why training or evaluation stopped.
#[derive(Debug, thiserror::Error)]
pub enum TrainingError {
    #[error(
        "the loss became {value} at epoch {epoch}: training diverged (try a lower learning rate)"
    )]
    NonFiniteLoss { epoch: usize, value: f32 },
    #[error("reading a value back from the device failed: {0}")]
    Readback(String),
    #[error("invalid training settings: {0}")]
    InvalidConfig(String),
    #[error("a copy of the model failed in data-parallel training: {0}")]
    DataParallel(String),
}

/// Reads a one-element tensor back to the host, asynchronously (required on WebGPU).
pub async fn read_scalar(tensor: burn::prelude::Tensor<1>) -> Result<f32, TrainingError> {
    tensor
        .into_scalar_async::<f32>()
        .await
        .map_err(|e| TrainingError::Readback(format!("{e:?}")))
}

/// Index ranges of consecutive batches over `len` items (the last one may be shorter).
pub fn batch_ranges(len: usize, batch_size: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..len)
        .step_by(batch_size.max(1))
        .map(move |start| start..(start + batch_size).min(len))
}
