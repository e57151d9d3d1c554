//! Batch normalisation for training, forward and backward, and with given statistics
//! (inference), on contiguous memory.
//!
//! [Latent Lab patch] burn-backend's default `batch_norm_train` and
//! `batch_norm_train_backward` gather each channel with `swap_dims(0, 1)` + `reshape`, which
//! flex materialises with a strided copy, four times per layer and step, and then run about
//! fifteen separate element-wise passes. Here the input is read as `[batch, channels, rest]`
//! (a free view of a contiguous tensor): each channel is `batch` contiguous runs of `rest`
//! elements, so the statistics need no copy, and the forward and backward passes are two
//! sweeps each. The semantics are the default's: biased batch variance, computed in two
//! passes (mean, then centred squares).
//!
//! [Latent Lab patch] With given statistics (`batch_norm`, a model in evaluation), the default
//! makes four broadcast passes (subtract, divide, multiply, add), which flex runs on one
//! thread; here it is one sweep with the same four operations per element, in the same order,
//! so the same bits (in f32 and f64; f16 and bf16 are computed in f32, as in training). This
//! sweep stays on one thread (see `apply_typed`).
//!
//! Every training sweep runs in tasks of a few images (`ops::tasks`), on rayon's pool when
//! there is one: the sums per task in f64, added in task order, so the thread count changes
//! nothing.
//!
//! [Latent Lab patch] Synchronised batch norm ([`batch_norm_train_synced`],
//! [`batch_norm_train_backward_synced`]): when copies of a model each train on part of a batch
//! (data-parallel training), every per-channel sum above goes through a caller's `reduce`,
//! which replaces this copy's sums (and, as the last element, the count of values behind them)
//! with the sums over every copy. The statistics and the input's gradient are then the whole
//! batch's; γ's and β's gradients stay this copy's share, since the caller adds the copies'
//! parameter gradients. Without a reduce (`batch_norm_train`) the code path is the same, with
//! the same bits as before.

use alloc::vec;
use alloc::vec::Vec;
use burn_backend::{
    DType, Element, TensorMetadata,
    ops::{BatchNormTrain, BatchNormTrainBackward},
    tensor::FloatTensor,
};
use burn_std::{Bytes, Shape, bf16, f16};
use num_traits::Float;

use crate::ops::module::{cast_from_f32, cast_to_f32};
use crate::ops::tasks::{map_image_tasks, write_image_tasks};
use crate::{Flex, FlexTensor, Layout};

/// `x` as `[batch, channels, rest]`: the three extents of a `[batch, channels, ...]` tensor.
fn extents(shape: &Shape) -> (usize, usize, usize) {
    let dims = shape.as_slice();
    assert!(
        dims.len() >= 2,
        "batch_norm: input must have at least 2 dims, got {dims:?}"
    );
    let rest = dims[2..].iter().product();
    (dims[0], dims[1], rest)
}

fn to_vec<T: Element + bytemuck::Pod>(tensor: &FlexTensor) -> Vec<T> {
    tensor.to_contiguous().storage::<T>().to_vec()
}

fn tensor<T: Element + bytemuck::Pod>(data: Vec<T>, shape: Shape) -> FlexTensor {
    FlexTensor::new(
        Bytes::from_elems(data),
        Layout::contiguous(shape),
        T::dtype(),
    )
}

/// Sums of `f(value, channel)` per channel over a `[batch, channels, rest]` buffer,
/// accumulated per run in eight lanes (so the loop vectorises) and across runs in f64.
pub(crate) fn channel_sums<T, F>(
    data: &[T],
    (batch, channels, rest): (usize, usize, usize),
    f: F,
) -> Vec<f64>
where
    T: Float + Send + Sync,
    F: Fn(T, usize) -> T + Send + Sync,
{
    let partials = map_image_tasks(batch, |images| {
        let mut sums = vec![0.0f64; channels];
        for b in images {
            for (c, sum) in sums.iter_mut().enumerate() {
                let start = (b * channels + c) * rest;
                let run = &data[start..start + rest];
                let mut lanes = [T::zero(); 8];
                let mut chunks = run.chunks_exact(8);
                for chunk in &mut chunks {
                    for (lane, &v) in lanes.iter_mut().zip(chunk) {
                        *lane = *lane + f(v, c);
                    }
                }
                let mut total = chunks
                    .remainder()
                    .iter()
                    .fold(T::zero(), |acc, &v| acc + f(v, c));
                for lane in lanes {
                    total = total + lane;
                }
                *sum += wide(total);
            }
        }
        sums
    });
    add_in_order(partials, channels)
}

/// The element-wise sum of per-task partial sums, added in task order.
fn add_in_order(partials: Vec<Vec<f64>>, len: usize) -> Vec<f64> {
    let mut total = vec![0.0f64; len];
    for partial in partials {
        total.iter_mut().zip(partial).for_each(|(t, p)| *t += p);
    }
    total
}

/// `out[i] = row_op(row)([x[i] for x in inputs])` for `[batch, channels, rest]` buffers,
/// `row = b·channels + c` numbering their runs of `rest`, split by images.
fn map_runs<T, F, G, const N: usize>(
    inputs: [&[T]; N],
    (batch, channels, rest): (usize, usize, usize),
    row_op: F,
) -> Vec<T>
where
    T: Float + Default + Send + Sync,
    F: Fn(usize) -> G + Send + Sync,
    G: Fn([T; N]) -> T,
{
    if batch * channels * rest == 0 {
        return Vec::new();
    }
    // Every slot is written: the buffer is not zeroed first.
    write_image_tasks(batch * channels * rest, channels * rest, |images, out| {
        let first_row = images.start * channels;
        for (r, o_run) in out.chunks_exact_mut(rest).enumerate() {
            let row = first_row + r;
            let runs = inputs.map(|x| &x[row * rest..][..rest]);
            let op = row_op(row);
            for (k, o) in o_run.iter_mut().enumerate() {
                o.write(op(runs.map(|run| run[k])));
            }
        }
    })
}

/// [Latent Lab patch] Replaces per-channel sums of this copy of a model, followed by the count
/// of values behind them, with the sums and count over every copy that trains on the batch
/// (the same values on each copy). Training on the whole batch passes [`whole_batch`].
pub type ReduceSums<'a> = &'a (dyn Fn(&mut [f64]) + Sync);

/// The reduce of a batch that one copy holds whole: the sums are already the batch's.
fn whole_batch(_: &mut [f64]) {}

/// `sums` followed by `count`, reduced over every copy: the sums and the count back.
fn reduced(mut sums: Vec<f64>, count: f64, reduce: ReduceSums) -> (Vec<f64>, f64) {
    sums.push(count);
    reduce(&mut sums);
    let count = sums.pop().unwrap_or(f64::NAN);
    (sums, count)
}

fn wide<T: Float>(v: T) -> f64 {
    v.to_f64().unwrap_or(f64::NAN)
}

fn cast<T: Float>(v: f64) -> T {
    T::from(v).unwrap_or_else(T::nan)
}

fn train_typed<T: Float + Element + bytemuck::Pod + Default + Send + Sync>(
    x: FlexTensor,
    gamma: FlexTensor,
    beta: FlexTensor,
    epsilon: f64,
    reduce: ReduceSums,
) -> (FlexTensor, FlexTensor, FlexTensor) {
    let shape = x.shape();
    let ext @ (batch, channels, rest) = extents(&shape);
    let count = (batch * rest) as f64;
    let x = x.into_contiguous();
    let data: &[T] = x.storage();
    let gamma: Vec<T> = to_vec(&gamma);
    let beta: Vec<T> = to_vec(&beta);

    let (sums, total) = reduced(channel_sums(data, ext, |v, _| v), count, reduce);
    let mean: Vec<T> = sums.into_iter().map(|s| cast(s / total)).collect();
    let (sums, total) = reduced(
        channel_sums(data, ext, |v, c| (v - mean[c]) * (v - mean[c])),
        count,
        reduce,
    );
    let variance: Vec<T> = sums.into_iter().map(|s| cast(s / total)).collect();

    // y = (x − μ)·scale + β per channel, with scale = γ/√(σ²+ε). (Folding μ into the shift
    // would save a subtraction but lose precision when |μ| ≫ σ.)
    let eps: T = cast(epsilon);
    let scale: Vec<T> = (0..channels)
        .map(|c| gamma[c] / (variance[c] + eps).sqrt())
        .collect();
    let output = map_runs([data], ext, |row| {
        let c = row % channels;
        let (m, a, b) = (mean[c], scale[c], beta[c]);
        move |[v]: [T; 1]| (v - m) * a + b
    });

    (
        tensor(output, shape),
        tensor(mean, Shape::new([channels])),
        tensor(variance, Shape::new([channels])),
    )
}

/// `x` normalised with the given per-channel statistics, then scaled and shifted.
fn apply_typed<T: Float + Element + bytemuck::Pod + Default + Send + Sync>(
    [x, gamma, beta, mean, variance]: [FlexTensor; 5],
    epsilon: f64,
) -> FlexTensor {
    let shape = x.shape();
    let (_, channels, rest) = extents(&shape);
    let x = x.into_contiguous();
    let data: &[T] = x.storage();
    let [gamma, beta, mean, variance] = [gamma, beta, mean, variance].map(|t| {
        let values = to_vec::<T>(&t);
        assert_eq!(
            values.len(),
            channels,
            "batch_norm: {channels} channels, but statistics or parameters of {}",
            values.len()
        );
        values
    });
    // The default's order: std = √(σ² + ε) per channel, then ((x − μ) / std)·γ + β.
    let eps: T = cast(epsilon);
    let std: Vec<T> = variance.iter().map(|&v| (v + eps).sqrt()).collect();
    // On the calling thread on purpose: in image tasks on the pool this sweep was up to 1.7x
    // faster a call natively, but no faster in the page, and one sitting measured the page's
    // two-thread training 5 % slower with it (docs/performance.md).
    let mut output = Vec::with_capacity(data.len());
    if rest > 0 {
        for (row, run) in data.chunks_exact(rest).enumerate() {
            let c = row % channels;
            let (m, s, g, b) = (mean[c], std[c], gamma[c], beta[c]);
            output.extend(run.iter().map(|&v| (v - m) / s * g + b));
        }
    }
    tensor(output, shape)
}

fn backward_typed<T: Float + Element + bytemuck::Pod + Default + Send + Sync>(
    x: FlexTensor,
    gamma: FlexTensor,
    mean: FlexTensor,
    variance: FlexTensor,
    epsilon: f64,
    output_grad: FlexTensor,
    reduce: ReduceSums,
) -> (FlexTensor, FlexTensor, FlexTensor) {
    let shape = x.shape();
    let (batch, channels, rest) = extents(&shape);
    let count = (batch * rest) as f64;
    let x = x.into_contiguous();
    let grad = output_grad.into_contiguous();
    let (x, grad): (&[T], &[T]) = (x.storage(), grad.storage());
    let gamma: Vec<T> = to_vec(&gamma);
    let mean: Vec<T> = to_vec(&mean);
    let eps: T = cast(epsilon);
    let inv_std: Vec<T> = to_vec::<T>(&variance)
        .into_iter()
        .map(|v| (v + eps).sqrt().recip())
        .collect();

    // Sweep 1: β's gradient Σ dy and γ's gradient Σ dy·x̂ per channel, from the pairs
    // (dy, x) of each run: per task `[Σ dy per channel, Σ dy·x̂ per channel]`.
    let partials = map_image_tasks(batch, |images| {
        let mut sums = vec![0.0f64; 2 * channels];
        for b in images {
            for c in 0..channels {
                let start = (b * channels + c) * rest;
                let (g_run, x_run) = (&grad[start..start + rest], &x[start..start + rest]);
                let (m, s) = (mean[c], inv_std[c]);
                let mut sum_g = [T::zero(); 8];
                let mut sum_gx = [T::zero(); 8];
                let mut g_chunks = g_run.chunks_exact(8);
                let mut x_chunks = x_run.chunks_exact(8);
                for (gs, xs) in (&mut g_chunks).zip(&mut x_chunks) {
                    for i in 0..8 {
                        sum_g[i] = sum_g[i] + gs[i];
                        sum_gx[i] = sum_gx[i] + gs[i] * (xs[i] - m) * s;
                    }
                }
                let (mut tg, mut tgx) = (T::zero(), T::zero());
                for (&g, &v) in g_chunks.remainder().iter().zip(x_chunks.remainder()) {
                    tg = tg + g;
                    tgx = tgx + g * (v - m) * s;
                }
                for i in 0..8 {
                    tg = tg + sum_g[i];
                    tgx = tgx + sum_gx[i];
                }
                sums[c] += wide(tg);
                sums[channels + c] += wide(tgx);
            }
        }
        sums
    });
    let mut sums = add_in_order(partials, 2 * channels);
    // Over every copy of the model for the input's gradient; this copy's own for γ and β.
    let (mut batch_sums, count) = reduced(sums.clone(), count, reduce);
    let gamma_grad = sums.split_off(channels);
    let beta_grad = sums;
    let batch_gamma_grad = batch_sums.split_off(channels);
    let batch_beta_grad = batch_sums;

    // Sweep 2: dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)), with x̂ = (x − μ)/σ, written as
    // dx = a·dy + b·(x − μ) + k per channel.
    let coefficients: Vec<(T, T, T, T)> = (0..channels)
        .map(|c| {
            let scale = gamma[c] * inv_std[c];
            let mean_g: T = cast(batch_beta_grad[c] / count);
            let mean_gx: T = cast(batch_gamma_grad[c] / count);
            (
                scale,
                -scale * mean_gx * inv_std[c],
                -scale * mean_g,
                mean[c],
            )
        })
        .collect();
    let x_grad = map_runs([grad, x], (batch, channels, rest), |row| {
        let (a, b, k, m) = coefficients[row % channels];
        move |[g, v]: [T; 2]| a * g + b * (v - m) + k
    });

    let per_channel = || Shape::new([channels]);
    (
        tensor(x_grad, shape),
        tensor(
            gamma_grad.into_iter().map(cast::<T>).collect(),
            per_channel(),
        ),
        tensor(
            beta_grad.into_iter().map(cast::<T>).collect(),
            per_channel(),
        ),
    )
}

/// Runs `f` in f32 for half-precision inputs, casting every tensor in and out.
fn in_f32<const N: usize, const M: usize>(
    dtype: DType,
    inputs: [FlexTensor; N],
    f: impl FnOnce([FlexTensor; N]) -> [FlexTensor; M],
) -> [FlexTensor; M] {
    match dtype {
        DType::F16 => {
            f(inputs.map(|t| cast_to_f32(t, f16::to_f32))).map(|t| cast_from_f32(t, f16::from_f32))
        }
        DType::BF16 => f(inputs.map(|t| cast_to_f32(t, bf16::to_f32)))
            .map(|t| cast_from_f32(t, bf16::from_f32)),
        dtype => panic!("batch_norm: unsupported dtype {dtype:?}"),
    }
}

pub(crate) fn batch_norm(
    x: FloatTensor<Flex>,
    gamma: FloatTensor<Flex>,
    beta: FloatTensor<Flex>,
    mean: FloatTensor<Flex>,
    variance: FloatTensor<Flex>,
    epsilon: f64,
) -> FloatTensor<Flex> {
    let inputs = [x, gamma, beta, mean, variance];
    match inputs[0].dtype() {
        DType::F32 => apply_typed::<f32>(inputs, epsilon),
        DType::F64 => apply_typed::<f64>(inputs, epsilon),
        dtype => {
            let [output] = in_f32(dtype, inputs, |inputs| {
                [apply_typed::<f32>(inputs, epsilon)]
            });
            output
        }
    }
}

pub(crate) fn batch_norm_train(
    x: FloatTensor<Flex>,
    gamma: FloatTensor<Flex>,
    beta: FloatTensor<Flex>,
    epsilon: f64,
) -> BatchNormTrain<Flex> {
    batch_norm_train_synced(x, gamma, beta, epsilon, &whole_batch)
}

/// [Latent Lab patch] `batch_norm_train` on this copy's part of a batch, with the statistics of
/// the whole batch: every per-channel sum and its count go through `reduce` ([`ReduceSums`]).
pub fn batch_norm_train_synced(
    x: FloatTensor<Flex>,
    gamma: FloatTensor<Flex>,
    beta: FloatTensor<Flex>,
    epsilon: f64,
    reduce: ReduceSums,
) -> BatchNormTrain<Flex> {
    let [output, mean, variance] = match x.dtype() {
        DType::F32 => {
            let (o, m, v) = train_typed::<f32>(x, gamma, beta, epsilon, reduce);
            [o, m, v]
        }
        DType::F64 => {
            let (o, m, v) = train_typed::<f64>(x, gamma, beta, epsilon, reduce);
            [o, m, v]
        }
        dtype => in_f32(dtype, [x, gamma, beta], |[x, gamma, beta]| {
            let (o, m, v) = train_typed::<f32>(x, gamma, beta, epsilon, reduce);
            [o, m, v]
        }),
    };
    BatchNormTrain::new(output, mean, variance)
}

pub(crate) fn batch_norm_train_backward(
    x: FloatTensor<Flex>,
    gamma: FloatTensor<Flex>,
    mean: FloatTensor<Flex>,
    variance: FloatTensor<Flex>,
    epsilon: f64,
    output_grad: FloatTensor<Flex>,
) -> BatchNormTrainBackward<Flex> {
    batch_norm_train_backward_synced(x, gamma, mean, variance, epsilon, output_grad, &whole_batch)
}

/// [Latent Lab patch] `batch_norm_train_backward` of [`batch_norm_train_synced`]: the input's
/// gradient is the whole batch's (its per-channel sums go through `reduce`), γ's and β's are
/// this copy's share, to be added to the other copies' like any parameter gradient.
pub fn batch_norm_train_backward_synced(
    x: FloatTensor<Flex>,
    gamma: FloatTensor<Flex>,
    mean: FloatTensor<Flex>,
    variance: FloatTensor<Flex>,
    epsilon: f64,
    output_grad: FloatTensor<Flex>,
    reduce: ReduceSums,
) -> BatchNormTrainBackward<Flex> {
    let [x_grad, gamma_grad, beta_grad] = match x.dtype() {
        DType::F32 => {
            let (x, g, b) =
                backward_typed::<f32>(x, gamma, mean, variance, epsilon, output_grad, reduce);
            [x, g, b]
        }
        DType::F64 => {
            let (x, g, b) =
                backward_typed::<f64>(x, gamma, mean, variance, epsilon, output_grad, reduce);
            [x, g, b]
        }
        dtype => in_f32(
            dtype,
            [x, gamma, mean, variance, output_grad],
            |[x, gamma, mean, variance, output_grad]| {
                let (x, g, b) =
                    backward_typed::<f32>(x, gamma, mean, variance, epsilon, output_grad, reduce);
                [x, g, b]
            },
        ),
    };
    BatchNormTrainBackward::new(x_grad, gamma_grad, beta_grad)
}
