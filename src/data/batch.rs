//! Turning images into tensors: `[B, 1, 28, 28]` floats in `[0, 1]`.

use burn::prelude::*;

use super::mnist::{IMAGE_PIXELS, IMAGE_SIDE, MnistSet};

/// The images at `indices`, scaled to `[0, 1]`, as a `[B, 1, 28, 28]` tensor.
pub fn images_to_tensor(set: &MnistSet, indices: &[usize], device: &Device) -> Tensor<4> {
    let mut values = Vec::with_capacity(indices.len() * IMAGE_PIXELS);
    for &i in indices {
        values.extend(bytes_to_values(set.image(i)));
    }
    values_to_tensor(values, device)
}

/// Grey bytes, 784 per image, as a `[B, 1, 28, 28]` tensor in `[0, 1]`.
pub fn bytes_to_tensor(bytes: &[u8], device: &Device) -> Tensor<4> {
    values_to_tensor(bytes_to_values(bytes), device)
}

/// Grey bytes as values in `[0, 1]` (the inverse of [`pixels_to_bytes`]).
pub fn bytes_to_values(bytes: &[u8]) -> Vec<f32> {
    bytes.iter().map(|&p| f32::from(p) / 255.0).collect()
}

/// Values, 784 per image, as a `[B, 1, 28, 28]` tensor.
pub fn values_to_tensor(values: Vec<f32>, device: &Device) -> Tensor<4> {
    let images = values.len() / IMAGE_PIXELS;
    Tensor::from_data(
        TensorData::new(values, [images, 1, IMAGE_SIDE, IMAGE_SIDE]),
        device,
    )
}

/// Model output in `[0, 1]` back to image bytes (values outside are clamped).
pub fn pixels_to_bytes(pixels: &[f32]) -> Vec<u8> {
    pixels
        .iter()
        .map(|p| (p.clamp(0.0, 1.0) * 255.0).round() as u8)
        .collect()
}

/// The labels at `indices` as a `[B]` integer tensor.
pub fn labels_to_tensor(set: &MnistSet, indices: &[usize], device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = indices.iter().map(|&i| i64::from(set.label(i))).collect();
    Tensor::from_data(TensorData::new(values, [indices.len()]), device)
}
