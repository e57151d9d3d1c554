//! Principal component analysis of latent codes, for a 2-D map of the latent space.
//!
//! Codes have at most a few hundred coordinates, so the covariance matrix is small: its top
//! eigenvectors come from power iteration with deflation, in f64, without a linear-algebra
//! dependency.

use serde::{Deserialize, Serialize};

use super::pearson::scatter_matrix;

/// Codes projected on their first principal components.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    /// `n` rows of `components` values, row-major.
    pub points: Vec<f32>,
    pub components: usize,
    /// The share of the codes' total variance along each component.
    pub explained: Vec<f64>,
}

/// Projects `codes` (`n` rows of `d` values) on their first `k` principal components (fewer
/// when `d < k`). Components are unit vectors signed so their largest entry is positive, so the
/// same codes always give the same map.
pub fn pca(codes: &[f32], n: usize, d: usize, k: usize) -> Projection {
    let (mean, scatter) = scatter_matrix(codes, n, d);
    pca_of_scatter(codes, n, d, k, &mean, scatter)
}

/// The codes' mean, their first `k` principal axes (unit vectors, fewer when `d < k`, signed
/// as [`pca`] signs them) and the share of the variance along each: what projects other codes
/// (another epoch's) on the same axes.
pub fn principal_axes(
    codes: &[f32],
    n: usize,
    d: usize,
    k: usize,
) -> (Vec<f64>, Vec<Vec<f64>>, Vec<f64>) {
    let (mean, scatter) = scatter_matrix(codes, n, d);
    let (axes, explained) = axes_of_scatter(scatter, n, d, k);
    (mean, axes, explained)
}

/// The first `k` principal axes of a scatter matrix of `n` codes, and their shares of the
/// variance.
fn axes_of_scatter(scatter: Vec<f64>, n: usize, d: usize, k: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
    let k = k.min(d);
    if n == 0 || k == 0 {
        return (Vec::new(), vec![0.0; k]);
    }
    let mut cov = scatter;
    cov.iter_mut().for_each(|c| *c /= n as f64);
    let total: f64 = (0..d).map(|i| cov[i * d + i]).sum();
    let mut vectors = Vec::with_capacity(k);
    let mut explained = Vec::with_capacity(k);
    for c in 0..k {
        let (value, vector) = top_eigen(&cov, d, c, &vectors);
        explained.push(if total > 0.0 { value / total } else { 0.0 });
        // Deflate: remove this component from the matrix.
        for i in 0..d {
            for j in 0..d {
                cov[i * d + j] -= value * vector[i] * vector[j];
            }
        }
        vectors.push(vector);
    }
    (vectors, explained)
}

/// Each row of `codes` (rows of `d` values) less `mean`, on each of `axes`: rows of
/// `axes.len()` values.
pub(super) fn project_on(codes: &[f32], d: usize, mean: &[f64], axes: &[Vec<f64>]) -> Vec<f32> {
    codes
        .chunks_exact(d)
        .flat_map(|row| {
            axes.iter().map(move |axis| {
                row.iter()
                    .zip(mean)
                    .zip(axis)
                    .map(|((&x, m), w)| (f64::from(x) - m) * w)
                    .sum::<f64>() as f32
            })
        })
        .collect()
}

/// [`pca`] from the codes' means and scatter matrix ([`crate::analysis::pearson::Scatter`]),
/// when they are already there.
pub fn pca_of_scatter(
    codes: &[f32],
    n: usize,
    d: usize,
    k: usize,
    mean: &[f64],
    scatter: Vec<f64>,
) -> Projection {
    assert_eq!(codes.len(), n * d, "codes must hold n·d values");
    let k = k.min(d);
    if n == 0 || k == 0 {
        return Projection {
            points: Vec::new(),
            components: k,
            explained: vec![0.0; k],
        };
    }
    let (vectors, explained) = axes_of_scatter(scatter, n, d, k);
    Projection {
        points: project_on(codes, d, mean, &vectors),
        components: k,
        explained,
    }
}

/// The largest eigenvalue of the symmetric `d × d` matrix and its unit eigenvector, kept
/// orthogonal to `previous` (so a direction without variance is still a proper axis).
fn top_eigen(m: &[f64], d: usize, salt: usize, previous: &[Vec<f64>]) -> (f64, Vec<f64>) {
    let orthogonalise = |v: &mut Vec<f64>| {
        for p in previous {
            let dot: f64 = v.iter().zip(p).map(|(a, b)| a * b).sum();
            v.iter_mut().zip(p).for_each(|(a, b)| *a -= dot * b);
        }
    };
    // A fixed, uneven start: not orthogonal to any eigenvector in practice.
    let mut v: Vec<f64> = (0..d)
        .map(|i| 1.0 + ((i * 7 + salt * 13) % 11) as f64 / 10.0)
        .collect();
    orthogonalise(&mut v);
    normalise(&mut v);
    let mut value = 0.0;
    for _ in 0..500 {
        let mut w = vec![0f64; d];
        for i in 0..d {
            w[i] = (0..d).map(|j| m[i * d + j] * v[j]).sum();
        }
        let next_value: f64 = w.iter().zip(&v).map(|(a, b)| a * b).sum();
        orthogonalise(&mut w);
        if normalise(&mut w) < 1e-12 {
            return (0.0, v);
        }
        let change: f64 = w.iter().zip(&v).map(|(a, b)| (a - b).abs()).sum();
        v = w;
        let converged = (next_value - value).abs() <= 1e-12 * next_value.abs().max(1e-300);
        value = next_value;
        if change < 1e-10 || converged {
            break;
        }
    }
    // The sign convention: the largest entry is positive.
    let largest = v
        .iter()
        .copied()
        .fold(0.0f64, |a, x| if x.abs() > a.abs() { x } else { a });
    if largest < 0.0 {
        v.iter_mut().for_each(|x| *x = -*x);
    }
    (value.max(0.0), v)
}

fn normalise(v: &mut [f64]) -> f64 {
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    norm
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_on_a_line_have_one_component() {
        // (t, 2t, 0) for t = -2..2: all variance along (1, 2, 0)/√5.
        let codes: Vec<f32> = (-2..=2)
            .flat_map(|t| [t as f32, 2.0 * t as f32, 0.0])
            .collect();
        let p = pca(&codes, 5, 3, 2);
        assert_eq!(p.components, 2);
        assert!((p.explained[0] - 1.0).abs() < 1e-9, "{:?}", p.explained);
        assert!(p.explained[1].abs() < 1e-9);
        // The projection of t on the unit axis is t·√5, sign chosen so the largest entry (2/√5) is positive.
        let s5 = 5f32.sqrt();
        for (i, t) in (-2..=2).enumerate() {
            assert!(
                (p.points[i * 2] - t as f32 * s5).abs() < 1e-4,
                "{:?}",
                p.points
            );
            assert!(p.points[i * 2 + 1].abs() < 1e-4);
        }
    }

    #[test]
    fn two_axes_are_found_in_order_of_variance() {
        // x spread ±3, y spread ±1, independent: the first component is x, the second y.
        let mut codes = Vec::new();
        for x in [-3.0f32, 3.0] {
            for y in [-1.0f32, 1.0] {
                codes.extend([x, y]);
            }
        }
        let p = pca(&codes, 4, 2, 2);
        assert!((p.explained[0] - 0.9).abs() < 1e-9, "{:?}", p.explained);
        assert!((p.explained[1] - 0.1).abs() < 1e-9);
        for (got, want) in p.points[..4].iter().zip([-3.0, -1.0, -3.0, 1.0]) {
            assert!((got - want).abs() < 1e-5, "{:?}", p.points);
        }
    }

    #[test]
    fn degenerate_inputs() {
        let p = pca(&[1.0, 1.0, 1.0], 3, 1, 2);
        assert_eq!(p.components, 1, "one coordinate gives one component");
        assert_eq!(p.points, vec![0.0; 3]);
        assert_eq!(p.explained, vec![0.0]);
        assert!(pca(&[], 0, 4, 2).points.is_empty());
    }
}
