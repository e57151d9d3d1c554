//! What a *linear* code of each size reconstructs: principal component analysis of the
//! training images, the best any linear encoder and decoder of `k` numbers can do in squared
//! error (Eckart–Young). Beside the autoencoders of the latent sweep it says what their
//! non-linear layers buy at each size; with no code at all (`k = 0`) the best reconstruction
//! is the mean training digit.
//!
//! Images have 784 pixels, so the training images' covariance matrix is 784 × 784: all of its
//! eigenvectors come from the cyclic Jacobi method, in f64, without a linear-algebra dependency
//! (about ten sweeps of a few seconds each natively; this runs in the command, not the page).

use serde::{Deserialize, Serialize};

use super::pearson::scatter_matrix;
use crate::data::{IMAGE_PIXELS, MnistSet};

/// The train and test reconstruction error, per pixel, of one linear code size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinearBaselineEntry {
    /// Principal components kept (`0`: the mean training digit for every image).
    pub latent_dim: usize,
    /// Mean squared error per pixel on the images the components came from.
    pub train_loss: f32,
    /// The same on the test images, projected on the training images' components.
    pub test_loss: f32,
}

/// The linear baselines of a latent sweep: `k = 0` first, then each size asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearBaselines {
    pub train_images: usize,
    pub test_images: usize,
    pub entries: Vec<LinearBaselineEntry>,
}

impl LinearBaselines {
    /// The entry with `latent_dim` principal components, if it was computed.
    pub fn at(&self, latent_dim: usize) -> Option<&LinearBaselineEntry> {
        self.entries.iter().find(|e| e.latent_dim == latent_dim)
    }
}

/// The eigenvalues of the symmetric `n × n` matrix `a` (row-major), largest first, and their
/// unit eigenvectors (`vectors[i]` belongs to `values[i]`), by cyclic Jacobi rotations. `a`
/// must be symmetric (not checked).
pub fn symmetric_eigen(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    assert_eq!(a.len(), n * n, "a must hold n·n values");
    // Columns of v are the eigenvectors; kept row-major like a.
    let mut v = vec![0f64; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let off = |a: &[f64]| -> f64 {
        (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum()
    };
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>();
    for _sweep in 0..60 {
        if off(&a) <= scale * 1e-30 || scale == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let (app, aqq) = (a[p * n + p], a[q * n + q]);
                // The rotation that zeroes a[p][q] (the smaller of the two angles).
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                let tau = s / (1.0 + c);
                a[p * n + p] = app - t * apq;
                a[q * n + q] = aqq + t * apq;
                a[p * n + q] = 0.0;
                a[q * n + p] = 0.0;
                for r in 0..n {
                    if r != p && r != q {
                        let (g, h) = (a[r * n + p], a[r * n + q]);
                        let rp = g - s * (h + g * tau);
                        let rq = h + s * (g - h * tau);
                        a[r * n + p] = rp;
                        a[p * n + r] = rp;
                        a[r * n + q] = rq;
                        a[q * n + r] = rq;
                    }
                    let (g, h) = (v[r * n + p], v[r * n + q]);
                    v[r * n + p] = g - s * (h + g * tau);
                    v[r * n + q] = h + s * (g - h * tau);
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[j * n + j].total_cmp(&a[i * n + i]));
    let values = order.iter().map(|&i| a[i * n + i]).collect();
    let vectors = order
        .iter()
        .map(|&i| (0..n).map(|r| v[r * n + i]).collect())
        .collect();
    (values, vectors)
}

/// The mean per-value squared error of reconstructing each row of `rows` (`d` values each)
/// from `mean` and its projections on the first `k` of `axes`, for each `k` of `sizes`.
fn reconstruction_losses(
    rows: &[f32],
    d: usize,
    mean: &[f64],
    axes: &[Vec<f64>],
    sizes: &[usize],
) -> Vec<f64> {
    let n = rows.len() / d.max(1);
    let most = sizes.iter().copied().max().unwrap_or(0).min(axes.len());
    let mut sums = vec![0f64; sizes.len()];
    let mut centred = vec![0f64; d];
    let mut captured = vec![0f64; most + 1];
    for row in rows.chunks_exact(d.max(1)) {
        for ((c, &x), m) in centred.iter_mut().zip(row).zip(mean) {
            *c = f64::from(x) - m;
        }
        let whole: f64 = centred.iter().map(|c| c * c).sum();
        // captured[k]: the squared length of the row's part in the first k axes.
        for (i, axis) in axes.iter().take(most).enumerate() {
            let p: f64 = centred.iter().zip(axis).map(|(c, w)| c * w).sum();
            captured[i + 1] = captured[i] + p * p;
        }
        for (sum, &k) in sums.iter_mut().zip(sizes) {
            // Rounding can leave a hair below zero where nearly all is captured.
            *sum += (whole - captured[k.min(most)]).max(0.0);
        }
    }
    sums.iter()
        .map(|s| if n == 0 { f64::NAN } else { s / (n * d) as f64 })
        .collect()
}

/// The mean image of `set`, pixel by pixel, as values in `[0, 1]`: what a model with no code
/// at all draws for every digit. `None` for an empty set.
pub fn mean_digit(set: &MnistSet) -> Option<Vec<f64>> {
    if set.is_empty() {
        return None;
    }
    let mut mean = vec![0f64; IMAGE_PIXELS];
    for image in set.pixels().chunks_exact(IMAGE_PIXELS) {
        for (m, &p) in mean.iter_mut().zip(image) {
            *m += f64::from(p);
        }
    }
    // Sums of bytes, to values in [0, 1].
    let scale = 255.0 * set.len() as f64;
    mean.iter_mut().for_each(|m| *m /= scale);
    Some(mean)
}

/// The loss with no code at all: each image of `test` "reconstructed" as the mean image of
/// `train`, as mean squared error per pixel on values in `[0, 1]` (the training loss's scale).
/// A model whose code carries nothing (a dead code unit) can do no better; one that has
/// learnt something comes in under it. Linear in the images: milliseconds for the page's
/// subset, so the engine works it out at start-up. `None` for an empty set.
pub fn mean_digit_loss(train: &MnistSet, test: &MnistSet) -> Option<f32> {
    loss_of_mean_digit(&mean_digit(train)?, test)
}

/// [`mean_digit_loss`] for a mean already worked out ([`mean_digit`]): the engine's start
/// needs the mean itself too, and so passes over the training images once.
pub fn loss_of_mean_digit(mean: &[f64], test: &MnistSet) -> Option<f32> {
    if test.is_empty() {
        return None;
    }
    let mut sum = 0f64;
    for image in test.pixels().chunks_exact(IMAGE_PIXELS) {
        for (m, &p) in mean.iter().zip(image) {
            let e = f64::from(p) / 255.0 - m;
            sum += e * e;
        }
    }
    Some((sum / (test.len() * IMAGE_PIXELS) as f64) as f32)
}

/// The linear baselines for `sizes` (principal components kept), from `train` (`n_train`
/// rows of `d` values) and scored on it and on `test`: `k = 0` (the mean training row) comes
/// first, whether asked for or not. Sizes over `d` keep every component.
pub fn linear_baselines(
    train: &[f32],
    n_train: usize,
    test: &[f32],
    n_test: usize,
    d: usize,
    sizes: &[usize],
) -> LinearBaselines {
    assert_eq!(train.len(), n_train * d, "train must hold n_train·d values");
    assert_eq!(test.len(), n_test * d, "test must hold n_test·d values");
    let mut sizes: Vec<usize> = std::iter::once(0).chain(sizes.iter().copied()).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let (mean, scatter) = scatter_matrix(train, n_train, d);
    let (_, axes) = symmetric_eigen(scatter, d);
    let most = sizes.last().copied().unwrap_or(0).min(d);
    let axes = &axes[..most];
    let on_train = reconstruction_losses(train, d, &mean, axes, &sizes);
    let on_test = reconstruction_losses(test, d, &mean, axes, &sizes);
    LinearBaselines {
        train_images: n_train,
        test_images: n_test,
        entries: sizes
            .iter()
            .zip(on_train.iter().zip(&on_test))
            .map(|(&latent_dim, (&train, &test))| LinearBaselineEntry {
                latent_dim,
                train_loss: train as f32,
                test_loss: test as f32,
            })
            .collect(),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn a_two_by_two_by_hand() {
        // [[2, 1], [1, 2]]: eigenvalues 3 and 1, along (1, 1)/√2 and (1, −1)/√2.
        let (values, vectors) = symmetric_eigen(vec![2.0, 1.0, 1.0, 2.0], 2);
        assert!(close(values[0], 3.0, 1e-12) && close(values[1], 1.0, 1e-12));
        let h = 0.5f64.sqrt();
        assert!(close(vectors[0][0].abs(), h, 1e-12) && close(vectors[0][1], vectors[0][0], 1e-12));
        assert!(close(vectors[1][0], -vectors[1][1], 1e-12));
    }

    #[test]
    fn eigenpairs_of_a_larger_matrix_rebuild_it() {
        // A symmetric 9 × 9 matrix with unequal entries (a fixed pseudo-random pattern).
        let n = 9;
        let mut a = vec![0f64; n * n];
        for i in 0..n {
            for j in i..n {
                let x = ((i * 7 + j * 13) % 11) as f64 - 5.0 + if i == j { 3.0 } else { 0.0 };
                a[i * n + j] = x;
                a[j * n + i] = x;
            }
        }
        let (values, vectors) = symmetric_eigen(a.clone(), n);
        assert!(
            values.windows(2).all(|w| w[0] >= w[1]),
            "largest first: {values:?}"
        );
        for (i, vi) in vectors.iter().enumerate() {
            for (j, vj) in vectors.iter().enumerate() {
                let dot: f64 = vi.iter().zip(vj).map(|(x, y)| x * y).sum();
                assert!(
                    close(dot, f64::from(u8::from(i == j)), 1e-10),
                    "v{i}·v{j} = {dot}"
                );
            }
            // A v = λ v.
            for r in 0..n {
                let av: f64 = (0..n).map(|c| a[r * n + c] * vi[c]).sum();
                assert!(close(av, values[i] * vi[r], 1e-9), "row {r} of A v{i}");
            }
        }
        // The trace is the eigenvalues' sum.
        let trace: f64 = (0..n).map(|i| a[i * n + i]).sum();
        assert!(close(values.iter().sum::<f64>(), trace, 1e-9));
    }

    #[test]
    fn losses_by_hand_on_points_along_a_line() {
        // Four 2-D points on the line y = x, around (1, 1): one component holds all of them.
        let train = [0.0, 0.0, 2.0, 2.0, 0.5, 0.5, 1.5, 1.5];
        // Test points (2, 2), on the line, and (0, 2), across it.
        let test = [2.0, 2.0, 0.0, 2.0];
        let b = linear_baselines(&train, 4, &test, 2, 2, &[1, 2]);
        let ks: Vec<usize> = b.entries.iter().map(|e| e.latent_dim).collect();
        assert_eq!(ks, vec![0, 1, 2]);
        // k = 0: the mean (1, 1) for every point. Train: squared distances 2, 2, 0.5, 0.5 over
        // 4 points × 2 values = 5 / 8. Test: (2, 2) is 2 away squared, (0, 2) is 2: 4 / 4.
        assert!(close(f64::from(b.entries[0].train_loss), 5.0 / 8.0, 1e-6));
        assert!(close(f64::from(b.entries[0].test_loss), 1.0, 1e-6));
        // k = 1: the training points lie on the axis, nothing is left; (2, 2) is on it too,
        // (0, 2) − (1, 1) = (−1, 1) is across it: 2 / 4.
        assert!(close(f64::from(b.entries[1].train_loss), 0.0, 1e-9));
        assert!(close(f64::from(b.entries[1].test_loss), 0.5, 1e-6));
        // k = 2 = d: everything is kept.
        assert!(close(f64::from(b.entries[2].test_loss), 0.0, 1e-9));
        assert_eq!(b.at(1), Some(&b.entries[1]));
        assert_eq!(b.at(7), None);
    }

    #[test]
    fn the_mean_digit_loss_is_the_baseline_with_no_code() {
        // Three training images and two test images with a few pixels set.
        let image = |pixels: &[(usize, u8)]| {
            let mut v = vec![0u8; IMAGE_PIXELS];
            for &(i, p) in pixels {
                v[i] = p;
            }
            v
        };
        let train = MnistSet::new(
            [
                image(&[(0, 255)]),
                image(&[(0, 0), (1, 255)]),
                image(&[(2, 51)]),
            ]
            .concat(),
            vec![0, 1, 2],
        );
        let test = MnistSet::new([image(&[(0, 255)]), image(&[])].concat(), vec![0, 1]);
        let mean = mean_digit(&train).unwrap();
        assert_eq!(mean.len(), IMAGE_PIXELS);
        assert!(close(mean[0], 1.0 / 3.0, 1e-12) && close(mean[1], 1.0 / 3.0, 1e-12));
        assert!(close(mean[2], 0.2 / 3.0, 1e-12) && mean[3..].iter().all(|&m| m == 0.0));
        assert_eq!(mean_digit(&train.first(0)), None);
        // The mean image: 1/3 at pixel 0, 1/3 at pixel 1, 0.2/3 at pixel 2. The first test
        // image is off by 2/3, 1/3 and 0.2/3; the second by 1/3, 1/3 and 0.2/3.
        let by_hand = ((4.0 + 1.0 + 0.04) / 9.0 + (1.0 + 1.0 + 0.04) / 9.0) / (2.0 * 784.0);
        let loss = mean_digit_loss(&train, &test).unwrap();
        assert!(
            close(f64::from(loss), by_hand, 1e-9),
            "{loss} against {by_hand}"
        );
        // The same as the linear baseline's k = 0.
        let values = |set: &MnistSet| crate::data::bytes_to_values(set.pixels());
        let b = linear_baselines(&values(&train), 3, &values(&test), 2, IMAGE_PIXELS, &[]);
        assert!(close(f64::from(b.entries[0].test_loss), by_hand, 1e-9));
        assert_eq!(mean_digit_loss(&train, &test.first(0)), None);
    }

    #[test]
    fn the_training_error_is_the_tail_of_the_eigenvalues() {
        // 40 rows of 6 values from a fixed pattern: the error left after k components is the
        // variance along the others, λ_k+1 + … + λ_d (per value: over d).
        let (n, d) = (40, 6);
        let rows: Vec<f32> = (0..n * d)
            .map(|i| (((i * 37 + 11) % 17) as f32 - 8.0) / (1.0 + (i % d) as f32))
            .collect();
        let (_, scatter) = scatter_matrix(&rows, n, d);
        let (values, _) = symmetric_eigen(scatter, d);
        let b = linear_baselines(&rows, n, &rows, n, d, &[1, 2, 3, 4, 5, 6, 9]);
        for e in &b.entries {
            let tail: f64 = values[e.latent_dim.min(d)..].iter().sum::<f64>() / (n * d) as f64;
            assert!(
                close(f64::from(e.train_loss), tail, 1e-5),
                "k = {}",
                e.latent_dim
            );
            assert_eq!(e.train_loss, e.test_loss, "the same rows score the same");
        }
        assert!(
            b.entries
                .windows(2)
                .all(|w| w[0].train_loss >= w[1].train_loss)
        );
        assert_eq!(b.entries.last().map(|e| e.latent_dim), Some(9));
    }
}
