//! [Latent Lab patch] The f32 matrix products of the convolutions in WebAssembly, tiled in
//! registers and read in place.
//!
//! gemm's WebAssembly kernel computes 12 rows by 4 columns of the output and packs its left
//! operand first. On the products of the lab's training step (18 to 162 rows, an inner
//! dimension of 18 to 1,152) it ran 20–37 GFLOP/s in node with relaxed SIMD; the two kernels
//! here ran 38–51 on the same shapes (`scripts/bench-wasm-gemm.sh`, which builds this file
//! into its benchmark). Neither packs: the operands are small enough to stay in cache as
//! they are.
//! - **Broadcast** (`rhs` rows contiguous): tiles of 4 rows × 8 columns of `out`. Each step
//!   along the inner dimension loads 8 values of one `rhs` row and broadcasts one value of
//!   each of 4 `lhs` rows: 8 multiply-adds for 6 loads, in 8 accumulators. Wider or taller
//!   tiles measured slower: WebAssembly engines keep fewer vectors in registers than the
//!   machine has.
//! - **Dot** (both operands contiguous along the inner dimension, as in a weight gradient's
//!   `rows · colsᵀ`): tiles of 3 × 3 dot products, four lanes at a time, the lanes added at
//!   the end.
//!
//! [`tiled_matmul`] answers `false` for other layouts, and for operands of more than
//! [`MAX_OPERAND_VALUES`] values together, where gemm's cache blocking pays; the caller then
//! uses gemm.
//!
//! The same code builds natively on a portable four-lane type (for the tests); flex uses it
//! in WebAssembly with SIMD128 only, where `f32x4.relaxed_madd` (one rounding on hardware
//! with fused multiply-add) replaces the multiply and the add when built with relaxed SIMD,
//! as in the patched gemm. Each output element is a sum in order along the inner dimension
//! (the dot kernel: four interleaved partial sums, then the lanes), so a product's result
//! depends only on its operands, not on threads or tasks.
//!
//! Self-contained (no `crate::` paths): `benches/wasm-gemm` includes this file as it is.

use core::mem::MaybeUninit;

/// A read-only matrix: element `(r, c)` at `data[r·row_stride + c·col_stride]`.
pub struct MatRef<'a, T> {
    pub data: &'a [T],
    pub rows: usize,
    pub cols: usize,
    pub row_stride: usize,
    pub col_stride: usize,
}

// Derived Clone/Copy would ask `T: Copy` of the element type; the view copies either way.
impl<T> Clone for MatRef<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for MatRef<'_, T> {}

impl<'a, T> MatRef<'a, T> {
    pub fn row_major(data: &'a [T], rows: usize, cols: usize) -> Self {
        MatRef {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    pub fn transposed(self) -> Self {
        MatRef {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }

    /// Whether every element lies inside `data`.
    pub fn in_bounds(&self) -> bool {
        self.rows == 0
            || self.cols == 0
            || (self.rows - 1) * self.row_stride + (self.cols - 1) * self.col_stride
                < self.data.len()
    }
}

/// The most values `lhs` and `rhs` may hold together: 1 MiB of f32. Each tile reads its
/// rows of `lhs` (or columns of `rhs`) whole, with no blocking along the inner dimension, so
/// larger operands fall out of the processor's second-level cache. The lab's largest product
/// (a transposed convolution's weight gradient on a task of 8 images) holds 228,096.
pub const MAX_OPERAND_VALUES: usize = 1 << 18;

/// `out = lhs · rhs` (`out` row-major, `rhs.cols` wide, written without being read), when
/// `rhs` has contiguous rows or both operands are contiguous along the inner dimension, and
/// they hold at most [`MAX_OPERAND_VALUES`] together. Returns `false`, `out` untouched,
/// otherwise.
///
/// # Panics
/// If the inner dimensions differ, `out` has the wrong length, or a view reaches outside
/// its data.
pub fn tiled_matmul(lhs: MatRef<f32>, rhs: MatRef<f32>, out: &mut [MaybeUninit<f32>]) -> bool {
    assert_eq!(lhs.cols, rhs.rows, "tiled_matmul: inner dimensions differ");
    assert_eq!(out.len(), lhs.rows * rhs.cols, "tiled_matmul: output size");
    assert!(
        lhs.in_bounds() && rhs.in_bounds(),
        "tiled_matmul: view out of bounds"
    );
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    let broadcast = rhs.col_stride == 1 || n == 1;
    let dot = lhs.col_stride == 1 && rhs.row_stride == 1;
    if (!broadcast && !dot) || m * k + k * n > MAX_OPERAND_VALUES {
        return false;
    }
    if m == 0 || n == 0 {
        return true;
    }
    let c = out.as_mut_ptr().cast::<f32>();
    // SAFETY: the asserts above keep every `(r, p)` of `lhs` and `(p, j)` of `rhs` with
    // `r < m`, `p < k`, `j < n` inside their slices, and `out` holds `m·n` elements; the
    // kernels read and write nothing else.
    unsafe {
        if broadcast {
            broadcast_product(m, k, n, lhs, rhs.data.as_ptr(), rhs.row_stride, c);
        } else {
            dot_product(m, k, n, lhs, rhs.data.as_ptr(), rhs.col_stride, c);
        }
    }
    true
}

/// `out = a · b` for `b` with contiguous rows, `ldb` apart: 8 columns at a time, then 4,
/// then one by one.
///
/// Not inlined: inside a larger function LLVM kept the accumulators in memory, and the
/// product ran no faster than gemm's (measured in node).
#[inline(never)]
unsafe fn broadcast_product(
    m: usize,
    k: usize,
    n: usize,
    a: MatRef<f32>,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
) {
    let a_ptr = a.data.as_ptr();
    let mut j = 0;
    unsafe {
        while j + 8 <= n {
            broadcast_columns::<2>(
                m,
                k,
                a_ptr,
                a.row_stride,
                a.col_stride,
                b.add(j),
                ldb,
                c.add(j),
                n,
            );
            j += 8;
        }
        if j + 4 <= n {
            broadcast_columns::<1>(
                m,
                k,
                a_ptr,
                a.row_stride,
                a.col_stride,
                b.add(j),
                ldb,
                c.add(j),
                n,
            );
            j += 4;
        }
        for col in j..n {
            for r in 0..m {
                let mut sum = 0.0;
                for p in 0..k {
                    sum += *a_ptr.add(r * a.row_stride + p * a.col_stride) * *b.add(p * ldb + col);
                }
                *c.add(r * n + col) = sum;
            }
        }
    }
}

/// Every row of `out`, `4·NV` columns wide: tiles of 4 rows, then the 1 to 3 left over.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn broadcast_columns<const NV: usize>(
    m: usize,
    k: usize,
    a: *const f32,
    rs_a: usize,
    cs_a: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
) {
    let mut i = 0;
    unsafe {
        while i + 4 <= m {
            broadcast_tile::<4, NV>(k, a.add(i * rs_a), rs_a, cs_a, b, ldb, c.add(i * ldc), ldc);
            i += 4;
        }
        let (a, c) = (a.add(i * rs_a), c.add(i * ldc));
        match m - i {
            3 => broadcast_tile::<3, NV>(k, a, rs_a, cs_a, b, ldb, c, ldc),
            2 => broadcast_tile::<2, NV>(k, a, rs_a, cs_a, b, ldb, c, ldc),
            1 => broadcast_tile::<1, NV>(k, a, rs_a, cs_a, b, ldb, c, ldc),
            _ => {}
        }
    }
}

/// `MR` rows × `4·NV` columns of `out`, summed along the whole inner dimension.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn broadcast_tile<const MR: usize, const NV: usize>(
    k: usize,
    a: *const f32,
    rs_a: usize,
    cs_a: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
) {
    let mut acc = [[F32x4::ZERO; NV]; MR];
    unsafe {
        for p in 0..k {
            let row = b.add(p * ldb);
            let mut bv = [F32x4::ZERO; NV];
            for (v, lanes) in bv.iter_mut().enumerate() {
                *lanes = F32x4::load(row.add(4 * v));
            }
            for (r, acc) in acc.iter_mut().enumerate() {
                let x = F32x4::splat(*a.add(r * rs_a + p * cs_a));
                for (acc, &bv) in acc.iter_mut().zip(&bv) {
                    *acc = x.mul_add(bv, *acc);
                }
            }
        }
        for (r, acc) in acc.iter().enumerate() {
            for (v, lanes) in acc.iter().enumerate() {
                lanes.store(c.add(r * ldc + 4 * v));
            }
        }
    }
}

/// `out = a · b` for `a` with contiguous rows and `b` with contiguous columns (`b[p, j]` at
/// `bt[j·ldbt + p]`): tiles of 3 × 3 dot products, the edges in smaller ones.
///
/// Not inlined, as [`broadcast_product`].
#[inline(never)]
unsafe fn dot_product(
    m: usize,
    k: usize,
    n: usize,
    a: MatRef<f32>,
    bt: *const f32,
    ldbt: usize,
    c: *mut f32,
) {
    let (a_ptr, lda) = (a.data.as_ptr(), a.row_stride);
    let mut i = 0;
    while i < m {
        let mut j = 0;
        while j < n {
            // SAFETY: rows `i..i + 3` and columns `j..j + 3`, cut to `m` and `n`.
            unsafe {
                let (a, bt, c) = (a_ptr.add(i * lda), bt.add(j * ldbt), c.add(i * n + j));
                match ((m - i).min(3), (n - j).min(3)) {
                    (3, 3) => dot_tile::<3, 3>(k, a, lda, bt, ldbt, c, n),
                    (3, 2) => dot_tile::<3, 2>(k, a, lda, bt, ldbt, c, n),
                    (3, 1) => dot_tile::<3, 1>(k, a, lda, bt, ldbt, c, n),
                    (2, 3) => dot_tile::<2, 3>(k, a, lda, bt, ldbt, c, n),
                    (2, 2) => dot_tile::<2, 2>(k, a, lda, bt, ldbt, c, n),
                    (2, 1) => dot_tile::<2, 1>(k, a, lda, bt, ldbt, c, n),
                    (1, 3) => dot_tile::<1, 3>(k, a, lda, bt, ldbt, c, n),
                    (1, 2) => dot_tile::<1, 2>(k, a, lda, bt, ldbt, c, n),
                    _ => dot_tile::<1, 1>(k, a, lda, bt, ldbt, c, n),
                }
            }
            j += 3;
        }
        i += 3;
    }
}

/// `MR` × `NR` dot products along the whole inner dimension: four lanes at a time, then the
/// last `k % 4` terms one by one.
#[inline(always)]
unsafe fn dot_tile<const MR: usize, const NR: usize>(
    k: usize,
    a: *const f32,
    lda: usize,
    bt: *const f32,
    ldbt: usize,
    c: *mut f32,
    ldc: usize,
) {
    let whole = k - k % 4;
    let mut acc = [[F32x4::ZERO; NR]; MR];
    unsafe {
        let mut p = 0;
        while p < whole {
            let mut bv = [F32x4::ZERO; NR];
            for (q, lanes) in bv.iter_mut().enumerate() {
                *lanes = F32x4::load(bt.add(q * ldbt + p));
            }
            for (r, acc) in acc.iter_mut().enumerate() {
                let x = F32x4::load(a.add(r * lda + p));
                for (acc, &bv) in acc.iter_mut().zip(&bv) {
                    *acc = x.mul_add(bv, *acc);
                }
            }
            p += 4;
        }
        for (r, acc) in acc.iter().enumerate() {
            for (q, lanes) in acc.iter().enumerate() {
                let mut sum = lanes.sum();
                for p in whole..k {
                    sum += *a.add(r * lda + p) * *bt.add(q * ldbt + p);
                }
                *c.add(r * ldc + q) = sum;
            }
        }
    }
}

/// Four f32 lanes: WebAssembly's `v128` where SIMD128 is on.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[derive(Clone, Copy)]
struct F32x4(core::arch::wasm32::v128);

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl F32x4 {
    const ZERO: Self = F32x4(core::arch::wasm32::f32x4(0.0, 0.0, 0.0, 0.0));

    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // `v128_load` assumes no alignment.
        F32x4(unsafe { core::arch::wasm32::v128_load(p.cast()) })
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        unsafe { core::arch::wasm32::v128_store(p.cast(), self.0) }
    }

    #[inline(always)]
    fn splat(x: f32) -> Self {
        F32x4(core::arch::wasm32::f32x4_splat(x))
    }

    /// `self · b + acc`.
    #[inline(always)]
    fn mul_add(self, b: Self, acc: Self) -> Self {
        use core::arch::wasm32::*;
        #[cfg(target_feature = "relaxed-simd")]
        let sum = f32x4_relaxed_madd(self.0, b.0, acc.0);
        #[cfg(not(target_feature = "relaxed-simd"))]
        let sum = f32x4_add(f32x4_mul(self.0, b.0), acc.0);
        F32x4(sum)
    }

    /// `(l0 + l1) + (l2 + l3)`.
    #[inline(always)]
    fn sum(self) -> f32 {
        use core::arch::wasm32::f32x4_extract_lane as lane;
        (lane::<0>(self.0) + lane::<1>(self.0)) + (lane::<2>(self.0) + lane::<3>(self.0))
    }
}

/// Four f32 lanes, portable: the same arithmetic (a multiply and an add) for native tests.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[derive(Clone, Copy)]
struct F32x4([f32; 4]);

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
impl F32x4 {
    const ZERO: Self = F32x4([0.0; 4]);

    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        F32x4(unsafe { p.cast::<[f32; 4]>().read_unaligned() })
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        unsafe { p.cast::<[f32; 4]>().write_unaligned(self.0) }
    }

    #[inline(always)]
    fn splat(x: f32) -> Self {
        F32x4([x; 4])
    }

    /// `self · b + acc`.
    #[inline(always)]
    fn mul_add(self, b: Self, acc: Self) -> Self {
        F32x4(core::array::from_fn(|l| self.0[l] * b.0[l] + acc.0[l]))
    }

    /// `(l0 + l1) + (l2 + l3)`.
    #[inline(always)]
    fn sum(self) -> f32 {
        (self.0[0] + self.0[1]) + (self.0[2] + self.0[3])
    }
}
