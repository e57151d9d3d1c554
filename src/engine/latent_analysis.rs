//! What the page's experiment views ask of a model: its latent codes' statistics on the
//! bundled test subset, and decoded interpolations. Plain async library calls, so the worker
//! and the native tests run the same code.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analysis::{
    DecorrelationStats, Histogram, Projection, coordinate_histograms, decorrelation_of_matrix,
    encode_set, interpolation_between, pca, pearson_matrix,
};
use crate::data::{IMAGE_PIXELS, MnistSet, bytes_to_tensor, pixels_to_bytes};
use crate::model::Autoencoder;

/// An image a request names: a test image of the bundled subset, or one the person drew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageRef {
    Test(usize),
    /// 784 grey bytes.
    Drawn(Vec<u8>),
}

/// Images encoded per batch when analysing a whole set.
const ANALYSIS_BATCH: usize = 500;
/// Bins of each coordinate's histogram.
pub const HISTOGRAM_BINS: usize = 24;
/// Test images of each digit in the page's gallery.
pub const GALLERY_PER_DIGIT: usize = 3;

/// The latent codes of one model over a set, summarised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatentAnalysis {
    pub model: String,
    pub latent_dim: usize,
    /// How many images were encoded.
    pub images: usize,
    pub stats: DecorrelationStats,
    /// `d × d` Pearson correlations, row-major; `None` where a coordinate is dead.
    pub matrix: Vec<Option<f32>>,
    pub histograms: Vec<Histogram>,
    /// The codes on their first two principal components (a map of the latent space).
    pub map: Projection,
    /// The label of each encoded image, in order.
    pub labels: Vec<u8>,
}

/// Encodes every image of `set` and summarises the codes.
pub async fn analyse_latents(
    name: &str,
    model: &Autoencoder,
    set: &MnistSet,
    device: &Device,
) -> Result<LatentAnalysis, String> {
    let codes = encode_set(model, set, ANALYSIS_BATCH, device)
        .await
        .map_err(|e| format!("{name}: {e}"))?;
    let n = set.len();
    let d = codes.len().checked_div(n).unwrap_or(0);
    if n == 0 || d == 0 {
        return Err(format!("{name}: there are no images to encode"));
    }
    let matrix = pearson_matrix(&codes, n, d);
    Ok(LatentAnalysis {
        model: name.to_string(),
        latent_dim: d,
        images: n,
        stats: decorrelation_of_matrix(&matrix, d),
        matrix: matrix.into_iter().map(|r| r.map(|v| v as f32)).collect(),
        histograms: coordinate_histograms(&codes, n, d, HISTOGRAM_BINS),
        map: pca(&codes, n, d, 2),
        labels: (0..n).map(|i| set.label(i)).collect(),
    })
}

/// The frames decoded between the codes of images `from` and `to`, one per α, as grey bytes
/// (784 per frame), and the two images themselves (784 bytes each).
pub async fn decode_between(
    model: &Autoencoder,
    set: &MnistSet,
    from: &ImageRef,
    to: &ImageRef,
    alphas: &[f32],
    device: &Device,
) -> Result<(Vec<u8>, Vec<u8>), String> {
    let a = image_bytes(set, from)?;
    let b = image_bytes(set, to)?;
    if let Some(bad) = alphas.iter().find(|a| !a.is_finite()) {
        return Err(format!("α must be a number, not {bad}"));
    }
    let inputs: Vec<u8> = a.iter().chain(b).copied().collect();
    let images = bytes_to_tensor(&inputs, &device.clone().inner());
    let pixels = interpolation_between(model, images, alphas, device)
        .await
        .map_err(|e| e.to_string())?;
    Ok((pixels_to_bytes(&pixels), inputs))
}

/// The 784 bytes an [`ImageRef`] names, or why it names none.
fn image_bytes<'a>(set: &'a MnistSet, image: &'a ImageRef) -> Result<&'a [u8], String> {
    match image {
        ImageRef::Test(i) => (*i < set.len())
            .then(|| set.image(*i))
            .ok_or_else(|| format!("image {i} is not among the {} test images", set.len())),
        ImageRef::Drawn(pixels) if pixels.len() == IMAGE_PIXELS => Ok(pixels),
        ImageRef::Drawn(pixels) => Err(format!(
            "a drawing has {IMAGE_PIXELS} pixels, not {}",
            pixels.len()
        )),
    }
}

/// The first [`GALLERY_PER_DIGIT`] test images of each digit, digit by digit: the images the
/// interpolation view offers to pick from.
pub fn gallery_indices(set: &MnistSet) -> Vec<usize> {
    (0..10u8)
        .flat_map(|digit| {
            (0..set.len())
                .filter(move |&i| set.label(i) == digit)
                .take(GALLERY_PER_DIGIT)
        })
        .collect()
}
