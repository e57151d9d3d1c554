//! Encoding whole sets, in eval mode, with async readback.

use burn::prelude::*;

use crate::data::{MnistSet, images_to_tensor};
use crate::model::Autoencoder;
use crate::training::{TrainingError, batch_ranges};

pub(crate) async fn read_floats<const D: usize>(
    tensor: Tensor<D>,
) -> Result<Vec<f32>, TrainingError> {
    tensor
        .into_data_async()
        .await
        .map_err(|e| TrainingError::Readback(format!("{e:?}")))?
        .try_into_vec::<f32>()
        .map_err(|e| TrainingError::Readback(format!("{e:?}")))
}

/// The latent codes of every image of `set`: `len · d` values, row-major.
pub async fn encode_set(
    model: &Autoencoder,
    set: &MnistSet,
    batch_size: usize,
    device: &Device,
) -> Result<Vec<f32>, TrainingError> {
    let device = device.clone().inner();
    let model = model.valid().to_device(&device);
    let batches: Vec<Tensor<2>> = batch_ranges(set.len(), batch_size)
        .map(|range| {
            let indices: Vec<usize> = range.collect();
            model.encode(images_to_tensor(set, &indices, &device))
        })
        .collect();
    if batches.is_empty() {
        return Ok(Vec::new());
    }
    read_floats(Tensor::cat(batches, 0)).await
}

/// Reconstructions of the images at `indices`: `784` values in `[0, 1]` per image.
pub async fn reconstruct(
    model: &Autoencoder,
    set: &MnistSet,
    indices: &[usize],
    device: &Device,
) -> Result<Vec<f32>, TrainingError> {
    let device = device.clone().inner();
    let model = model.valid().to_device(&device);
    read_floats(model.forward(images_to_tensor(set, indices, &device))).await
}
