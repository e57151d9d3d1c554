//! Evaluation in inference mode: BatchNorm uses its running statistics, no gradients.

use burn::prelude::*;

use super::{Objective, TrainingError, batch_ranges, read_scalar};
use crate::data::{MnistSet, images_to_tensor};
use crate::model::{Classifier, NUM_CLASSES as CLASSES};

/// Loss (and accuracy, for classifiers) over a whole set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    pub loss: f32,
    pub accuracy: Option<f32>,
}

/// Mean loss over every image of `set`, in eval mode, with one readback at the end.
pub async fn evaluate<M: Objective>(
    model: &M,
    set: &MnistSet,
    batch_size: usize,
    device: &Device,
) -> Result<Evaluation, TrainingError> {
    evaluate_in_steps(model, set, batch_size, usize::MAX, device, async |_, _| {}).await
}

/// [`evaluate`] in steps of about `step_images` images, each read back, then `step(done,
/// total)` called: a browser's engine lets its messages in between two steps (ten thousand
/// images take seconds on its CPU).
pub async fn evaluate_in_steps<M: Objective>(
    model: &M,
    set: &MnistSet,
    batch_size: usize,
    step_images: usize,
    device: &Device,
    mut step: impl AsyncFnMut(usize, usize),
) -> Result<Evaluation, TrainingError> {
    if set.is_empty() {
        return Err(TrainingError::InvalidConfig(
            "the evaluation set is empty".into(),
        ));
    }
    let device = device.clone().inner();
    let model = model.valid().to_device(&device);
    let (mut loss_total, mut correct_total) = (0.0f64, None::<f64>);
    let mut done = 0;
    let mut ranges = batch_ranges(set.len(), batch_size).peekable();
    while ranges.peek().is_some() {
        let mut loss_sum: Option<Tensor<1>> = None;
        let mut correct_sum: Option<Tensor<1, Int>> = None;
        let start = done;
        while done - start < step_images.max(1) {
            let Some(range) = ranges.next() else { break };
            let indices: Vec<usize> = range.collect();
            done += indices.len();
            let (loss, correct) = model.batch_eval(set, &indices, &device);
            let weighted = loss.mul_scalar(indices.len() as f32);
            loss_sum = Some(match loss_sum {
                Some(sum) => sum + weighted,
                None => weighted,
            });
            if let Some(correct) = correct {
                correct_sum = Some(match correct_sum {
                    Some(sum) => sum + correct,
                    None => correct,
                });
            }
        }
        if let Some(sum) = loss_sum {
            loss_total += f64::from(read_scalar(sum).await?);
        }
        if let Some(correct) = correct_sum {
            *correct_total.get_or_insert(0.0) += f64::from(read_scalar(correct.float()).await?);
        }
        step(done, set.len()).await;
    }
    let n = set.len() as f64;
    Ok(Evaluation {
        loss: (loss_total / n) as f32,
        accuracy: correct_total.map(|c| (c / n) as f32),
    })
}

/// The reconstruction error per pixel (MSE) of `model` over every image of `set`, in eval mode:
/// the plain autoencoders' loss, and a VAE's at its mean code (its objective adds the KL term).
pub async fn reconstruction_mse(
    model: &crate::model::Autoencoder,
    set: &MnistSet,
    batch_size: usize,
    device: &Device,
) -> Result<f32, TrainingError> {
    if set.is_empty() {
        return Err(TrainingError::InvalidConfig(
            "the evaluation set is empty".into(),
        ));
    }
    let device = device.clone().inner();
    let model = model.valid().to_device(&device);
    let sums: Vec<Tensor<1>> = batch_ranges(set.len(), batch_size)
        .map(|range| {
            let indices: Vec<usize> = range.collect();
            let images = images_to_tensor(set, &indices, &device);
            let error = model.forward(images.clone()) - images;
            (error.clone() * error).sum().reshape([1])
        })
        .collect();
    let total = read_scalar(Tensor::cat(sums, 0).sum()).await?;
    Ok(total / (set.len() * crate::data::IMAGE_PIXELS) as f32)
}

/// The classifier's logits for every image of `set`, in eval mode: `len · 10` values,
/// row-major, one readback at the end.
pub async fn classifier_logits(
    model: &Classifier,
    set: &MnistSet,
    batch_size: usize,
    device: &Device,
) -> Result<Vec<f32>, TrainingError> {
    if set.is_empty() {
        return Ok(Vec::new());
    }
    let device = device.clone().inner();
    let model = model.valid().to_device(&device);
    let logits: Vec<Tensor<2>> = batch_ranges(set.len(), batch_size)
        .map(|range| {
            let indices: Vec<usize> = range.collect();
            model.forward(images_to_tensor(set, &indices, &device))
        })
        .collect();
    crate::analysis::read_floats(Tensor::cat(logits, 0)).await
}

/// Counts of (true digit, predicted digit) over every image of `set`, in eval mode: row-major
/// `10 × 10`, rows the true digits. One readback at the end.
pub async fn confusion_matrix(
    model: &Classifier,
    set: &MnistSet,
    batch_size: usize,
    device: &Device,
) -> Result<Vec<u32>, TrainingError> {
    let mut counts = vec![0u32; CLASSES * CLASSES];
    if set.is_empty() {
        return Ok(counts);
    }
    let device = device.clone().inner();
    let model = model.valid().to_device(&device);
    let predictions: Vec<Tensor<1>> = batch_ranges(set.len(), batch_size)
        .map(|range| {
            let indices: Vec<usize> = range.collect();
            let n = indices.len();
            model
                .forward(images_to_tensor(set, &indices, &device))
                .argmax(1)
                .reshape([n])
                .float()
        })
        .collect();
    let predicted = crate::analysis::read_floats(Tensor::cat(predictions, 0)).await?;
    for (i, p) in predicted.into_iter().enumerate() {
        let p = (p as usize).min(CLASSES - 1);
        counts[usize::from(set.label(i)) * CLASSES + p] += 1;
    }
    Ok(counts)
}
