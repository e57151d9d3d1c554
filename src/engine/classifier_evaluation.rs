//! A classifier of the model list measured on the bundled test subset: its mean cross-entropy
//! and accuracy, computed where the page runs. The report's part E shows the bundled
//! classifiers' figures beside the report's stuck 2.30 (ln 10: a uniform guess).

use serde::{Deserialize, Serialize};

use crate::data::MnistSet;
use crate::model::Classifier;
use crate::training::evaluate_in_steps;
use burn::prelude::Device;

/// Images between two steps of an evaluation (the browser's engine yields in between).
pub const EVALUATION_STEP_IMAGES: usize = 1_000;
const EVALUATION_BATCH: usize = 250;

/// What a classifier makes of the test subset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassifierEvaluation {
    pub model: String,
    pub images: usize,
    /// Mean cross-entropy (natural log).
    #[serde(with = "super::progress::nan_as_null")]
    pub loss: f32,
    /// The fraction of images whose top guess is their label.
    #[serde(with = "super::progress::nan_as_null")]
    pub accuracy: f32,
}

/// Evaluates `model` (named `name`) on `set`, calling `step(done, total)` after every
/// [`EVALUATION_STEP_IMAGES`] images.
pub async fn evaluate_classifier_in_steps(
    name: &str,
    model: &Classifier,
    set: &MnistSet,
    device: &Device,
    step: impl AsyncFnMut(usize, usize),
) -> Result<ClassifierEvaluation, String> {
    let evaluation = evaluate_in_steps(
        model,
        set,
        EVALUATION_BATCH,
        EVALUATION_STEP_IMAGES,
        device,
        step,
    )
    .await
    .map_err(|e| format!("{name}: {e}"))?;
    Ok(ClassifierEvaluation {
        model: name.to_string(),
        images: set.len(),
        loss: evaluation.loss,
        accuracy: evaluation.accuracy.unwrap_or(f32::NAN),
    })
}
