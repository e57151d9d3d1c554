//! `run(m, k, n, iters)`: `iters` products of an m×k by a k×n row-major f32 matrix on one
//! thread; returns the result's sum, so that nothing is optimised away.
use gemm::{gemm, Parallelism};

#[unsafe(no_mangle)]
pub extern "C" fn run(m: usize, k: usize, n: usize, iters: usize) -> f32 {
    let a: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 * 0.1).collect();
    let b: Vec<f32> = (0..k * n).map(|i| (i % 5) as f32 * 0.1).collect();
    let mut c = vec![0f32; m * n];
    for _ in 0..iters {
        // Safety: the three buffers hold m×n, m×k and k×n values with these strides.
        unsafe {
            gemm(
                m,
                n,
                k,
                c.as_mut_ptr(),
                1,
                n as isize,
                false,
                a.as_ptr(),
                1,
                k as isize,
                b.as_ptr(),
                1,
                n as isize,
                0.0,
                1.0,
                false,
                false,
                false,
                Parallelism::None,
            );
        }
    }
    c.iter().sum()
}
