//! Linear interpolation between the codes of two images, decoded.

use burn::prelude::*;

use super::codes::read_floats;
use crate::data::{MnistSet, images_to_tensor};
use crate::model::Autoencoder;
use crate::training::TrainingError;

/// `frames` evenly spaced values from 0 to 1 inclusive (`[0.0]` for one frame).
pub fn interpolation_alphas(frames: usize) -> Vec<f32> {
    match frames {
        0 => Vec::new(),
        1 => vec![0.0],
        _ => (0..frames)
            .map(|i| i as f32 / (frames - 1) as f32)
            .collect(),
    }
}

/// `(1 − α)·a + α·b` for each α: `alphas.len()` rows of `a.len()` values.
pub fn interpolate_codes(a: &[f32], b: &[f32], alphas: &[f32]) -> Vec<f32> {
    assert_eq!(a.len(), b.len(), "codes must have the same size");
    alphas
        .iter()
        .flat_map(|&t| a.iter().zip(b).map(move |(&x, &y)| (1.0 - t) * x + t * y))
        .collect()
}

/// Decoded frames from image `from` to image `to` of `set`, one per α of `alphas`
/// (`alphas.len() · 784` values in `[0, 1]`). At α = 0 and α = 1 the frames are the model's
/// reconstructions of the two images, not the images themselves.
pub async fn interpolation_strip(
    model: &Autoencoder,
    set: &MnistSet,
    from: usize,
    to: usize,
    alphas: &[f32],
    device: &Device,
) -> Result<Vec<f32>, TrainingError> {
    let device = device.clone().inner();
    let images = images_to_tensor(set, &[from, to], &device);
    interpolation_between(model, images, alphas, &device).await
}

/// Decoded frames between the two images of `images` (`[2, 1, 28, 28]` in `[0, 1]`), one per
/// α: what [`interpolation_strip`] does for any two images, a drawing among them.
pub async fn interpolation_between(
    model: &Autoencoder,
    images: Tensor<4>,
    alphas: &[f32],
    device: &Device,
) -> Result<Vec<f32>, TrainingError> {
    if alphas.is_empty() {
        return Ok(Vec::new());
    }
    let frames = alphas.len();
    let device = device.clone().inner();
    let model = model.valid().to_device(&device);
    let codes = model.encode(images.to_device(&device));
    let d = codes.dims()[1];
    let alphas = Tensor::<1>::from_floats(alphas, &device).reshape([frames, 1]);
    let a = codes.clone().slice([0..1, 0..d]);
    let b = codes.slice([1..2, 0..d]);
    // Broadcast [frames, 1] against [1, d].
    let mixed = a.clone() + (b - a) * alphas;
    read_floats(model.decode(mixed)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphas_are_evenly_spaced_and_inclusive() {
        let a = interpolation_alphas(5);
        assert_eq!(a, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(interpolation_alphas(10).len(), 10);
        assert_eq!(interpolation_alphas(1), vec![0.0]);
        assert!(interpolation_alphas(0).is_empty());
    }

    #[test]
    fn interpolated_codes_start_and_end_at_the_inputs() {
        let a = [0.0, 2.0, 4.0];
        let b = [4.0, 2.0, 0.0];
        let out = interpolate_codes(&a, &b, &[0.0, 0.5, 1.0]);
        assert_eq!(&out[0..3], &a);
        assert_eq!(&out[3..6], &[2.0, 2.0, 2.0]);
        assert_eq!(&out[6..9], &b);
    }
}
