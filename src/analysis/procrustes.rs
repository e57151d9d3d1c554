//! Orthogonal Procrustes (issue 20, part 1): the rotation (or reflection) that best lays one
//! epoch's codes onto another's, so that a latent map scrubbed through the epochs keeps still
//! axes while the encoder's coordinates turn beneath it.

/// The orthogonal `d × d` matrix R (row-major) minimising ‖(A − Ā) R − (B − B̄)‖ over the `n`
/// rows of `a` and `b` (each `n × d`, row-major, the same digits in the same order):
/// R = U Vᵀ, where (A − Ā)ᵀ (B − B̄) = U Σ Vᵀ.
pub fn procrustes_rotation(a: &[f32], b: &[f32], d: usize) -> Vec<f64> {
    assert!(d > 0, "codes have at least one coordinate");
    assert_eq!(a.len(), b.len(), "the same digits in both epochs");
    assert_eq!(a.len() % d, 0, "rows of {d} values");
    let (mean_a, mean_b) = (column_means(a, d), column_means(b, d));
    // M = (A − Ā)ᵀ (B − B̄), d × d.
    let mut m = vec![0.0f64; d * d];
    for (row_a, row_b) in a.chunks_exact(d).zip(b.chunks_exact(d)) {
        for i in 0..d {
            let x = f64::from(row_a[i]) - mean_a[i];
            for j in 0..d {
                m[i * d + j] += x * (f64::from(row_b[j]) - mean_b[j]);
            }
        }
    }
    let (u, v) = svd_bases(m, d);
    // R = U Vᵀ.
    let mut r = vec![0.0f64; d * d];
    for i in 0..d {
        for j in 0..d {
            r[i * d + j] = (0..d).map(|k| u[i * d + k] * v[j * d + k]).sum();
        }
    }
    r
}

/// `a`'s rows laid onto `b`'s: (A − Ā) R + B̄, with R from [`procrustes_rotation`].
pub fn align_to(a: &[f32], b: &[f32], d: usize) -> Vec<f32> {
    let r = procrustes_rotation(a, b, d);
    let (mean_a, mean_b) = (column_means(a, d), column_means(b, d));
    a.chunks_exact(d)
        .flat_map(|row| {
            let centred: Vec<f64> = row
                .iter()
                .zip(&mean_a)
                .map(|(&x, m)| f64::from(x) - m)
                .collect();
            (0..d)
                .map(|j| {
                    let rotated: f64 = (0..d).map(|k| centred[k] * r[k * d + j]).sum();
                    (rotated + mean_b[j]) as f32
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The mean Euclidean distance between corresponding rows: how far points move between two
/// frames of an animation (what the two ways of keeping the axes still are compared by).
pub fn mean_displacement(a: &[f32], b: &[f32], d: usize) -> f32 {
    assert_eq!(a.len(), b.len());
    let rows = a.len() / d;
    if rows == 0 {
        return 0.0;
    }
    let total: f64 = a
        .chunks_exact(d)
        .zip(b.chunks_exact(d))
        .map(|(x, y)| {
            x.iter()
                .zip(y)
                .map(|(&p, &q)| (f64::from(p) - f64::from(q)).powi(2))
                .sum::<f64>()
                .sqrt()
        })
        .sum();
    (total / rows as f64) as f32
}

pub(super) fn column_means(rows: &[f32], d: usize) -> Vec<f64> {
    let n = (rows.len() / d).max(1) as f64;
    let mut means = vec![0.0f64; d];
    for row in rows.chunks_exact(d) {
        for (m, &x) in means.iter_mut().zip(row) {
            *m += f64::from(x);
        }
    }
    means.iter_mut().for_each(|m| *m /= n);
    means
}

/// U and V (each `d × d`, row-major, orthogonal) of the singular value decomposition
/// M = U Σ Vᵀ, by one-sided Jacobi rotations (Hestenes): rotate M's columns pairwise until they
/// are orthogonal, accumulating the rotations in V; U's columns are then M V's, normalised.
/// Columns of a rank-deficient M with no direction of their own are completed to an
/// orthonormal basis, so U stays orthogonal.
fn svd_bases(mut w: Vec<f64>, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0f64; d * d];
    (0..d).for_each(|i| v[i * d + i] = 1.0);
    for _sweep in 0..60 {
        let mut rotated = false;
        for p in 0..d {
            for q in p + 1..d {
                let (mut alpha, mut beta, mut gamma) = (0.0, 0.0, 0.0);
                for i in 0..d {
                    let (x, y) = (w[i * d + p], w[i * d + q]);
                    alpha += x * x;
                    beta += y * y;
                    gamma += x * y;
                }
                if gamma.abs() <= 1e-15 * (alpha * beta).sqrt() || gamma == 0.0 {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                for matrix in [&mut w, &mut v] {
                    for i in 0..d {
                        let (x, y) = (matrix[i * d + p], matrix[i * d + q]);
                        matrix[i * d + p] = c * x - s * y;
                        matrix[i * d + q] = s * x + c * y;
                    }
                }
            }
        }
        if !rotated {
            break;
        }
    }
    let norms: Vec<f64> = (0..d)
        .map(|j| (0..d).map(|i| w[i * d + j].powi(2)).sum::<f64>().sqrt())
        .collect();
    let largest = norms.iter().copied().fold(0.0, f64::max);
    let mut u = vec![0.0f64; d * d];
    let mut missing = Vec::new();
    for j in 0..d {
        if norms[j] > 1e-12 * largest.max(f64::MIN_POSITIVE) {
            (0..d).for_each(|i| u[i * d + j] = w[i * d + j] / norms[j]);
        } else {
            missing.push(j);
        }
    }
    // Complete U: Gram–Schmidt of the standard basis against the columns found so far.
    let mut candidate = 0;
    for j in missing {
        loop {
            let mut e = vec![0.0f64; d];
            e[candidate % d] = 1.0;
            candidate += 1;
            for k in 0..d {
                let column_norm: f64 = (0..d).map(|i| u[i * d + k].powi(2)).sum();
                if k == j || column_norm == 0.0 {
                    continue;
                }
                let dot: f64 = (0..d).map(|i| e[i] * u[i * d + k]).sum();
                (0..d).for_each(|i| e[i] -= dot * u[i * d + k]);
            }
            let norm = e.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm > 1e-6 {
                (0..d).for_each(|i| u[i * d + j] = e[i] / norm);
                break;
            }
        }
    }
    (u, v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    fn cloud(n: usize, d: usize, seed: u64) -> Vec<f32> {
        let mut rng = SplitMix64::new(seed);
        (0..n * d)
            .map(|_| (rng.next_u64() >> 40) as f32 / (1u64 << 24) as f32 * 4.0 - 2.0)
            .collect()
    }

    /// A random orthogonal matrix: Gram–Schmidt of a random one.
    fn random_orthogonal(d: usize, seed: u64) -> Vec<f64> {
        let raw = cloud(d, d, seed);
        let mut q = vec![0.0f64; d * d];
        for j in 0..d {
            let mut col: Vec<f64> = (0..d).map(|i| f64::from(raw[i * d + j])).collect();
            for k in 0..j {
                let dot: f64 = (0..d).map(|i| col[i] * q[i * d + k]).sum();
                (0..d).for_each(|i| col[i] -= dot * q[i * d + k]);
            }
            let norm = col.iter().map(|x| x * x).sum::<f64>().sqrt();
            (0..d).for_each(|i| q[i * d + j] = col[i] / norm);
        }
        q
    }

    /// Rows of `x` times `r`, plus `shift`.
    fn transform(x: &[f32], r: &[f64], d: usize, shift: f32) -> Vec<f32> {
        x.chunks_exact(d)
            .flat_map(|row| {
                (0..d)
                    .map(|j| {
                        let s: f64 = (0..d).map(|k| f64::from(row[k]) * r[k * d + j]).sum();
                        s as f32 + shift
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn largest_gap(a: &[f32], b: &[f32]) -> f32 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max)
    }

    #[test]
    fn a_rotated_copy_of_a_cloud_lands_on_the_original() {
        for (d, seed) in [(2, 1), (3, 2), (20, 3)] {
            let original = cloud(200, d, seed);
            let r = random_orthogonal(d, seed + 100);
            let moved = transform(&original, &r, d, 0.75);
            let aligned = align_to(&moved, &original, d);
            let gap = largest_gap(&aligned, &original);
            assert!(gap < 1e-4, "d = {d}: {gap}");
            assert!(mean_displacement(&moved, &original, d) > 0.5);
            assert!(mean_displacement(&aligned, &original, d) < 1e-4);
        }
    }

    #[test]
    fn the_rotation_is_orthogonal_even_for_a_flat_cloud() {
        // Points on a line in 3-d: the cross-covariance has rank 1.
        let d = 3;
        let line: Vec<f32> = (0..10)
            .flat_map(|i| [i as f32, 2.0 * i as f32, 0.0])
            .collect();
        let r = procrustes_rotation(&line, &line, d);
        for i in 0..d {
            for j in 0..d {
                let dot: f64 = (0..d).map(|k| r[k * d + i] * r[k * d + j]).sum();
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((dot - expected).abs() < 1e-9, "RᵀR[{i}][{j}] = {dot}");
            }
        }
        // And it still lays the line onto itself.
        assert!(largest_gap(&align_to(&line, &line, d), &line) < 1e-4);
    }

    #[test]
    fn a_quarter_turn_in_the_plane_is_found() {
        // (x, y) → (−y, x) as rows times R: R = [[0, 1], [−1, 0]].
        let original: Vec<f32> = vec![1.0, 0.0, 0.0, 2.0, -1.0, 0.0, 0.0, -2.0, 0.5, 0.5];
        let turned: Vec<f32> = original.chunks(2).flat_map(|p| [-p[1], p[0]]).collect();
        let r = procrustes_rotation(&original, &turned, 2);
        let expected = [0.0, 1.0, -1.0, 0.0];
        for (got, want) in r.iter().zip(expected) {
            assert!((got - want).abs() < 1e-9, "{r:?}");
        }
    }
}
