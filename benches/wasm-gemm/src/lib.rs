//! `run(kernel, layout, m, k, n, iters)`: `iters` products of an m×k by a k×n f32 matrix on
//! one thread, by gemm (`kernel` 0) or by flex's tiled kernels (`kernel` 1, the patched
//! flex's own file, included as it is), with the operands laid out as flex's convolutions
//! lay them out (`layout`): 0 both row-major (a convolution), 1 the left one transposed (a
//! transposed convolution's weights), 2 the right one transposed (a weight gradient's
//! `rows · colsᵀ`). Returns the result's sum, so that nothing is optimised away; NaN for a
//! layout the tiled kernels leave to gemm.
use core::mem::MaybeUninit;
use gemm::{gemm, Parallelism};

#[path = "../../../vendor/burn-flex/src/ops/tiled_matmul.rs"]
#[allow(dead_code)]
mod tiled_matmul;
use tiled_matmul::{tiled_matmul, MatRef};

#[unsafe(no_mangle)]
pub extern "C" fn run(kernel: usize, layout: usize, m: usize, k: usize, n: usize, iters: usize) -> f32 {
    let a: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 * 0.1).collect();
    let b: Vec<f32> = (0..k * n).map(|i| (i % 5) as f32 * 0.1).collect();
    let lhs = match layout {
        1 => MatRef::row_major(&a, k, m).transposed(),
        _ => MatRef::row_major(&a, m, k),
    };
    let rhs = match layout {
        2 => MatRef::row_major(&b, n, k).transposed(),
        _ => MatRef::row_major(&b, k, n),
    };
    let mut c = vec![MaybeUninit::new(0f32); m * n];
    for _ in 0..iters {
        if kernel == 1 {
            if !tiled_matmul(lhs, rhs, &mut c) {
                return f32::NAN;
            }
            continue;
        }
        // Safety: the views lie inside `a` and `b`, and `c` holds m×n values.
        unsafe {
            gemm(
                m,
                n,
                k,
                c.as_mut_ptr().cast::<f32>(),
                1,
                n as isize,
                false,
                a.as_ptr(),
                lhs.col_stride as isize,
                lhs.row_stride as isize,
                b.as_ptr(),
                rhs.col_stride as isize,
                rhs.row_stride as isize,
                0.0,
                1.0,
                false,
                false,
                false,
                Parallelism::None,
            );
        }
    }
    // Safety: every element was written above.
    c.iter().map(|v| unsafe { v.assume_init() }).sum()
}
