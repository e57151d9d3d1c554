//! Turning images into tensors: `[B, 1, 28, 28]` floats in `[0, 1]`.

use burn::prelude::*;

use super::mnist::{IMAGE_PIXELS, IMAGE_SIDE, MnistSet};

/// The images at `indices`, scaled to `[0, 1]`, as a `[B, 1, 28, 28]` tensor.
pub fn images_to_tensor(set: &MnistSet, indices: &[usize], device: &Device) -> Tensor<4> {
    // Straight into one buffer: a vector per image cost an allocation and a copy each, about
    // 1 % of a training step on two threads (on the step's serial path).
    let mut values = Vec::with_capacity(indices.len() * IMAGE_PIXELS);
    for &i in indices {
        values.extend(set.image(i).iter().map(|&p| byte_to_value(p)));
    }
    values_to_tensor(values, device)
}

/// Grey bytes, 784 per image, as a `[B, 1, 28, 28]` tensor in `[0, 1]`.
pub fn bytes_to_tensor(bytes: &[u8], device: &Device) -> Tensor<4> {
    values_to_tensor(bytes_to_values(bytes), device)
}

/// Grey bytes as values in `[0, 1]` (the inverse of [`pixels_to_bytes`]).
pub fn bytes_to_values(bytes: &[u8]) -> Vec<f32> {
    bytes.iter().map(|&p| byte_to_value(p)).collect()
}

/// A grey byte as a value in `[0, 1]`.
fn byte_to_value(byte: u8) -> f32 {
    f32::from(byte) / 255.0
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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn images_come_in_the_order_asked_for_scaled_to_one() {
        // Three images whose bytes differ: image i, pixel p holds (7·i + p) mod 256.
        let pixels = (0..3 * IMAGE_PIXELS)
            .map(|n| ((n / IMAGE_PIXELS) * 7 + n % IMAGE_PIXELS) as u8)
            .collect();
        let set = MnistSet::new(pixels, vec![4, 5, 6]);
        let device = crate::BackendKind::Flex.init().unwrap().device;
        let batch = images_to_tensor(&set, &[2, 0], &device);
        assert_eq!(batch.dims(), [2, 1, IMAGE_SIDE, IMAGE_SIDE]);
        let values = batch.into_data().try_to_vec::<f32>().unwrap();
        // Image 2 first: its pixel 0 is 14, its pixel 300 is (14 + 300) mod 256 = 58.
        assert_eq!(values[0], 14.0 / 255.0);
        assert_eq!(values[300], 58.0 / 255.0);
        // Then image 0: pixel p is p mod 256 (pixel 255 is white).
        assert_eq!(values[IMAGE_PIXELS], 0.0);
        assert_eq!(values[IMAGE_PIXELS + 255], 1.0);
        assert_eq!(values[IMAGE_PIXELS + 256], 0.0);
        assert_eq!(values.len(), 2 * IMAGE_PIXELS);
    }
}
