//! Batch normalisation for training, forward and backward, on contiguous memory.
//!
//! [Latent Lab patch] burn-backend's default `batch_norm_train` and
//! `batch_norm_train_backward` gather each channel with `swap_dims(0, 1)` + `reshape`, which
//! flex materialises with a strided copy, four times per layer and step, and then run about
//! fifteen separate element-wise passes. Here the input is read as `[batch, channels, rest]`
//! (a free view of a contiguous tensor): each channel is `batch` contiguous runs of `rest`
//! elements, so the statistics need no copy, and the forward and backward passes are two
//! sweeps each. The semantics are the default's: biased batch variance, computed in two
//! passes (mean, then centred squares).

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
fn channel_sums<T: Float, F: Fn(T, usize) -> T>(
    data: &[T],
    (batch, channels, rest): (usize, usize, usize),
    f: F,
) -> Vec<f64> {
    let mut sums = vec![0.0f64; channels];
    for b in 0..batch {
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
}

fn wide<T: Float>(v: T) -> f64 {
    v.to_f64().unwrap_or(f64::NAN)
}

fn cast<T: Float>(v: f64) -> T {
    T::from(v).unwrap_or_else(T::nan)
}

fn train_typed<T: Float + Element + bytemuck::Pod>(
    x: FlexTensor,
    gamma: FlexTensor,
    beta: FlexTensor,
    epsilon: f64,
) -> (FlexTensor, FlexTensor, FlexTensor) {
    let shape = x.shape();
    let ext @ (batch, channels, rest) = extents(&shape);
    let count = (batch * rest) as f64;
    let x = x.into_contiguous();
    let data: &[T] = x.storage();
    let gamma: Vec<T> = to_vec(&gamma);
    let beta: Vec<T> = to_vec(&beta);

    let mean: Vec<T> = channel_sums(data, ext, |v, _| v)
        .into_iter()
        .map(|s| cast(s / count))
        .collect();
    let variance: Vec<T> = channel_sums(data, ext, |v, c| (v - mean[c]) * (v - mean[c]))
        .into_iter()
        .map(|s| cast(s / count))
        .collect();

    // y = (x − μ)·scale + β per channel, with scale = γ/√(σ²+ε). (Folding μ into the shift
    // would save a subtraction but lose precision when |μ| ≫ σ.)
    let eps: T = cast(epsilon);
    let scale: Vec<T> = (0..channels)
        .map(|c| gamma[c] / (variance[c] + eps).sqrt())
        .collect();
    let mut output = Vec::with_capacity(data.len());
    for (row, run) in data.chunks_exact(rest.max(1)).enumerate() {
        let c = row % channels;
        let (m, a, b) = (mean[c], scale[c], beta[c]);
        output.extend(run.iter().map(|&v| (v - m) * a + b));
    }

    (
        tensor(output, shape),
        tensor(mean, Shape::new([channels])),
        tensor(variance, Shape::new([channels])),
    )
}

fn backward_typed<T: Float + Element + bytemuck::Pod>(
    x: FlexTensor,
    gamma: FlexTensor,
    mean: FlexTensor,
    variance: FlexTensor,
    epsilon: f64,
    output_grad: FlexTensor,
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
    // (dy, x) of each run.
    let mut beta_grad = vec![0.0f64; channels];
    let mut gamma_grad = vec![0.0f64; channels];
    let width = rest.max(1);
    for (row, (g_run, x_run)) in grad
        .chunks_exact(width)
        .zip(x.chunks_exact(width))
        .enumerate()
    {
        let c = row % channels;
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
        beta_grad[c] += wide(tg);
        gamma_grad[c] += wide(tgx);
    }

    // Sweep 2: dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)), with x̂ = (x − μ)/σ, written as
    // dx = a·dy + b·(x − μ) + k per channel.
    let mut x_grad = Vec::with_capacity(x.len());
    let coefficients: Vec<(T, T, T, T)> = (0..channels)
        .map(|c| {
            let scale = gamma[c] * inv_std[c];
            let mean_g: T = cast(beta_grad[c] / count);
            let mean_gx: T = cast(gamma_grad[c] / count);
            (
                scale,
                -scale * mean_gx * inv_std[c],
                -scale * mean_g,
                mean[c],
            )
        })
        .collect();
    for (row, (g_run, x_run)) in grad
        .chunks_exact(width)
        .zip(x.chunks_exact(width))
        .enumerate()
    {
        let (a, b, k, m) = coefficients[row % channels];
        x_grad.extend(
            g_run
                .iter()
                .zip(x_run)
                .map(|(&g, &v)| a * g + b * (v - m) + k),
        );
    }

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

pub(crate) fn batch_norm_train(
    x: FloatTensor<Flex>,
    gamma: FloatTensor<Flex>,
    beta: FloatTensor<Flex>,
    epsilon: f64,
) -> BatchNormTrain<Flex> {
    let [output, mean, variance] = match x.dtype() {
        DType::F32 => {
            let (o, m, v) = train_typed::<f32>(x, gamma, beta, epsilon);
            [o, m, v]
        }
        DType::F64 => {
            let (o, m, v) = train_typed::<f64>(x, gamma, beta, epsilon);
            [o, m, v]
        }
        dtype => in_f32(dtype, [x, gamma, beta], |[x, gamma, beta]| {
            let (o, m, v) = train_typed::<f32>(x, gamma, beta, epsilon);
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
    let [x_grad, gamma_grad, beta_grad] = match x.dtype() {
        DType::F32 => {
            let (x, g, b) = backward_typed::<f32>(x, gamma, mean, variance, epsilon, output_grad);
            [x, g, b]
        }
        DType::F64 => {
            let (x, g, b) = backward_typed::<f64>(x, gamma, mean, variance, epsilon, output_grad);
            [x, g, b]
        }
        dtype => in_f32(
            dtype,
            [x, gamma, mean, variance, output_grad],
            |[x, gamma, mean, variance, output_grad]| {
                let (x, g, b) =
                    backward_typed::<f32>(x, gamma, mean, variance, epsilon, output_grad);
                [x, g, b]
            },
        ),
    };
    BatchNormTrainBackward::new(x_grad, gamma_grad, beta_grad)
}
