//! The patched flex's tiled f32 products (`burn_flex::ops::tiled_matmul`) against sums worked in
//! f64, in every layout the kernels take and at every edge of their tiles (4 × 8 and 3 × 3, the
//! inner dimension in steps of 4). Run natively on the portable lanes (tests/flex_kernels.rs) and
//! in Chromium on SIMD128, with relaxed multiply-add in the threaded engine's build
//! (tests/browser.rs): the product code is the same, the lanes are the platform's.

use core::mem::MaybeUninit;

use burn_flex::ops::tiled_matmul::{MatRef, tiled_matmul};

/// How an operand's values sit in memory.
#[derive(Clone, Copy, Debug)]
enum Stored {
    RowMajor,
    /// Stored as its transpose, row-major.
    Transposed,
    /// Row-major with 3 spare values after each row, all NaN: a kernel that reads one
    /// poisons its output.
    Padded,
}

const STORED: [Stored; 3] = [Stored::RowMajor, Stored::Transposed, Stored::Padded];

/// Deterministic values in [-1, 1) (a 32-bit LCG).
fn values(n: usize, seed: u32) -> Vec<f32> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 8) as f32 / (1u32 << 23) as f32 - 1.0
        })
        .collect()
}

/// The storage of the `rows × cols` matrix `values` (row-major), laid out as `stored` says,
/// no longer than the view reaches.
fn stored(values: &[f32], rows: usize, cols: usize, stored: Stored) -> Vec<f32> {
    match stored {
        Stored::RowMajor => values.to_vec(),
        Stored::Transposed => (0..rows * cols)
            .map(|i| values[(i % rows) * cols + i / rows])
            .collect(),
        Stored::Padded => {
            let mut out = Vec::new();
            for (r, row) in values.chunks(cols.max(1)).enumerate().take(rows) {
                out.extend_from_slice(row);
                if r + 1 < rows {
                    out.extend_from_slice(&[f32::NAN; 3]);
                }
            }
            out
        }
    }
}

fn view(data: &[f32], rows: usize, cols: usize, stored: Stored) -> MatRef<'_, f32> {
    match stored {
        Stored::RowMajor => MatRef::row_major(data, rows, cols),
        Stored::Transposed => MatRef::row_major(data, cols, rows).transposed(),
        Stored::Padded => MatRef {
            data,
            rows,
            cols,
            row_stride: cols + 3,
            col_stride: 1,
        },
    }
}

/// `lhs · rhs` through `tiled_matmul`, or `None` where it leaves the layout to gemm (then
/// `out` must be untouched).
fn product(
    (m, k, n): (usize, usize, usize),
    (lhs, rhs): (&[f32], &[f32]),
    (lhs_stored, rhs_stored): (Stored, Stored),
) -> Option<Vec<f32>> {
    let lhs_data = stored(lhs, m, k, lhs_stored);
    let rhs_data = stored(rhs, k, n, rhs_stored);
    let mut out = vec![MaybeUninit::new(-7.0f32); m * n];
    let taken = tiled_matmul(
        view(&lhs_data, m, k, lhs_stored),
        view(&rhs_data, k, n, rhs_stored),
        &mut out,
    );
    // SAFETY: every element was initialised above (and maybe overwritten).
    let out: Vec<f32> = out.iter().map(|v| unsafe { v.assume_init() }).collect();
    if !taken {
        assert!(
            out.iter().all(|&v| v == -7.0),
            "{m}x{k}x{n} {lhs_stored:?}·{rhs_stored:?}: refused, yet wrote to out"
        );
        return None;
    }
    Some(out)
}

/// Checks one product against its f64 sums: each element within 1e-5 of the sum of its
/// terms' magnitudes (float32 rounding over at most a few hundred terms stays far below).
fn check((m, k, n): (usize, usize, usize), (lhs_stored, rhs_stored): (Stored, Stored)) -> bool {
    let lhs = values(m * k, (m * 31 + k * 7 + n) as u32);
    let rhs = values(k * n, (n * 17 + k * 5 + m) as u32 + 1);
    let Some(out) = product((m, k, n), (&lhs, &rhs), (lhs_stored, rhs_stored)) else {
        return false;
    };
    for r in 0..m {
        for c in 0..n {
            let terms = (0..k).map(|p| f64::from(lhs[r * k + p]) * f64::from(rhs[p * n + c]));
            let exact: f64 = terms.clone().sum();
            let scale: f64 = terms.map(f64::abs).sum();
            let got = out[r * n + c];
            assert!(
                (f64::from(got) - exact).abs() <= 1e-5 * scale,
                "{m}x{k}x{n} {lhs_stored:?}·{rhs_stored:?}: ({r}, {c}) is {got}, the sum {exact}"
            );
            if k == 0 {
                assert_eq!(got, 0.0, "an empty sum is 0");
            }
        }
    }
    true
}

/// Every size from 1 to 13 rows and columns (whole tiles, and every remainder of 4, 8 and
/// 3), inner dimensions 0 to 17 (every remainder of 4), in every pair of layouts; then the
/// lab's own convolution products at a short task's size. Which layouts the kernels take is
/// part of the contract: `rhs` with contiguous rows (a convolution, a transposed one), or
/// both operands contiguous along the inner dimension (a weight gradient); not two
/// transposed operands.
pub fn tiled_products_match_sums_worked_in_f64() {
    let edges = [1, 2, 3, 4, 5, 7, 8, 9, 12, 13];
    let inner = [0, 1, 2, 3, 4, 5, 8, 9, 17];
    let mut taken = 0;
    for lhs_stored in STORED {
        for rhs_stored in STORED {
            let rhs_rows_contiguous = !matches!(rhs_stored, Stored::Transposed);
            let dot = !matches!(lhs_stored, Stored::Transposed);
            for &m in &edges {
                for &k in &inner {
                    for &n in &edges {
                        let took = check((m, k, n), (lhs_stored, rhs_stored));
                        if rhs_rows_contiguous || dot {
                            assert!(took, "{m}x{k}x{n} {lhs_stored:?}·{rhs_stored:?} refused");
                        } else if m > 1 && k > 1 && n > 1 {
                            assert!(!took, "{m}x{k}x{n}: two transposed operands taken");
                        }
                        taken += usize::from(took);
                    }
                }
            }
        }
    }
    assert!(taken > 6_000, "only {taken} products checked");
    // conv1 forward, conv2's transposed product, conv2's weight gradient, at 1 image.
    assert!(check((18, 25, 144), (Stored::RowMajor, Stored::RowMajor)));
    assert!(check((162, 36, 25), (Stored::Transposed, Stored::RowMajor)));
    assert!(check((36, 25, 162), (Stored::RowMajor, Stored::Transposed)));
    // Operands of more than 1 MiB go to gemm, whose blocking keeps them in cache; the lab's
    // largest product (a transposed convolution's weight gradient, 8 images) stays here.
    let limit = burn_flex::ops::tiled_matmul::MAX_OPERAND_VALUES;
    let (m, n) = (64, 64);
    let k = limit / (m + n) + 1;
    assert!(!check((m, k, n), (Stored::RowMajor, Stored::RowMajor)));
    assert!(check((m, k - 1, n), (Stored::RowMajor, Stored::RowMajor)));
    assert!(check(
        (36, 8 * 144, 162),
        (Stored::RowMajor, Stored::Transposed)
    ));
}
