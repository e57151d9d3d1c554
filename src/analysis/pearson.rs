//! Pearson correlation between latent coordinates.
//!
//! A coordinate with zero variance over the set (typically a ReLU unit that never fires, a
//! "dead" unit) has no defined correlation with anything. The report replaced those NaNs by 0
//! before averaging; we give that mean, the mean over defined pairs only, and the dead count.

use serde::{Deserialize, Serialize};

/// The `d × d` correlation matrix of `codes` (`n` rows of `d` values), row-major. Entries that
/// involve a zero-variance coordinate are `None`; the diagonal of a live coordinate is 1.
pub fn pearson_matrix(codes: &[f32], n: usize, d: usize) -> Vec<Option<f64>> {
    assert_eq!(codes.len(), n * d, "codes must hold n·d values");
    let (_, cov) = scatter_matrix(codes, n, d);
    let std: Vec<f64> = (0..d).map(|i| cov[i * d + i].sqrt()).collect();
    let mut r = vec![None; d * d];
    for i in 0..d {
        for j in i..d {
            if std[i] > 0.0 && std[j] > 0.0 {
                let value = (cov[i * d + j] / (std[i] * std[j])).clamp(-1.0, 1.0);
                r[i * d + j] = Some(value);
                r[j * d + i] = Some(value);
            }
        }
    }
    r
}

/// The column means of `codes` (`n` rows of `d` values) and the full symmetric `d × d` matrix
/// of sums of products of centred values (covariance × n), in f64: codes are f32, but sums
/// over 10,000 rows need the headroom.
pub(crate) fn scatter_matrix(codes: &[f32], n: usize, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut mean = vec![0f64; d];
    for row in codes.chunks_exact(d.max(1)) {
        for (m, &v) in mean.iter_mut().zip(row) {
            *m += f64::from(v);
        }
    }
    if n > 0 {
        mean.iter_mut().for_each(|m| *m /= n as f64);
    }
    let mut scatter = vec![0f64; d * d];
    let mut centred = vec![0f64; d];
    for row in codes.chunks_exact(d.max(1)) {
        for ((c, &v), m) in centred.iter_mut().zip(row).zip(&mean) {
            *c = f64::from(v) - m;
        }
        for i in 0..d {
            let ci = centred[i];
            if ci == 0.0 {
                continue;
            }
            for j in i..d {
                scatter[i * d + j] += ci * centred[j];
            }
        }
    }
    for i in 0..d {
        for j in 0..i {
            scatter[i * d + j] = scatter[j * d + i];
        }
    }
    (mean, scatter)
}

/// Summary of how correlated the latent coordinates are.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DecorrelationStats {
    pub latent_dim: usize,
    /// Mean |r| over all pairs i < j, undefined pairs counted as 0 (the report's convention).
    /// `None` when d = 1 (no pairs).
    pub mean_abs_pearson: Option<f64>,
    /// Mean |r| over the defined pairs only; `None` when no pair is defined.
    pub mean_abs_pearson_defined: Option<f64>,
    /// Coordinates with zero variance over the set.
    pub dead_units: usize,
}

/// Decorrelation statistics of `codes` (`n` rows of `d` values).
pub fn decorrelation(codes: &[f32], n: usize, d: usize) -> DecorrelationStats {
    decorrelation_of_matrix(&pearson_matrix(codes, n, d), d)
}

/// Decorrelation statistics of a `d × d` matrix from [`pearson_matrix`], for callers that need
/// the matrix too (so it is computed once).
pub fn decorrelation_of_matrix(r: &[Option<f64>], d: usize) -> DecorrelationStats {
    let dead_units = (0..d).filter(|&i| r[i * d + i].is_none()).count();
    let (mut sum, mut defined, mut pairs) = (0f64, 0usize, 0usize);
    for i in 0..d {
        for j in i + 1..d {
            pairs += 1;
            if let Some(v) = r[i * d + j] {
                sum += v.abs();
                defined += 1;
            }
        }
    }
    DecorrelationStats {
        latent_dim: d,
        mean_abs_pearson: (pairs > 0).then(|| sum / pairs as f64),
        mean_abs_pearson_defined: (defined > 0).then(|| sum / defined as f64),
        dead_units,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of (x, y, z): y = 2x exactly, z is hand-picked.
    const CODES: [f32; 12] = [
        1.0, 2.0, 1.0, //
        2.0, 4.0, 3.0, //
        3.0, 6.0, 2.0, //
        4.0, 8.0, 4.0,
    ];

    #[test]
    fn perfectly_correlated_pair_is_one() {
        let r = pearson_matrix(&CODES, 4, 3);
        assert!((r[1].unwrap() - 1.0).abs() < 1e-12);
        assert!((r[0].unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn matches_hand_computed_value() {
        // x = 1,2,3,4 (mean 2.5), z = 1,3,2,4 (mean 2.5):
        // Σ dx·dz = (-1.5)(-1.5) + (-0.5)(0.5) + (0.5)(-0.5) + (1.5)(1.5) = 4.0,
        // Σ dx² = Σ dz² = 5.0, so r = 4 / 5 = 0.8.
        let r = pearson_matrix(&CODES, 4, 3);
        assert!((r[2].unwrap() - 0.8).abs() < 1e-12);
        assert!((r[2 * 3].unwrap() - 0.8).abs() < 1e-12, "symmetric");
        let stats = decorrelation(&CODES, 4, 3);
        // Pairs: (x,y) = 1, (x,z) = 0.8, (y,z) = 0.8.
        assert!((stats.mean_abs_pearson.unwrap() - 2.6 / 3.0).abs() < 1e-12);
        assert_eq!(stats.dead_units, 0);
    }

    #[test]
    fn anti_correlation_counts_by_absolute_value() {
        let codes = [1.0, -1.0, 2.0, -2.0, 3.0, -3.0];
        let r = pearson_matrix(&codes, 3, 2);
        assert!((r[1].unwrap() + 1.0).abs() < 1e-12);
        let stats = decorrelation(&codes, 3, 2);
        assert!((stats.mean_abs_pearson.unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn dead_units_count_as_zero_or_are_left_out() {
        // Coordinate 1 is dead (always 0, as a ReLU that never fires); 0 and 2 have r = 0.8.
        let codes = [1.0, 0.0, 1.0, 2.0, 0.0, 3.0, 3.0, 0.0, 2.0, 4.0, 0.0, 4.0];
        let r = pearson_matrix(&codes, 4, 3);
        assert_eq!(r[1], None);
        assert_eq!(r[4], None, "a dead unit's diagonal is undefined");
        let stats = decorrelation(&codes, 4, 3);
        assert_eq!(stats.dead_units, 1);
        // Report's convention: (0.8 + 0 + 0) / 3 pairs; defined pairs only: 0.8 / 1.
        assert!((stats.mean_abs_pearson.unwrap() - 0.8 / 3.0).abs() < 1e-12);
        assert!((stats.mean_abs_pearson_defined.unwrap() - 0.8).abs() < 1e-12);
    }

    #[test]
    fn one_coordinate_has_no_pairs() {
        let stats = decorrelation(&[1.0, 2.0, 3.0], 3, 1);
        assert_eq!(stats.mean_abs_pearson, None);
        assert_eq!(stats.mean_abs_pearson_defined, None);
        assert_eq!(stats.dead_units, 0);
    }

    #[test]
    fn all_dead_has_no_defined_pair() {
        let stats = decorrelation(&[0.0; 8], 4, 2);
        assert_eq!(stats.dead_units, 2);
        assert_eq!(stats.mean_abs_pearson, Some(0.0));
        assert_eq!(stats.mean_abs_pearson_defined, None);
    }
}
