//! What the page's experiment views ask of a model: its latent codes' statistics on the
//! bundled test subset, and decoded interpolations. Plain async library calls, so the worker
//! and the native tests run the same code.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analysis::{
    DecorrelationStats, Histogram, Projection, Scatter, coordinate_histograms,
    decorrelation_of_matrix, encode_set, interpolation_between, pca_of_scatter, pearson_of_scatter,
};
use crate::data::{IMAGE_PIXELS, MnistSet, bytes_to_tensor, pixels_to_bytes};
use crate::model::Autoencoder;

/// An image a request names: a test image of the bundled subset, or one the person drew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageRef {
    Test(usize),
    /// 784 grey bytes.
    Drawn(#[serde(with = "crate::engine::base64::bytes")] Vec<u8>),
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
    /// `d × d` Pearson correlations, row-major, undefined where a coordinate is dead; to 16
    /// bits (the statistics are computed before, exactly).
    pub matrix: CorrelationMatrix,
    pub histograms: Vec<Histogram>,
    /// The codes on their first two principal components (a map of the latent space).
    pub map: Projection,
    /// The label of each encoded image, in order.
    pub labels: Vec<u8>,
}

/// How far an analysis is: `done` of `total` steps (the encoding, each block of rows of the
/// scatter matrix, the map).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisProgress {
    pub done: usize,
    pub total: usize,
}

/// Encodes every image of `set` and summarises the codes.
pub async fn analyse_latents(
    name: &str,
    model: &Autoencoder,
    set: &MnistSet,
    device: &Device,
) -> Result<LatentAnalysis, String> {
    analyse_latents_in_steps(name, model, set, device, async |_| {}).await
}

/// [`analyse_latents`], calling `step` after each step: its cost grows as `n·d²` (seconds for
/// a thousand coordinates), so the browser's engine reports progress and lets its messages in
/// between two steps instead of freezing.
pub async fn analyse_latents_in_steps(
    name: &str,
    model: &Autoencoder,
    set: &MnistSet,
    device: &Device,
    mut step: impl AsyncFnMut(AnalysisProgress),
) -> Result<LatentAnalysis, String> {
    let codes = encode_set(model, set, ANALYSIS_BATCH, device)
        .await
        .map_err(|e| format!("{name}: {e}"))?;
    let n = set.len();
    let d = codes.len().checked_div(n).unwrap_or(0);
    if n == 0 || d == 0 {
        return Err(format!("{name}: there are no images to encode"));
    }
    let block = Scatter::rows_per_block(d);
    let total = 2 + n.div_ceil(block);
    let mut done = 1;
    step(AnalysisProgress { done, total }).await;
    let mut scatter = Scatter::new(&codes, n, d);
    for start in (0..n).step_by(block) {
        scatter.add_rows(&codes, start..(start + block).min(n));
        done += 1;
        step(AnalysisProgress { done, total }).await;
    }
    let (mean, scatter) = scatter.finish();
    let matrix = pearson_of_scatter(&scatter, d);
    Ok(LatentAnalysis {
        model: name.to_string(),
        latent_dim: d,
        images: n,
        stats: decorrelation_of_matrix(&matrix, d),
        matrix: CorrelationMatrix::from_values(&matrix),
        histograms: coordinate_histograms(&codes, n, d, HISTOGRAM_BINS),
        map: pca_of_scatter(&codes, n, d, 2, &mean, scatter),
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
pub(crate) fn image_bytes<'a>(set: &'a MnistSet, image: &'a ImageRef) -> Result<&'a [u8], String> {
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

/// Correlations in [-1, 1] as 16-bit integers (r × 32767, within 1.6e-5 of the exact value;
/// `i16::MIN` where undefined), row-major. A million of them is 2 MB, and travels to the page
/// as base64 of their little-endian bytes, which the page decodes in milliseconds (a JSON array
/// of a million numbers froze it for a quarter of a second).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CorrelationMatrix(Vec<i16>);

const CORRELATION_SCALE: f32 = 32767.0;

impl CorrelationMatrix {
    pub fn from_values(values: &[Option<f64>]) -> Self {
        Self(
            values
                .iter()
                .map(|r| match r {
                    Some(r) if r.is_finite() => {
                        (r.clamp(-1.0, 1.0) as f32 * CORRELATION_SCALE).round() as i16
                    }
                    _ => i16::MIN,
                })
                .collect(),
        )
    }

    /// Entry `index` (row-major): `None` where undefined or past the end.
    pub fn get(&self, index: usize) -> Option<f32> {
        match *self.0.get(index)? {
            i16::MIN => None,
            q => Some(f32::from(q) / CORRELATION_SCALE),
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for CorrelationMatrix {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = self.0.iter().flat_map(|q| q.to_le_bytes()).collect();
        s.serialize_str(&crate::engine::base64::encode(&bytes))
    }
}

impl<'de> Deserialize<'de> for CorrelationMatrix {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        let bytes = crate::engine::base64::decode(&text).map_err(serde::de::Error::custom)?;
        if bytes.len() % 2 != 0 {
            return Err(serde::de::Error::custom(
                "a correlation matrix of an odd number of bytes",
            ));
        }
        Ok(Self(
            bytes
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect(),
        ))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn correlations_travel_within_their_16_bit_step() {
        let values = [-1.0, -0.5, -1e-6, 0.0, 0.123_456, 0.999_99, 1.0, 2.0];
        let mut all: Vec<Option<f64>> = values.iter().map(|&r| Some(r)).collect();
        all.extend([None, Some(f64::NAN)]);
        let matrix = CorrelationMatrix::from_values(&all);
        let json = serde_json::to_string(&matrix).unwrap();
        assert!(json.starts_with('"'), "a base64 string: {json}");
        let back: CorrelationMatrix = serde_json::from_str(&json).unwrap();
        assert_eq!(back, matrix);
        for (i, &r) in values.iter().enumerate() {
            let got = back.get(i).unwrap();
            assert!(
                (f64::from(got) - r.clamp(-1.0, 1.0)).abs() < 1.6e-5,
                "{r} -> {got}"
            );
        }
        assert_eq!(back.get(0), Some(-1.0));
        assert_eq!(back.get(6), Some(1.0));
        assert_eq!((back.get(8), back.get(9), back.get(10)), (None, None, None));
        assert_eq!(back.len(), 10);
        // An odd number of bytes, or text that is not base64, is refused.
        assert!(serde_json::from_str::<CorrelationMatrix>("\"AA==\"").is_err());
        assert!(serde_json::from_str::<CorrelationMatrix>("\"A*AA\"").is_err());
    }
}
