//! What the drawing view asks of the models for one drawing (already MNIST-style, 28×28): its
//! code, its reconstruction, the classifier's probabilities, and the nearest test digits in
//! latent space. Plain async library calls, so the worker and the native tests run the same code.

use std::cell::OnceCell;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analysis::{encode_set, read_floats};
use crate::data::{IMAGE_PIXELS, MnistSet, pixels_to_bytes, values_to_tensor};
use crate::model::{Autoencoder, Classifier};

/// Test digits shown as the drawing's neighbours.
pub const NEIGHBOURS: usize = 5;
/// Images encoded per batch when indexing the test subset.
const INDEX_BATCH: usize = 500;

/// The codes of a set under one autoencoder, to find a drawing's neighbours and to know which
/// coordinates are dead (never vary over the set).
#[derive(Debug, Clone, PartialEq)]
pub struct LatentIndex {
    latent_dim: usize,
    codes: Vec<f32>,
    dead: Vec<bool>,
    /// The largest value any coordinate takes over the set.
    max_value: f32,
    /// The median distance from a code to its nearest other code, computed when first asked
    /// (`n²` distances: about a second for 2,000 codes of size 100 in a browser).
    typical_distance: OnceCell<Option<f32>>,
}

impl LatentIndex {
    /// Encodes every image of `set`.
    pub async fn build(
        model: &Autoencoder,
        set: &MnistSet,
        device: &Device,
    ) -> Result<Self, String> {
        let codes = encode_set(model, set, INDEX_BATCH, device)
            .await
            .map_err(|e| e.to_string())?;
        Self::from_codes(codes, model.latent_dim())
    }

    /// An index of `codes`: rows of `latent_dim` values.
    pub fn from_codes(codes: Vec<f32>, latent_dim: usize) -> Result<Self, String> {
        if latent_dim == 0 || codes.is_empty() || !codes.len().is_multiple_of(latent_dim) {
            return Err(format!(
                "{} code values do not make rows of {latent_dim}",
                codes.len()
            ));
        }
        let mut low = vec![f32::INFINITY; latent_dim];
        let mut high = vec![f32::NEG_INFINITY; latent_dim];
        for row in codes.chunks_exact(latent_dim) {
            for (i, &v) in row.iter().enumerate() {
                low[i] = low[i].min(v);
                high[i] = high[i].max(v);
            }
        }
        let dead = low.iter().zip(&high).map(|(l, h)| l == h).collect();
        let max_value = high.iter().copied().fold(0.0, f32::max);
        Ok(Self {
            latent_dim,
            codes,
            dead,
            max_value,
            typical_distance: OnceCell::new(),
        })
    }

    pub fn latent_dim(&self) -> usize {
        self.latent_dim
    }

    /// Every code, rows of [`Self::latent_dim`] values.
    pub fn codes(&self) -> &[f32] {
        &self.codes
    }

    /// The code of row `i`.
    pub fn row(&self, i: usize) -> Option<&[f32]> {
        self.codes
            .get(i * self.latent_dim..(i + 1) * self.latent_dim)
    }

    /// How near real codes typically lie to each other: the median over the rows of the
    /// distance to the nearest other row (`None` for fewer than two rows). Computed once.
    pub fn typical_neighbour_distance(&self) -> Option<f32> {
        *self.typical_distance.get_or_init(|| {
            crate::analysis::typical_neighbour_distance(&self.codes, self.latent_dim)
        })
    }

    pub fn len(&self) -> usize {
        self.codes.len() / self.latent_dim
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    pub fn dead(&self) -> &[bool] {
        &self.dead
    }

    /// The largest value any coordinate takes over the set.
    pub fn max_value(&self) -> f32 {
        self.max_value
    }

    /// The `k` rows nearest to `code` (Euclidean), nearest first (ties by row), with their
    /// distances.
    pub fn nearest(&self, code: &[f32], k: usize) -> Vec<(usize, f32)> {
        let mut all: Vec<(usize, f32)> = self
            .codes
            .chunks_exact(self.latent_dim)
            .enumerate()
            .map(|(i, row)| {
                let d2: f32 = row.iter().zip(code).map(|(a, b)| (a - b) * (a - b)).sum();
                (i, d2)
            })
            .collect();
        let order = |a: &(usize, f32), b: &(usize, f32)| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0));
        // The k nearest first, in any order, then only those sorted: a drawing's reading asks
        // for 5 of 2,000 at every pointer move, and a full sort was a tenth of its time.
        if k < all.len() {
            all.select_nth_unstable_by(k, order);
            all.truncate(k);
        }
        all.sort_unstable_by(order);
        all.into_iter().map(|(i, d2)| (i, d2.sqrt())).collect()
    }
}

/// A test digit near the drawing in latent space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Neighbour {
    /// Its index in the bundled test subset.
    pub index: usize,
    pub label: u8,
    pub distance: f32,
    /// 784 grey bytes.
    #[serde(with = "crate::engine::base64::bytes")]
    pub pixels: Vec<u8>,
}

/// What the models make of one drawing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawingReading {
    /// The drawing's version, as the page numbered it.
    pub seq: u64,
    pub autoencoder: String,
    pub code: Vec<f32>,
    /// Coordinates that never vary over the test subset.
    pub dead: Vec<bool>,
    /// The largest code value over the test subset (the bars' scale).
    pub code_scale: f32,
    /// 784 grey bytes.
    #[serde(with = "crate::engine::base64::bytes")]
    pub reconstruction: Vec<u8>,
    pub classifier: Option<String>,
    /// Softmax of the classifier's logits (empty without a classifier).
    pub probabilities: Vec<f32>,
    pub neighbours: Vec<Neighbour>,
    /// Who put the reconstruction on the screen: the page, or the engine in the canvas the
    /// page handed it.
    #[serde(default, skip_serializing_if = "Painting::is_by_page")]
    pub painting: Painting,
}

/// Who paints a drawing's reconstruction (issue 19: the engine paints it where the page handed
/// it a canvas, so that it shows without waiting for the page's main thread).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum Painting {
    /// The page paints it: the engine has no canvas of the page's.
    #[default]
    ByPage,
    /// The engine painted it into the page's canvas, at `at` ms since the Unix epoch
    /// (`performance.timeOrigin + now()`, which the page reads against its own time origin).
    ByEngine { at: f64 },
    /// The engine could not paint into the page's canvas, and let it go: the page paints the
    /// reconstruction from now on, on a canvas of its own (a handed canvas cannot come back).
    Failed { why: String },
}

impl Painting {
    pub fn is_by_page(&self) -> bool {
        *self == Painting::ByPage
    }

    /// When the engine painted it, where it did.
    pub fn engine_painted_at(&self) -> Option<f64> {
        match self {
            Painting::ByEngine { at } => Some(*at),
            _ => None,
        }
    }
}

/// The models a drawing is read with, and where its neighbours come from.
pub struct DrawingModels<'a> {
    pub autoencoder_name: &'a str,
    pub autoencoder: &'a Autoencoder,
    /// The autoencoder's codes of `set`.
    pub index: &'a LatentIndex,
    pub classifier: Option<(&'a str, &'a Classifier)>,
    pub set: &'a MnistSet,
}

/// Reads a 28×28 drawing (`pixels` in `[0, 1]`), numbered `seq` by the page.
pub async fn read_drawing(
    models: DrawingModels<'_>,
    seq: u64,
    pixels: &[f32],
    device: &Device,
) -> Result<DrawingReading, String> {
    let image = drawing_tensor(pixels, device)?;
    let device = device.clone().inner();
    let model = models.autoencoder.valid().to_device(&device);
    let code = model.encode(image.clone());
    let reconstruction = model.decode(code.clone());
    let code = read_floats(code).await.map_err(|e| e.to_string())?;
    let reconstruction = read_floats(reconstruction)
        .await
        .map_err(|e| e.to_string())?;
    let probabilities = match models.classifier {
        Some((_, c)) => {
            let logits = c.valid().to_device(&device).forward(image);
            softmax(&read_floats(logits).await.map_err(|e| e.to_string())?)
        }
        None => Vec::new(),
    };
    if code
        .iter()
        .chain(&reconstruction)
        .chain(&probabilities)
        .any(|v| !v.is_finite())
    {
        return Err("the model produced a value that is not a number".into());
    }
    let set = models.set;
    let neighbours = models
        .index
        .nearest(&code, NEIGHBOURS)
        .into_iter()
        .filter(|&(i, _)| i < set.len())
        .map(|(i, distance)| Neighbour {
            index: i,
            label: set.label(i),
            distance,
            pixels: set.image(i).to_vec(),
        })
        .collect();
    Ok(DrawingReading {
        seq,
        autoencoder: models.autoencoder_name.to_string(),
        code,
        dead: models.index.dead().to_vec(),
        code_scale: models.index.max_value(),
        reconstruction: pixels_to_bytes(&reconstruction),
        classifier: models.classifier.map(|(name, _)| name.to_string()),
        probabilities,
        neighbours,
        painting: Painting::ByPage,
    })
}

/// 784 values in `[0, 1]` as a `[1, 1, 28, 28]` tensor, or why not.
pub fn drawing_tensor(pixels: &[f32], device: &Device) -> Result<Tensor<4>, String> {
    if pixels.len() != IMAGE_PIXELS {
        return Err(format!(
            "a drawing has {IMAGE_PIXELS} pixels, not {}",
            pixels.len()
        ));
    }
    if pixels.iter().any(|v| !v.is_finite()) {
        return Err("the drawing has a pixel that is not a number".into());
    }
    let values = pixels.iter().map(|v| v.clamp(0.0, 1.0)).collect();
    Ok(values_to_tensor(values, &device.clone().inner()))
}

/// Probabilities from logits, computed stably (the largest logit is subtracted first). For
/// display only: the classifier trains on logits.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|&l| (l - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.iter().map(|e| e / sum).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_matches_hand_computed_values_and_survives_large_logits() {
        let p = softmax(&[0.0, (2.0f32).ln()]);
        assert!((p[0] - 1.0 / 3.0).abs() < 1e-6 && (p[1] - 2.0 / 3.0).abs() < 1e-6);
        let p = softmax(&[1000.0, 1000.0, 0.0]);
        assert!((p[0] - 0.5).abs() < 1e-6 && p[2] < 1e-30);
        assert!((softmax(&[3.0, -1.0, 0.5]).iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn the_index_finds_nearest_rows_and_dead_coordinates() {
        // Three codes of size 2; coordinate 1 never varies (dead).
        let index = LatentIndex::from_codes(vec![0.0, 1.0, 3.0, 1.0, 10.0, 1.0], 2).unwrap();
        assert_eq!(index.len(), 3);
        assert_eq!(index.dead(), &[false, true]);
        assert_eq!(index.max_value, 10.0);
        let near = index.nearest(&[2.5, 1.0], 2);
        assert_eq!(near.iter().map(|n| n.0).collect::<Vec<_>>(), vec![1, 0]);
        assert!((near[0].1 - 0.5).abs() < 1e-6 && (near[1].1 - 2.5).abs() < 1e-6);
        assert_eq!(index.nearest(&[0.0, 0.0], 10).len(), 3);
        assert!(LatentIndex::from_codes(vec![1.0, 2.0, 3.0], 2).is_err());
        // Against a full sort, on 300 rows of size 3 with ties (values from a small set).
        let codes: Vec<f32> = (0..900u32).map(|i| ((i * 7919) % 13) as f32).collect();
        let index = LatentIndex::from_codes(codes.clone(), 3).unwrap();
        let query = [4.0, 6.0, 1.0];
        let mut sorted: Vec<(usize, f32)> = codes
            .chunks_exact(3)
            .enumerate()
            .map(|(i, r)| {
                (
                    i,
                    r.iter()
                        .zip(&query)
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum::<f32>()
                        .sqrt(),
                )
            })
            .collect();
        sorted.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        for k in [0, 1, 5, 17, 299, 300, 400] {
            assert_eq!(
                index.nearest(&query, k),
                sorted[..k.min(300)].to_vec(),
                "k = {k}"
            );
        }
        assert!(LatentIndex::from_codes(Vec::new(), 2).is_err());
    }

    #[test]
    fn a_drawing_of_the_wrong_size_or_with_nan_is_refused() {
        let device = crate::BackendKind::Flex.cpu_backend().device;
        assert!(drawing_tensor(&[0.0; 10], &device).is_err());
        let mut bad = vec![0.0; 784];
        bad[5] = f32::NAN;
        assert!(drawing_tensor(&bad, &device).is_err());
        assert_eq!(
            drawing_tensor(&[0.5; 784], &device).unwrap().dims(),
            [1, 1, 28, 28]
        );
    }
}
