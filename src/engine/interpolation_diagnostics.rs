//! An interpolation strip with what each frame is (issue 20, part 3): the classifier's top
//! guess and its probability, and how far the frame's code lies from the nearest real test
//! digit's code, relative to how near real digits lie to each other. Frames past the two ends
//! (α < 0 or α > 1) are extrapolations; near the ends of a path between two real digits the
//! distance is 0, and a path that leaves the data shows it as a rise.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::drawing_reading::{LatentIndex, softmax};
use super::latent_analysis::{ImageRef, image_bytes};
use crate::analysis::{interpolate_codes, nearest_data_distances, read_floats};
use crate::data::{IMAGE_PIXELS, MnistSet, bytes_to_tensor, pixels_to_bytes};
use crate::model::{Autoencoder, Classifier};

/// Classes a classifier tells apart.
const CLASSES: usize = 10;

/// What each frame of a decoded interpolation is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameDiagnostics {
    pub alphas: Vec<f32>,
    /// Euclidean distance from each frame's code to the nearest code of a test digit.
    pub distances: Vec<f32>,
    /// The median distance from a test digit's code to its nearest other one: the unit the
    /// page shows distances in (`None` where the codes cannot say: all equal, or fewer than
    /// two).
    pub typical_distance: Option<f32>,
    /// The classifier that read the frames, if the page named one.
    pub classifier: Option<String>,
    /// Its top guess for each frame (empty without a classifier).
    pub guesses: Vec<u8>,
    /// The probability it gives that guess.
    pub confidences: Vec<f32>,
}

impl FrameDiagnostics {
    /// Each distance in units of the typical one (1: as near the data as a real digit is to
    /// its nearest neighbour); `None` where there is no unit.
    pub fn relative_distances(&self) -> Option<Vec<f32>> {
        let typical = self.typical_distance.filter(|&t| t > 0.0)?;
        Some(self.distances.iter().map(|d| d / typical).collect())
    }
}

/// The frames decoded between `from` and `to`, one per α, as grey bytes (784 per frame), the
/// two images (784 bytes each), and what each frame is. `index` holds the model's codes of
/// `set`; a test image's code is taken from it, so a frame at α = 0 or 1 lies exactly on a
/// real digit (distance 0).
#[allow(clippy::too_many_arguments)]
pub async fn decode_with_diagnostics(
    model: &Autoencoder,
    index: &LatentIndex,
    set: &MnistSet,
    from: &ImageRef,
    to: &ImageRef,
    alphas: &[f32],
    classifier: Option<(&str, &Classifier)>,
    device: &Device,
) -> Result<(Vec<u8>, Vec<u8>, FrameDiagnostics), String> {
    if let Some(bad) = alphas.iter().find(|a| !a.is_finite()) {
        return Err(format!("α must be a number, not {bad}"));
    }
    if index.len() != set.len() || index.latent_dim() != model.latent_dim() {
        return Err("the model's codes of the test digits are out of date".into());
    }
    let inputs: Vec<u8> = image_bytes(set, from)?
        .iter()
        .chain(image_bytes(set, to)?)
        .copied()
        .collect();
    let device = device.clone().inner();
    let model = model.valid().to_device(&device);
    let a = code_of(&model, index, set, from, &device).await?;
    let b = code_of(&model, index, set, to, &device).await?;
    let codes = interpolate_codes(&a, &b, alphas);
    let d = a.len();
    let frames = alphas.len();
    if frames == 0 {
        return Err("an interpolation has at least one frame".into());
    }
    let decoded =
        model.decode(Tensor::<1>::from_floats(codes.as_slice(), &device).reshape([frames, d]));
    let (guesses, confidences) = match classifier {
        Some((_, c)) => {
            let logits = c.valid().to_device(&device).forward(decoded.clone());
            let logits = read_floats(logits).await.map_err(|e| e.to_string())?;
            top_guesses(&logits)?
        }
        None => (Vec::new(), Vec::new()),
    };
    let pixels = read_floats(decoded).await.map_err(|e| e.to_string())?;
    if pixels.len() != frames * IMAGE_PIXELS || pixels.iter().any(|v| !v.is_finite()) {
        return Err("the model produced a value that is not a number".into());
    }
    let diagnostics = FrameDiagnostics {
        alphas: alphas.to_vec(),
        distances: nearest_data_distances(&codes, index.codes(), d),
        typical_distance: index.typical_neighbour_distance(),
        classifier: classifier.map(|(name, _)| name.to_string()),
        guesses,
        confidences,
    };
    Ok((pixels_to_bytes(&pixels), inputs, diagnostics))
}

/// A test image's code from the index; a drawing's, encoded.
async fn code_of(
    model: &Autoencoder,
    index: &LatentIndex,
    set: &MnistSet,
    image: &ImageRef,
    device: &Device,
) -> Result<Vec<f32>, String> {
    if let ImageRef::Test(i) = image
        && let Some(row) = index.row(*i)
    {
        return Ok(row.to_vec());
    }
    let bytes = image_bytes(set, image)?;
    let code = model.encode(bytes_to_tensor(bytes, device));
    let code = read_floats(code).await.map_err(|e| e.to_string())?;
    if code.iter().any(|v| !v.is_finite()) {
        return Err("the model produced a code that is not a number".into());
    }
    Ok(code)
}

/// Each row of 10 logits: its top class and that class's probability.
fn top_guesses(logits: &[f32]) -> Result<(Vec<u8>, Vec<f32>), String> {
    if !logits.len().is_multiple_of(CLASSES) || logits.iter().any(|v| !v.is_finite()) {
        return Err("the classifier produced a value that is not a number".into());
    }
    Ok(logits
        .chunks_exact(CLASSES)
        .map(|row| {
            let p = softmax(row);
            let (guess, &confidence) = p
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
                .expect("ten classes");
            (guess as u8, confidence)
        })
        .unzip())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_guess_is_the_largest_logit_with_its_softmax_probability() {
        let mut logits = vec![0.0; 20];
        logits[3] = (9.0f32).ln(); // p = 9 / (9 + 9) = 0.5
        logits[17] = 5.0;
        let (guesses, confidences) = top_guesses(&logits).unwrap();
        assert_eq!(guesses, vec![3, 7]);
        assert!((confidences[0] - 0.5).abs() < 1e-6);
        let e5 = 5.0f32.exp();
        assert!((confidences[1] - e5 / (e5 + 9.0)).abs() < 1e-6);
        assert!(top_guesses(&[0.0; 9]).is_err());
        assert!(top_guesses(&[f32::NAN; 10]).is_err());
    }

    #[test]
    fn relative_distances_are_in_units_of_the_typical_one() {
        let diagnostics = FrameDiagnostics {
            alphas: vec![0.0, 0.5],
            distances: vec![0.0, 3.0],
            typical_distance: Some(2.0),
            classifier: None,
            guesses: Vec::new(),
            confidences: Vec::new(),
        };
        assert_eq!(diagnostics.relative_distances(), Some(vec![0.0, 1.5]));
        let no_unit = FrameDiagnostics {
            typical_distance: Some(0.0),
            ..diagnostics
        };
        assert_eq!(no_unit.relative_distances(), None);
    }
}
