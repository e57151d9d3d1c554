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
    pearson_of_scatter(&cov, d)
}

/// The correlation matrix from a scatter (or covariance) matrix ([`Scatter::finish`]).
pub fn pearson_of_scatter(cov: &[f64], d: usize) -> Vec<Option<f64>> {
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
    let mut scatter = Scatter::new(codes, n, d);
    scatter.add_rows(codes, 0..n);
    scatter.finish()
}

/// A scatter matrix summed a block of rows at a time: its cost is `n·d²/2`, seconds for a
/// thousand coordinates, so the browser's engine adds a block, lets its messages in, and goes
/// on ([`Scatter::rows_per_block`]).
#[derive(Debug, Clone)]
pub struct Scatter {
    d: usize,
    mean: Vec<f64>,
    /// Upper triangle, row-major `d × d`.
    sums: Vec<f64>,
    centred: Vec<f64>,
}

impl Scatter {
    /// Starts a scatter matrix of `codes` (`n` rows of `d` values): their means, one pass.
    pub fn new(codes: &[f32], n: usize, d: usize) -> Self {
        assert_eq!(codes.len(), n * d, "codes must hold n·d values");
        let mut mean = vec![0f64; d];
        for row in codes.chunks_exact(d.max(1)) {
            for (m, &v) in mean.iter_mut().zip(row) {
                *m += f64::from(v);
            }
        }
        if n > 0 {
            mean.iter_mut().for_each(|m| *m /= n as f64);
        }
        Self {
            d,
            mean,
            sums: vec![0f64; d * d],
            centred: vec![0f64; d],
        }
    }

    /// How many rows make a block of about four million multiply-adds (a few milliseconds).
    pub fn rows_per_block(d: usize) -> usize {
        (4_000_000 / (d * d).max(1)).max(1)
    }

    /// Adds the rows `rows` of `codes`.
    pub fn add_rows(&mut self, codes: &[f32], rows: std::ops::Range<usize>) {
        let d = self.d;
        if d == 0 {
            return;
        }
        for row in codes[rows.start * d..rows.end * d].chunks_exact(d) {
            for ((c, &v), m) in self.centred.iter_mut().zip(row).zip(&self.mean) {
                *c = f64::from(v) - m;
            }
            for i in 0..d {
                let ci = self.centred[i];
                if ci == 0.0 {
                    continue;
                }
                let sums = &mut self.sums[i * d + i..(i + 1) * d];
                for (s, &cj) in sums.iter_mut().zip(&self.centred[i..]) {
                    *s += ci * cj;
                }
            }
        }
    }

    /// The means and the full symmetric scatter matrix.
    pub fn finish(mut self) -> (Vec<f64>, Vec<f64>) {
        let d = self.d;
        for i in 0..d {
            for j in 0..i {
                self.sums[i * d + j] = self.sums[j * d + i];
            }
        }
        (self.mean, self.sums)
    }
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
    fn a_scatter_summed_in_blocks_equals_one_sum() {
        // 7 rows of 3 values, summed 1, 2 and 4 rows at a time, and in one go.
        let codes: Vec<f32> = (0..21).map(|i| ((i * 7) % 11) as f32 * 0.5 - 1.0).collect();
        let (mean, whole) = scatter_matrix(&codes, 7, 3);
        for block in [1, 2, 4] {
            let mut scatter = Scatter::new(&codes, 7, 3);
            for start in (0..7).step_by(block) {
                scatter.add_rows(&codes, start..(start + block).min(7));
            }
            let (m, s) = scatter.finish();
            assert_eq!(m, mean);
            for (a, b) in s.iter().zip(&whole) {
                assert!((a - b).abs() < 1e-12, "block {block}: {a} vs {b}");
            }
        }
        // By hand: column 0 is rows' first values; its scatter is Σ(x - x̄)².
        let x: Vec<f64> = codes.chunks(3).map(|r| f64::from(r[0])).collect();
        let x_mean = x.iter().sum::<f64>() / 7.0;
        let by_hand: f64 = x.iter().map(|v| (v - x_mean).powi(2)).sum();
        assert!((whole[0] - by_hand).abs() < 1e-12);
        // Symmetric.
        assert_eq!(whole[1], whole[3]);
        assert_eq!(whole[2], whole[6]);
        assert_eq!(whole[5], whole[7]);
        assert_eq!(Scatter::rows_per_block(1000), 4);
        assert_eq!(Scatter::rows_per_block(20), 10_000);
        assert_eq!(Scatter::rows_per_block(5000), 1);
    }

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
