//! Drill-downs into a model's codes of the test subset (issue 20, part 2): two coordinates of
//! every code, for the decorrelation heatmap's scatter of a cell (i, j); and the digits a
//! person brushed on the latent map, with the decoded mean of their codes.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::drawing_reading::LatentIndex;
use crate::analysis::read_floats;
use crate::data::{MnistSet, pixels_to_bytes};
use crate::model::Autoencoder;

/// Brushed digits sent to the page at most (the count says how many were brushed).
pub const BRUSHED_DIGITS_SHOWN: usize = 100;

/// Coordinates `i` and `j` of every test digit's code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoordinateScatter {
    pub model: String,
    pub i: usize,
    pub j: usize,
    pub x: Vec<f32>,
    pub y: Vec<f32>,
}

/// Coordinates `i` (x) and `j` (y) of each code of `index`, or why not.
pub fn coordinate_scatter(
    name: &str,
    index: &LatentIndex,
    i: usize,
    j: usize,
) -> Result<CoordinateScatter, String> {
    let d = index.latent_dim();
    if i >= d || j >= d {
        return Err(format!(
            "{name} has coordinates 0 to {}, not ({i}, {j})",
            d - 1
        ));
    }
    let (x, y) = index
        .codes()
        .chunks_exact(d)
        .map(|row| (row[i], row[j]))
        .unzip();
    Ok(CoordinateScatter {
        model: name.to_string(),
        i,
        j,
        x,
        y,
    })
}

/// The digits brushed on the latent map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrushedDigits {
    pub model: String,
    /// How many digits were brushed.
    pub count: usize,
    /// The first [`BRUSHED_DIGITS_SHOWN`] of them (test indices, as brushed).
    pub indices: Vec<usize>,
    /// 784 grey bytes each.
    #[serde(with = "crate::engine::base64::bytes")]
    pub pixels: Vec<u8>,
    /// The decoded mean of all the brushed digits' codes (784 grey bytes): what the region
    /// of the latent space stands for.
    #[serde(with = "crate::engine::base64::bytes")]
    pub mean: Vec<u8>,
}

/// The mean of the rows `indices` of `index`.
pub fn mean_code(index: &LatentIndex, indices: &[usize]) -> Result<Vec<f32>, String> {
    let d = index.latent_dim();
    let mut sum = vec![0.0f64; d];
    for &i in indices {
        let row = index
            .row(i)
            .ok_or_else(|| format!("digit {i} is not among the {} test digits", index.len()))?;
        for (s, &v) in sum.iter_mut().zip(row) {
            *s += f64::from(v);
        }
    }
    if indices.is_empty() {
        return Err("no digit was brushed".into());
    }
    Ok(sum
        .iter()
        .map(|s| (s / indices.len() as f64) as f32)
        .collect())
}

/// The brushed test digits `indices` of `set`, and their codes' mean decoded by `model`.
pub async fn brushed_digits(
    name: &str,
    model: &Autoencoder,
    index: &LatentIndex,
    set: &MnistSet,
    indices: &[usize],
    device: &Device,
) -> Result<BrushedDigits, String> {
    if index.len() != set.len() || index.latent_dim() != model.latent_dim() {
        return Err("the model's codes of the test digits are out of date".into());
    }
    let mean = mean_code(index, indices)?;
    let device = device.clone().inner();
    let decoded = model
        .valid()
        .to_device(&device)
        .decode(Tensor::<1>::from_floats(mean.as_slice(), &device).reshape([1, mean.len()]));
    let decoded = read_floats(decoded).await.map_err(|e| e.to_string())?;
    if decoded.iter().any(|v| !v.is_finite()) {
        return Err("the model produced a value that is not a number".into());
    }
    let shown = &indices[..indices.len().min(BRUSHED_DIGITS_SHOWN)];
    Ok(BrushedDigits {
        model: name.to_string(),
        count: indices.len(),
        indices: shown.to_vec(),
        pixels: shown.iter().flat_map(|&i| set.image(i).to_vec()).collect(),
        mean: pixels_to_bytes(&decoded),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> LatentIndex {
        // Three codes of size 3.
        LatentIndex::from_codes(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0], 3).unwrap()
    }

    #[test]
    fn a_scatter_holds_two_coordinates_of_every_code() {
        let s = coordinate_scatter("m", &index(), 2, 0).unwrap();
        assert_eq!((s.x, s.y), (vec![3.0, 6.0, 10.0], vec![1.0, 4.0, 7.0]));
        assert!(
            coordinate_scatter("m", &index(), 0, 3)
                .unwrap_err()
                .contains("0 to 2")
        );
    }

    #[test]
    fn the_mean_code_is_the_mean_of_the_brushed_rows() {
        assert_eq!(mean_code(&index(), &[0, 2]).unwrap(), vec![4.0, 5.0, 6.5]);
        assert!(mean_code(&index(), &[]).is_err());
        assert!(
            mean_code(&index(), &[3])
                .unwrap_err()
                .contains("not among the 3")
        );
    }
}
