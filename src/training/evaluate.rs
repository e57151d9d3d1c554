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
    if set.is_empty() {
        return Err(TrainingError::InvalidConfig(
            "the evaluation set is empty".into(),
        ));
    }
    let device = device.clone().inner();
    let model = model.valid().to_device(&device);
    let mut loss_sum: Option<Tensor<1>> = None;
    let mut correct_sum: Option<Tensor<1, Int>> = None;
    for range in batch_ranges(set.len(), batch_size) {
        let indices: Vec<usize> = range.collect();
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
    let n = set.len() as f32;
    let loss = read_scalar(loss_sum.expect("set is not empty")).await? / n;
    let accuracy = match correct_sum {
        Some(correct) => Some(read_scalar(correct.float()).await? / n),
        None => None,
    };
    Ok(Evaluation { loss, accuracy })
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
