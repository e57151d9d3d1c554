//! 2D convolutions as im2col and one matrix product per group, on NCHW data: the forward
//! pass (f32) of convolutions and (through col2im) transposed convolutions, and the weight
//! and bias gradients of both.
//!
//! [Latent Lab patch] burn-backend's default computes a convolution's weight gradient as
//! another convolution over the input with its batch and channel dims swapped (the output
//! gradient as the kernel), and its bias gradient through `swap_dims(0, 1)` + `reshape`: flex
//! copies both swapped views, and the swapped convolution runs with a kernel as large as the
//! output image. Here:
//!
//! `dW[a, (g, kh, kw)] = Σ_{b, i, j} A[b, a, i, j] · G[b, g, i·s − p + kh·d, j·s − p + kw·d]`
//!
//! where, for a convolution, `A` is the output gradient and `G` the input, and for a
//! transposed convolution `A` is the input and `G` the output gradient (the same sum with the
//! roles exchanged, as both weights are laid out `[A channels, G channels / groups, kh, kw]`).
//!
//! The forward pass is the same im2col with `A` the output: `y[co, (b, i, j)] = W[co, :] ·
//! col[:, (b, i, j)]`. For the small-channel shapes of an MNIST autoencoder (1 → 18 → 36
//! channels, 28×28 → 12×12 → 5×5) it took a third of the time of flex's own paths (NHWC
//! conversion and tiled im2col, or its direct small-channel kernel) in a browser profile.
//! The transposed convolution's forward pass is its adjoint: `col = Wᵀ · x` for the whole
//! batch, then col2im adds each column into the pixel its tap reaches.
//!
//! Threads: every f32 path here splits the batch into tasks of a few images
//! (`ops::tasks`), on rayon's pool when there is one. Each task runs its own im2col and a
//! single-threaded matrix product into its own images, so the forward passes write disjoint
//! memory; the weight gradients add the tasks' partial sums in task order. The split does not
//! depend on the thread count, so neither does any result: one thread and sixteen give the
//! same bits.

use alloc::vec;
use alloc::vec::Vec;
use burn_backend::{
    DType, Element, FloatDType, TensorMetadata,
    ops::{ConvOptions, ConvTransposeOptions, FloatTensorOps},
    tensor::FloatTensor,
};
use burn_std::sync::Mutex;
use burn_std::{Bytes, Shape};
use core::mem::MaybeUninit;

use crate::ops::batch_norm::channel_sums;
use crate::ops::conv_columns::KeptColumns;
use crate::ops::tasks::{collect_image_tasks, map_image_tasks, write_image_tasks};
use crate::ops::tiled_matmul::MatRef;
use crate::{Flex, FlexTensor, Layout};

/// The element types of the matrix products here: gemm's own f32 and f64 kernels (half
/// precision goes through f32, see [`weight_grad`]).
trait GemmFloat:
    Element + bytemuck::Pod + Default + core::ops::AddAssign + Send + Sync + 'static
{
    const ONE: Self;

    /// The im2col matrix a convolution kept for this task of `source` (f32 only: [`KEPT`]).
    fn take_kept(
        _source: &[Self],
        _first_image: usize,
        _geo: &Geometry,
        _group: usize,
    ) -> Option<Vec<Self>> {
        None
    }

    /// `out = lhs · rhs` by [`tiled_matmul`](crate::ops::tiled_matmul::tiled_matmul) where
    /// it beats gemm (f32 in WebAssembly with SIMD128); `false` leaves the product to gemm.
    fn tiled_matmul(
        _lhs: MatRef<Self>,
        _rhs: MatRef<Self>,
        _out: &mut [MaybeUninit<Self>],
    ) -> bool {
        false
    }
}

impl GemmFloat for f32 {
    const ONE: f32 = 1.0;

    fn take_kept(
        source: &[f32],
        first_image: usize,
        geo: &Geometry,
        group: usize,
    ) -> Option<Vec<f32>> {
        KEPT.lock()
            .take(&ColumnsKey::new(source, first_image, geo, group))
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn tiled_matmul(lhs: MatRef<f32>, rhs: MatRef<f32>, out: &mut [MaybeUninit<f32>]) -> bool {
        crate::ops::tiled_matmul::tiled_matmul(lhs, rhs, out)
    }
}

impl GemmFloat for f64 {
    const ONE: f64 = 1.0;
}

/// `out = lhs · rhs` (`out` row-major), on this thread: the callers already run one task a
/// thread, and gemm's own splitting of these small products only added overhead. f32 in
/// WebAssembly goes to the tiled kernels, the rest (and their layouts' misfits) to gemm.
/// `out` need not be initialised: both write every element without reading it.
fn matmul_into<T: GemmFloat>(lhs: MatRef<T>, rhs: MatRef<T>, out: &mut [MaybeUninit<T>]) {
    assert_eq!(lhs.cols, rhs.rows, "matmul: inner dimensions differ");
    assert_eq!(out.len(), lhs.rows * rhs.cols, "matmul: output size");
    assert!(
        lhs.in_bounds() && rhs.in_bounds(),
        "matmul: view out of bounds"
    );
    if out.is_empty() {
        return;
    }
    if T::tiled_matmul(lhs, rhs, out) {
        return;
    }
    if lhs.cols == 0 {
        out.fill(MaybeUninit::new(T::default()));
        return;
    }
    // SAFETY: the asserts above keep every element gemm reads inside `lhs.data` and
    // `rhs.data`, and every element it writes inside `out` (row-major, `rhs.cols` wide);
    // with `read_dst` false it never reads `out`.
    unsafe {
        gemm::gemm(
            lhs.rows,
            rhs.cols,
            lhs.cols,
            out.as_mut_ptr().cast::<T>(),
            1,
            rhs.cols as isize,
            false,
            lhs.data.as_ptr(),
            lhs.col_stride as isize,
            lhs.row_stride as isize,
            rhs.data.as_ptr(),
            rhs.col_stride as isize,
            rhs.row_stride as isize,
            T::default(),
            T::ONE,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// `lhs · rhs` in a new row-major buffer (not zeroed first: gemm writes all of it).
fn matmul<T: GemmFloat>(lhs: MatRef<T>, rhs: MatRef<T>) -> Vec<T> {
    let len = lhs.rows * rhs.cols;
    let mut out = Vec::with_capacity(len);
    matmul_into(lhs, rhs, &mut out.spare_capacity_mut()[..len]);
    // SAFETY: `matmul_into` wrote all `len` elements.
    unsafe { out.set_len(len) };
    out
}

/// The geometry of one im2col, in the terms of the module docs.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Geometry {
    batch: usize,
    /// Channels of `A` (rows of the product) and of `G`.
    a_channels: usize,
    g_channels: usize,
    /// Spatial size of `A`: the positions `(i, j)` summed over.
    a_size: [usize; 2],
    /// Spatial size of `G`, where the kernel taps read.
    g_size: [usize; 2],
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    dilation: [usize; 2],
    groups: usize,
}

impl Geometry {
    /// The same geometry for a run of `batch` images.
    fn with_batch(self, batch: usize) -> Self {
        Geometry { batch, ..self }
    }
}

/// What one task's f32 im2col matrix is a function of, besides its source's bytes: the
/// source's first element and length (which, with the kept clone, name those bytes; see
/// [`super::conv_columns`]), the task's first image, its geometry and the group.
#[derive(PartialEq, Eq)]
struct ColumnsKey {
    address: usize,
    len: usize,
    first_image: usize,
    geo: Geometry,
    group: usize,
}

impl ColumnsKey {
    fn new(source: &[f32], first_image: usize, geo: &Geometry, group: usize) -> Self {
        ColumnsKey {
            address: source.as_ptr() as usize,
            len: source.len(),
            first_image,
            geo: *geo,
            group,
        }
    }
}

/// f32 im2col matrices from convolutions, for the weight gradients that read them again.
static KEPT: Mutex<KeptColumns<ColumnsKey>> = Mutex::new(KeptColumns::new());

/// The range of `j` for which `j·stride + offset` lies in `0..size`.
fn valid_range(offset: isize, stride: usize, size: usize, count: usize) -> core::ops::Range<usize> {
    let stride = stride as isize;
    // Smallest j ≥ 0 with j·stride + offset ≥ 0, and smallest j with j·stride + offset ≥ size.
    let first = if offset >= 0 {
        0
    } else {
        (-offset + stride - 1) / stride
    };
    let end = (size as isize - offset + stride - 1)
        .div_euclid(stride)
        .max(0);
    let first = (first as usize).min(count);
    first..(end as usize).clamp(first, count)
}

/// `[g_per_group·kh·kw, batch·positions]` for group `group`: row `(c, kh, kw)` holds, for each
/// position `(b, i, j)` of `A`, the tap of `G` it meets (zero outside `G`). Rows are written
/// contiguously; the matrix product reads them transposed.
fn im2col<T: Copy + Default>(g: &[T], geo: &Geometry, group: usize) -> Vec<T> {
    let g_per_group = geo.g_channels / geo.groups;
    let taps = Tap::all(geo);
    let plane_len = geo.g_size[0] * geo.g_size[1];
    let positions = geo.a_size[0] * geo.a_size[1];
    let columns = geo.batch * positions;
    let mut cols = vec![T::default(); g_per_group * taps.len() * columns];
    if cols.is_empty() {
        return cols;
    }
    for (c, rows) in cols.chunks_exact_mut(taps.len() * columns).enumerate() {
        for b in 0..geo.batch {
            // One image's channel at a time: it stays in cache while every tap reads it.
            let channel = b * geo.g_channels + group * g_per_group + c;
            let plane = &g[channel * plane_len..][..plane_len];
            for_each_line(geo, &taps, |t, paired, dst, src| {
                let block = t * columns + b * positions;
                if paired {
                    let (first, second) = rows[block..].split_at_mut(columns);
                    gather_pair(&mut first[dst.clone()], &mut second[dst], &plane[src]);
                } else {
                    gather(&mut rows[block..][dst], &plane[src], geo.stride[1]);
                }
            });
        }
    }
    cols
}

/// `out[k] = src[k·stride]`, `src` ending at its last tap. The lines are short (5–12 taps in
/// an MNIST autoencoder), so the common strides get loops with the stride a constant.
#[inline(always)]
fn gather<T: Copy>(out: &mut [T], src: &[T], stride: usize) {
    match stride {
        1 => out.copy_from_slice(src),
        2 => {
            // Pairs up to the last tap, then the last: no bounds check inside the loop.
            let (last, head) = out.split_last_mut().expect("lines are not empty");
            for (o, pair) in head.iter_mut().zip(src.chunks_exact(2)) {
                *o = pair[0];
            }
            *last = src[src.len() - 1];
        }
        s => {
            for (k, o) in out.iter_mut().enumerate() {
                *o = src[k * s];
            }
        }
    }
}

/// `dst[k·stride] += taps[k]`: the adjoint of [`gather`], for col2im.
#[inline(always)]
fn scatter_add(dst: &mut [f32], taps: &[f32], stride: usize) {
    match stride {
        1 => {
            for (o, &v) in dst.iter_mut().zip(taps) {
                *o += v;
            }
        }
        2 => {
            let (last, head) = taps.split_last().expect("lines are not empty");
            for (pair, &v) in dst.chunks_exact_mut(2).zip(head) {
                pair[0] += v;
            }
            dst[dst.len() - 1] += *last;
        }
        s => {
            for (k, &v) in taps.iter().enumerate() {
                dst[k * s] += v;
            }
        }
    }
}

/// `first[k] = src[2k]`, `second[k] = src[2k + 1]`: two neighbouring taps at stride 2 read
/// alternate values of one span. One pass instead of two strided ones: on the lab's short
/// lines (5–12 taps) a fifth to a quarter less time for the two encoder layers' im2col
/// (WebAssembly in node, docs/performance.md).
#[inline(always)]
fn gather_pair<T: Copy>(first: &mut [T], second: &mut [T], src: &[T]) {
    for ((pair, a), b) in src.chunks_exact(2).zip(first).zip(second) {
        *a = pair[0];
        *b = pair[1];
    }
}

/// `dst[2k] += first[k]`, `dst[2k + 1] += second[k]`: the adjoint of [`gather_pair`], for
/// col2im (a third less time for the two-layer decoder's first transposed convolution, half
/// for its second, measured as for [`gather_pair`]). Each
/// output value still receives its taps in tap order, so the bits are those of two
/// [`scatter_add`]s.
#[inline(always)]
fn add_pair(dst: &mut [f32], first: &[f32], second: &[f32]) {
    for ((pair, &a), &b) in dst.chunks_exact_mut(2).zip(first).zip(second) {
        pair[0] += a;
        pair[1] += b;
    }
}

/// One kernel tap `(kh, kw)`: the rows `i` and columns `j` of `A` whose tap lands inside `G`,
/// and where in a plane of `G` the first of them lands.
struct Tap {
    rows: core::ops::Range<usize>,
    /// First column `j` inside `G`, and how many columns from it are.
    first_column: usize,
    columns: usize,
    /// The row of `G` that `A`'s row 0 reaches (may be negative).
    y_offset: isize,
    /// The column of `G` that `first_column` reaches.
    x_first: usize,
}

impl Tap {
    /// Whether `self` is the tap just right of `previous` in the same kernel row, meeting the
    /// same lines of `A` one column of `G` further: at stride 2 the two read (or, in col2im,
    /// write) alternate values of one span.
    fn follows(&self, previous: &Tap) -> bool {
        self.rows == previous.rows
            && self.y_offset == previous.y_offset
            && self.first_column == previous.first_column
            && self.columns == previous.columns
            && self.x_first == previous.x_first + 1
    }

    /// Every tap of the kernel, in `(kh, kw)` order.
    fn all(geo: &Geometry) -> Vec<Tap> {
        let [ah, aw] = geo.a_size;
        let [gh, gw] = geo.g_size;
        let mut taps = Vec::with_capacity(geo.kernel[0] * geo.kernel[1]);
        for ki in 0..geo.kernel[0] {
            let y_offset = (ki * geo.dilation[0]) as isize - geo.padding[0] as isize;
            for kj in 0..geo.kernel[1] {
                let x_offset = (kj * geo.dilation[1]) as isize - geo.padding[1] as isize;
                let j_range = valid_range(x_offset, geo.stride[1], gw, aw);
                taps.push(Tap {
                    rows: valid_range(y_offset, geo.stride[0], gh, ah),
                    first_column: j_range.start,
                    columns: j_range.len(),
                    y_offset,
                    // Only read when some column is inside, and then it is ≥ 0.
                    x_first: ((j_range.start * geo.stride[1]) as isize + x_offset).max(0) as usize,
                });
            }
        }
        taps
    }
}

/// For one image plane of `G` and every tap `t` (index into `taps`), calls `line(t, paired,
/// dst, src)` for every row `i` of `A` whose tap lands inside `G`: `dst` is the range of `A`'s
/// positions `i·aw + j` in the row, `src` the range of the plane from the first tap met to
/// the last (read with the stride along the width). At stride 2 along the width, a tap and
/// the one that [follows](Tap::follows) it come in one call with `paired` set: `src` then
/// spans both taps' values, alternating (`2·columns` of them), and `dst` serves taps `t` and
/// `t + 1`.
#[inline(always)]
fn for_each_line(
    geo: &Geometry,
    taps: &[Tap],
    mut line: impl FnMut(usize, bool, core::ops::Range<usize>, core::ops::Range<usize>),
) {
    let aw = geo.a_size[1];
    let gw = geo.g_size[1];
    let mut t = 0;
    while t < taps.len() {
        let tap = &taps[t];
        let paired = geo.stride[1] == 2 && taps.get(t + 1).is_some_and(|next| next.follows(tap));
        if tap.columns > 0 {
            let span = if paired {
                2 * tap.columns
            } else {
                (tap.columns - 1) * geo.stride[1] + 1
            };
            for i in tap.rows.clone() {
                let y = ((i * geo.stride[0]) as isize + tap.y_offset) as usize;
                let src = y * gw + tap.x_first;
                let dst = i * aw + tap.first_column;
                line(t, paired, dst..dst + tap.columns, src..src + span);
            }
        }
        t += 1 + paired as usize;
    }
}

/// `[a_per_group, batch·positions]` for group `group`: `A`'s channels of the group as rows.
fn channel_rows<T: Copy>(a: &[T], geo: &Geometry, group: usize) -> Vec<T> {
    let a_per_group = geo.a_channels / geo.groups;
    let positions = geo.a_size[0] * geo.a_size[1];
    let mut rows = Vec::with_capacity(a_per_group * geo.batch * positions);
    for c in 0..a_per_group {
        for b in 0..geo.batch {
            let start = (b * geo.a_channels + group * a_per_group + c) * positions;
            rows.extend_from_slice(&a[start..start + positions]);
        }
    }
    rows
}

fn tensor<T: Element + bytemuck::Pod>(data: Vec<T>, shape: Shape) -> FlexTensor {
    FlexTensor::new(
        Bytes::from_elems(data),
        Layout::contiguous(shape),
        T::dtype(),
    )
}

/// The weight gradient, split by images: each task's partial `[A channels, width]` sum from
/// its own im2col, then the partial sums added in task order.
fn weight_grad_split<T: GemmFloat>(a: FlexTensor, g: FlexTensor, geo: &Geometry) -> FlexTensor {
    let a = a.into_contiguous();
    let g = g.into_contiguous();
    let (a, whole_g): (&[T], &[T]) = (a.storage(), g.storage());
    let a_per_group = geo.a_channels / geo.groups;
    let width = geo.g_channels / geo.groups * geo.kernel[0] * geo.kernel[1];
    let image_a = geo.a_channels * geo.a_size[0] * geo.a_size[1];
    let image_g = geo.g_channels * geo.g_size[0] * geo.g_size[1];
    let partials = map_image_tasks(geo.batch, |images| {
        let geo = geo.with_batch(images.len());
        let a = &a[images.start * image_a..images.end * image_a];
        let g = &whole_g[images.start * image_g..images.end * image_g];
        let samples = images.len() * geo.a_size[0] * geo.a_size[1];
        let mut grad = Vec::with_capacity(geo.a_channels * width);
        for group in 0..geo.groups {
            let rows = channel_rows(a, &geo, group);
            let cols = T::take_kept(whole_g, images.start, &geo, group)
                .unwrap_or_else(|| im2col(g, &geo, group));
            grad.extend(matmul(
                MatRef::row_major(&rows, a_per_group, samples),
                MatRef::row_major(&cols, width, samples).transposed(),
            ));
        }
        grad
    });
    let mut partials = partials.into_iter();
    let mut grad = partials
        .next()
        .unwrap_or_else(|| vec![T::default(); geo.a_channels * width]);
    for partial in partials {
        grad.iter_mut().zip(&partial).for_each(|(s, &v)| *s += v);
    }
    let [kh, kw] = geo.kernel;
    tensor(
        grad,
        Shape::new([geo.a_channels, geo.g_channels / geo.groups, kh, kw]),
    )
}

fn weight_grad(a: FlexTensor, g: FlexTensor, geo: Geometry) -> FlexTensor {
    match a.dtype() {
        DType::F32 => weight_grad_split::<f32>(a, g, &geo),
        DType::F64 => weight_grad_split::<f64>(a, g, &geo),
        // Half precision is summed in f32 (gemm has no bf16 kernel, and a sum over a whole
        // batch loses too much in 16 bits), then cast back.
        dtype @ (DType::F16 | DType::BF16) => {
            let to_f32 = |t| Flex::float_cast(t, FloatDType::F32);
            let grad = weight_grad_split::<f32>(to_f32(a), to_f32(g), &geo);
            Flex::float_cast(grad, dtype.into())
        }
        dtype => panic!("conv weight gradient: unsupported dtype {dtype:?}"),
    }
}

fn dims4(tensor: &FlexTensor) -> [usize; 4] {
    tensor.shape().dims()
}

/// Output extent of a convolution along one axis (0 if the kernel does not fit).
fn output_size(
    input: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    dilation: usize,
) -> usize {
    let span = dilation * (kernel - 1) + 1;
    (input + 2 * padding)
        .checked_sub(span)
        .map_or(0, |room| room / stride + 1)
}

/// The forward convolution in f32, or `None` for a shape this path leaves to flex's own
/// (empty tensors, and kernels larger than the padded input).
pub(crate) fn conv2d_f32(
    x: &FlexTensor,
    weight: &FlexTensor,
    bias: Option<&FlexTensor>,
    options: &ConvOptions<2>,
) -> Option<FlexTensor> {
    if options.is_asymmetric() {
        return None;
    }
    let [batch, channels_in, height, width] = dims4(x);
    let [channels_out, _, kh, kw] = dims4(weight);
    let padding = options.padding_begin();
    let out = [
        output_size(
            height,
            kh,
            options.stride[0],
            padding[0],
            options.dilation[0],
        ),
        output_size(
            width,
            kw,
            options.stride[1],
            padding[1],
            options.dilation[1],
        ),
    ];
    let positions = out[0] * out[1];
    if batch * channels_in * channels_out * positions * kh * kw == 0 {
        return None;
    }
    let geo = Geometry {
        batch,
        a_channels: channels_out,
        g_channels: channels_in,
        a_size: out,
        g_size: [height, width],
        kernel: [kh, kw],
        stride: options.stride,
        padding,
        dilation: options.dilation,
        groups: options.groups,
    };
    let input = x.to_contiguous();
    let weight = weight.to_contiguous();
    let (whole_x, weight): (&[f32], &[f32]) = (input.storage(), weight.storage());
    let bias: Option<Vec<f32>> = bias.map(|b| b.to_contiguous().storage::<f32>().to_vec());
    // A copy made just above has no later reader: keep matrices only of the caller's storage.
    let keep_columns = input.storage::<f32>().as_ptr() == x.storage::<f32>().as_ptr();

    let out_per_group = channels_out / geo.groups;
    let width_k = channels_in / geo.groups * kh * kw;
    let image_in = channels_in * height * width;
    let image_out = channels_out * positions;
    // Each output element is written once below: the buffer is not zeroed first.
    let output = write_image_tasks(batch * image_out, image_out, |images, out| {
        let geo = geo.with_batch(images.len());
        let x = &whole_x[images.start * image_in..images.end * image_in];
        let samples = images.len() * positions;
        for group in 0..geo.groups {
            let rows = &weight[group * out_per_group * width_k..][..out_per_group * width_k];
            let cols = im2col(x, &geo, group);
            let product = matmul(
                MatRef::row_major(rows, out_per_group, width_k),
                MatRef::row_major(&cols, width_k, samples),
            );
            if keep_columns {
                let key = ColumnsKey::new(whole_x, images.start, &geo, group);
                KEPT.lock().keep(key, cols, &input);
            }
            // [channels, images·positions] → [images, channels, positions], adding the bias.
            for (c, row) in product.chunks_exact(samples).enumerate() {
                let channel = group * out_per_group + c;
                let shift = bias.as_ref().map_or(0.0, |b| b[channel]);
                for (b, run) in row.chunks_exact(positions).enumerate() {
                    let start = (b * channels_out + channel) * positions;
                    for (o, &v) in out[start..start + positions].iter_mut().zip(run) {
                        o.write(v + shift);
                    }
                }
            }
        }
    });
    Some(tensor(
        output,
        Shape::new([batch, channels_out, out[0], out[1]]),
    ))
}

pub(crate) fn conv2d_weight_backward(
    x: FloatTensor<Flex>,
    weight: FloatTensor<Flex>,
    output_grad: FloatTensor<Flex>,
    options: ConvOptions<2>,
) -> FloatTensor<Flex> {
    let [batch, channels_in, height, width] = dims4(&x);
    let [_, channels_out, out_height, out_width] = dims4(&output_grad);
    let [_, _, kh, kw] = dims4(&weight);
    let geo = Geometry {
        batch,
        a_channels: channels_out,
        g_channels: channels_in,
        a_size: [out_height, out_width],
        g_size: [height, width],
        kernel: [kh, kw],
        stride: options.stride,
        padding: options.padding_begin(),
        dilation: options.dilation,
        groups: options.groups,
    };
    weight_grad(output_grad, x, geo)
}

pub(crate) fn conv_transpose2d_weight_backward(
    x: FloatTensor<Flex>,
    weight: FloatTensor<Flex>,
    output_grad: FloatTensor<Flex>,
    options: ConvTransposeOptions<2>,
) -> FloatTensor<Flex> {
    let [batch, channels_in, height, width] = dims4(&x);
    let [_, channels_out, out_height, out_width] = dims4(&output_grad);
    let [_, _, kh, kw] = dims4(&weight);
    let geo = Geometry {
        batch,
        a_channels: channels_in,
        g_channels: channels_out,
        a_size: [height, width],
        g_size: [out_height, out_width],
        kernel: [kh, kw],
        stride: options.stride,
        padding: options.padding,
        dilation: options.dilation,
        groups: options.groups,
    };
    weight_grad(x, output_grad, geo)
}

/// A bias gradient: the output gradient `[batch, channels, ...]` summed per channel.
pub(crate) fn bias_backward(output_grad: FloatTensor<Flex>) -> FloatTensor<Flex> {
    let shape = output_grad.shape();
    let (batch, channels) = (shape[0], shape[1]);
    let rest: usize = shape.as_slice()[2..].iter().product();
    let grad = output_grad.into_contiguous();
    if grad.dtype() == DType::F32 && rest > 0 {
        // Batch norm's per-channel sums: in tasks of images on the pool, each run summed in
        // eight lanes, the runs and tasks added in f64 in task order. (flex's two reductions
        // ran on one thread while the pool waited.)
        let sums: Vec<f32> = channel_sums(grad.storage::<f32>(), (batch, channels, rest), |v, _| v)
            .into_iter()
            .map(|sum| sum as f32)
            .collect();
        return tensor(sums, Shape::new([channels]));
    }
    // [batch, channels, rest] → [channels] by two reductions over contiguous views.
    let grad = Flex::float_reshape(grad, Shape::new([batch, channels, rest]));
    let grad = Flex::float_sum_dim(grad, 2);
    let grad = Flex::float_sum_dim(grad, 0);
    Flex::float_reshape(grad, Shape::new([channels]))
}

/// The forward transposed convolution in f32, or `None` for a shape this path leaves to
/// flex's own (empty tensors, padding larger than the output).
///
/// The adjoint of [`conv2d_f32`]: one matrix product per group, `col[(co, kh, kw), (b, i, j)]
/// = Σ_ci W[ci, co, kh, kw] · x[b, ci, i, j]`, then col2im adds each column into the output
/// pixel its tap reaches. flex's own path runs one small product per image and adds with
/// bounds-checked indexing; here the product covers the whole batch and the additions run
/// along the same lines as [`im2col`].
pub(crate) fn conv_transpose2d_f32(
    x: &FlexTensor,
    weight: &FlexTensor,
    bias: Option<&FlexTensor>,
    options: &ConvTransposeOptions<2>,
) -> Option<FlexTensor> {
    let [batch, channels_in, height, width] = dims4(x);
    let [_, out_per_group, kh, kw] = dims4(weight);
    let groups = options.groups;
    let channels_out = out_per_group * groups;
    let out_extent = |axis: usize, input: usize, kernel: usize| {
        ((input.checked_sub(1)?) * options.stride[axis]
            + options.dilation[axis] * (kernel.checked_sub(1)?)
            + 1
            + options.padding_out[axis])
            .checked_sub(2 * options.padding[axis])
    };
    let out = [out_extent(0, height, kh)?, out_extent(1, width, kw)?];
    let positions = height * width;
    if batch * channels_in * channels_out * positions * out[0] * out[1] == 0 {
        return None;
    }
    let geo = Geometry {
        batch,
        a_channels: channels_in,
        g_channels: channels_out,
        a_size: [height, width],
        g_size: out,
        kernel: [kh, kw],
        stride: options.stride,
        padding: options.padding,
        dilation: options.dilation,
        groups,
    };
    let x = x.to_contiguous();
    let weight = weight.to_contiguous();
    let (x, weight): (&[f32], &[f32]) = (x.storage(), weight.storage());
    let bias: Option<Vec<f32>> = bias.map(|b| b.to_contiguous().storage::<f32>().to_vec());
    let in_per_group = channels_in / groups;
    let width_k = out_per_group * kh * kw;

    let taps = Tap::all(&geo);
    let plane_len = out[0] * out[1];
    let image_out = channels_out * plane_len;
    let output = collect_image_tasks(batch * image_out, image_out, |images, out| {
        let geo = geo.with_batch(images.len());
        let x = &x[images.start * channels_in * positions..images.end * channels_in * positions];
        let samples = images.len() * positions;
        for group in 0..groups {
            let rows = &weight[group * in_per_group * width_k..][..in_per_group * width_k];
            let columns = channel_rows(x, &geo, group);
            let product = matmul(
                MatRef::row_major(rows, in_per_group, width_k).transposed(),
                MatRef::row_major(&columns, in_per_group, samples),
            );
            for (c, rows) in product.chunks_exact(taps.len() * samples).enumerate() {
                let channel = group * out_per_group + c;
                for b in 0..geo.batch {
                    // One output plane at a time: it stays in cache while every tap adds to it.
                    let plane = &mut out[(b * channels_out + channel) * plane_len..][..plane_len];
                    for_each_line(&geo, &taps, |t, paired, src, dst| {
                        let block = t * samples + b * positions;
                        if paired {
                            let second = &rows[block + samples..][src.clone()];
                            add_pair(&mut plane[dst], &rows[block..][src], second);
                        } else {
                            scatter_add(&mut plane[dst], &rows[block..][src], geo.stride[1]);
                        }
                    });
                }
            }
        }
        if let Some(bias) = &bias {
            for (pixels, &shift) in out.chunks_exact_mut(plane_len).zip(bias.iter().cycle()) {
                pixels.iter_mut().for_each(|o| *o += shift);
            }
        }
    });
    Some(tensor(
        output,
        Shape::new([batch, channels_out, out[0], out[1]]),
    ))
}
