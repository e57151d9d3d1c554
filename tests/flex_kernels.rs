//! The project patches burn-flex (`vendor/burn-flex`) with its own kernels for batch norm in
//! training, for convolution weight and bias gradients, for the f32 convolution and
//! transposed convolution, and for the f32 sigmoid. These tests hold them against burn's
//! reference implementations, which the ndarray backend still runs: the same module, weights
//! and input on both backends must give the same outputs, running statistics and gradients.
//! The sigmoid is also checked against the exact formula in f64. The kernels split their work
//! into tasks (`ops::tasks`): the tests here run them on pools of one and four threads, at
//! sizes that fill whole tasks and leave a short last one.

#![cfg(all(not(target_arch = "wasm32"), feature = "ndarray"))]

mod common;
use common::collect;
#[path = "cases/tiled_matmul.rs"]
mod tiled_matmul_cases;

use burn::module::Module;
use burn::nn::conv::{Conv2dConfig, ConvTranspose2dConfig};
use burn::nn::{BatchNormConfig, PaddingConfig2d};
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::store::{ModuleSnapshot, SafetensorsStore};
use latent_lab::BackendKind;
use latent_lab::model::{Architecture, AutoencoderConfig};

fn flex() -> Device {
    BackendKind::Flex.init().unwrap().device.autodiff()
}

fn ndarray() -> Device {
    BackendKind::Ndarray.init().unwrap().device.autodiff()
}

/// `module`'s parameters, buffers included, loaded into `target` (built on another device).
fn copy_weights<M: ModuleSnapshot>(module: &M, mut target: M) -> M {
    let mut store = SafetensorsStore::from_bytes(None);
    module.save_into(&mut store).unwrap();
    let bytes = store.get_bytes().unwrap();
    let mut store = SafetensorsStore::from_bytes(Some(bytes)).allow_partial(false);
    target.load_from(&mut store).unwrap();
    target
}

/// Deterministic values in [-1, 1) (a 32-bit LCG), so both backends see the same input.
fn values(n: usize, seed: u32) -> Vec<f32> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 8) as f32 / (1u32 << 23) as f32 - 1.0
        })
        .collect()
}

fn tensor<const D: usize>(shape: [usize; D], seed: u32, device: &Device) -> Tensor<D> {
    let n = shape.iter().product();
    Tensor::from_data(TensorData::new(values(n, seed), shape), device)
}

/// Below this, a gradient is rounding noise around 0 (the largest real ones here are 0.01–1).
const VANISHING: f32 = 1e-4;

fn largest(values: &[f32]) -> f32 {
    values.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Largest |a − b| relative to the largest |b| (or to 1e-3 if that is smaller).
fn relative_error(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    let scale = largest(b).max(1e-3);
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
        / scale
}

fn assert_close(what: &str, flex: &[f32], reference: &[f32]) {
    let error = relative_error(flex, reference);
    assert!(
        error < 1e-4,
        "{what}: flex differs from the reference by {error:e} (relative to its largest value)"
    );
}

/// Runs `forward` on both backends from the same weights and input, backpropagates
/// Σ output·w for a fixed w, and compares outputs, the input's gradient, and every
/// parameter's value (running statistics are updated by the forward pass) and gradient.
fn compare<M, const D: usize, const O: usize>(
    name: &str,
    make: impl Fn(&Device) -> M,
    input_shape: [usize; D],
    forward: impl Fn(&M, Tensor<D>) -> Tensor<O>,
) where
    M: Module + ModuleSnapshot + Clone,
{
    let (flex, reference) = (flex(), ndarray());
    // Fixed weights: where a ReLU's input lies within rounding of 0, the two backends' sums
    // (in different orders) can land on either side of the kink and send a whole gradient
    // path another way. Found on CI: about 1 random initialisation in 75 of the three-layer
    // model does that (a few images' input gradients off by 1e-3–4e-2, the same on every
    // run of that seed, so a kink and not a race); seed 0 has no activation that close.
    flex.seed(0);
    let module_flex = make(&flex);
    let module_ref = copy_weights(&module_flex, make(&reference));

    let run = |module: &M, device: &Device| {
        let x = tensor(input_shape, 7, device).require_grad();
        let y = forward(module, x.clone());
        let weights = tensor(y.dims(), 11, device);
        let out = y.clone().into_data().try_to_vec::<f32>().unwrap();
        let grads = (y * weights).sum().backward();
        let x_grad = x
            .grad(&grads)
            .unwrap()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        let params = GradientsParams::from_grads(grads, module);
        (out, x_grad, collect(module, &params))
    };
    let (out_f, x_grad_f, params_f) = run(&module_flex, &flex);
    let (out_r, x_grad_r, params_r) = run(&module_ref, &reference);

    assert_close(&format!("{name}: output"), &out_f, &out_r);
    assert_close(&format!("{name}: input gradient"), &x_grad_f, &x_grad_r);
    assert_eq!(params_f.len(), params_r.len());
    let mut with_grad = 0;
    for ((path, value_f, grad_f), (_, value_r, grad_r)) in params_f.iter().zip(&params_r) {
        assert_close(&format!("{name}: {path}"), value_f, value_r);
        match (grad_f, grad_r) {
            // A convolution's bias just before a batch norm: its true gradient is 0 (the norm
            // subtracts the batch mean), and each backend returns its own rounding noise.
            (Some(f), Some(r)) if largest(r) < VANISHING => {
                assert!(
                    largest(f) < VANISHING,
                    "{name}: gradient of {path} is {:e} on flex, about 0 on the reference",
                    largest(f)
                );
                with_grad += 1;
            }
            (Some(f), Some(r)) => {
                assert_close(&format!("{name}: gradient of {path}"), f, r);
                with_grad += 1;
            }
            (None, None) => {}
            _ => panic!("{name}: {path} has a gradient on one backend only"),
        }
    }
    assert!(with_grad > 0, "{name}: no parameter gradient compared");
}

#[test]
fn every_autoencoder_trains_as_on_the_reference_backend() {
    for architecture in [
        Architecture::OneLayer,
        Architecture::TwoLayer,
        Architecture::ThreeLayer,
    ] {
        compare(
            &format!("{architecture}"),
            |device| AutoencoderConfig::new(architecture, 20).init(device),
            [16, 1, 28, 28],
            |m, x| {
                // Images in [0, 1], as in training; MSE against the input is the objective.
                let images = (x + 1.0) / 2.0;
                (m.forward(images.clone()) - images)
                    .powf_scalar(2.0)
                    .mean_dim(0)
            },
        );
    }
}

#[test]
fn strided_dilated_grouped_convolutions_match_the_reference() {
    let conv = Conv2dConfig::new([4, 6], [3, 2])
        .with_stride([2, 3])
        .with_dilation([2, 1])
        .with_groups(2)
        .with_padding(PaddingConfig2d::Explicit(1, 0, 2, 1));
    compare(
        "conv2d",
        |d| conv.init(d),
        [3, 4, 11, 10],
        |m, x| m.forward(x),
    );

    // Symmetric padding takes the im2col path of the forward pass (asymmetric goes to flex's).
    let conv = Conv2dConfig::new([4, 6], [3, 2])
        .with_stride([2, 3])
        .with_dilation([2, 1])
        .with_groups(2)
        .with_padding(PaddingConfig2d::Explicit(2, 1, 2, 1));
    compare(
        "conv2d, symmetric padding",
        |d| conv.init(d),
        [3, 4, 11, 10],
        |m, x| m.forward(x),
    );

    // Stride 1 copies and adds whole lines instead of every stride-th element.
    let conv =
        Conv2dConfig::new([3, 5], [3, 3]).with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1));
    compare(
        "conv2d, stride 1",
        |d| conv.init(d),
        [2, 3, 7, 6],
        |m, x| m.forward(x),
    );
    let deconv = ConvTranspose2dConfig::new([3, 5], [3, 3]).with_padding([1, 1]);
    compare(
        "conv_transpose2d, stride 1",
        |d| deconv.init(d),
        [2, 3, 7, 6],
        |m, x| m.forward(x),
    );

    // Stride 2 along the width takes neighbouring taps in one pass (one span, alternate
    // values); the padding clips some taps' lines, so that pairs and lone taps mix.
    let conv = Conv2dConfig::new([3, 4], [3, 4])
        .with_stride([1, 2])
        .with_padding(PaddingConfig2d::Explicit(1, 2, 1, 2));
    compare(
        "conv2d, stride 2 along the width, padded",
        |d| conv.init(d),
        [3, 3, 7, 11],
        |m, x| m.forward(x),
    );
    let deconv = ConvTranspose2dConfig::new([3, 4], [3, 4])
        .with_stride([1, 2])
        .with_padding([1, 2])
        .with_padding_out([0, 1]);
    compare(
        "conv_transpose2d, stride 2 along the width, padded",
        |d| deconv.init(d),
        [3, 3, 6, 7],
        |m, x| m.forward(x),
    );

    let deconv = ConvTranspose2dConfig::new([4, 6], [3, 4])
        .with_stride([2, 3])
        .with_dilation([1, 2])
        .with_groups(2)
        .with_padding([1, 2])
        .with_padding_out([1, 2]);
    compare(
        "conv_transpose2d",
        |d| deconv.init(d),
        [3, 4, 5, 6],
        |m, x| m.forward(x),
    );
}

#[test]
fn batch_norm_matches_the_reference_at_every_rank() {
    // Shifted and scaled input, so the statistics are far from 0 and 1, and odd extents, so
    // the kernels' eight-lane loops have remainders.
    let norm = |d: &Device| BatchNormConfig::new(5).init(d);
    compare("batch norm, rank 4", norm, [3, 5, 7, 3], |m, x| {
        m.forward(x * 3.0 + 2.0)
    });
    compare("batch norm, rank 3", norm, [4, 5, 13], |m, x| {
        m.forward(x * 0.5 - 4.0)
    });
    compare("batch norm, rank 2", norm, [9, 5], |m, x| m.forward(x));
}

/// Batch norm with given statistics (a model in evaluation) on `device`: an input of `shape`
/// far from 0 and 1, and statistics and parameters of its channels.
fn normalised<const D: usize>(shape: [usize; D], device: &Device) -> Vec<f32> {
    let channels = shape[1];
    let x = tensor(shape, 1, device) * 3.0 + 2.0;
    let mean = tensor([channels], 2, device) + 2.0;
    let variance = tensor([channels], 3, device).abs() * 9.0 + 0.01;
    let gamma = tensor([channels], 4, device);
    let beta = tensor([channels], 5, device);
    floats(burn::tensor::module::batch_norm(
        x, gamma, beta, mean, variance, 1e-5,
    ))
}

#[test]
fn batch_norm_with_given_statistics_has_the_defaults_bits() {
    // flex normalises in one sweep where burn's default (which ndarray runs) makes four
    // broadcast passes; the operations per element are the same, in the same order, so every
    // bit must match: at ranks 2 to 4, with 3, 9 and 17 images, in pools of one thread and
    // four (the sweep stays on the calling thread, so the pool must change nothing).
    let flex = BackendKind::Flex.init().unwrap().device;
    let reference = BackendKind::Ndarray.init().unwrap().device;
    for batch in [3, 9, 17] {
        let run = |device: &Device| {
            [
                normalised([batch, 5, 7, 3], device),
                normalised([batch, 5, 13], device),
                normalised([batch, 5], device),
            ]
        };
        let (one, four) = on_one_and_four_threads(|| run(&flex));
        for (rank, ((one, four), reference)) in
            one.iter().zip(&four).zip(run(&reference)).enumerate()
        {
            let what = format!("batch {batch}, rank {}", 4 - rank);
            assert_eq!(one, four, "{what}: 1 and 4 threads differ");
            let differing = four
                .iter()
                .zip(&reference)
                .filter(|(a, b)| a.to_bits() != b.to_bits());
            assert_eq!(
                differing.count(),
                0,
                "{what}: bits differ from the default's"
            );
            assert!(four.iter().all(|v| v.is_finite()), "{what}: not finite");
        }
    }
}

#[test]
fn sigmoid_is_accurate_over_the_whole_float_range() {
    // flex's sigmoid is a branch-free polynomial exp (so it vectorises); hold it against the
    // f64 formula, from where it is 0 in f32 to where it is 1, NaN and infinities included.
    let inputs: Vec<f32> = (-2_000..=2_000)
        .map(|i| i as f32 * 0.05)
        .chain([f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.0, 1e-30, -1e-30])
        .collect();
    let device = BackendKind::Flex.init().unwrap().device;
    let sigmoid = |values: &[f32]| {
        let input = TensorData::new(values.to_vec(), [values.len()]);
        burn::tensor::activation::sigmoid(Tensor::<1>::from_data(input, &device))
            .into_data()
            .try_to_vec::<f32>()
            .unwrap()
    };
    let output = sigmoid(&inputs);
    for (&x, &y) in inputs.iter().zip(&output) {
        let exact = 1.0 / (1.0 + (-(x as f64)).exp());
        let error = (y as f64 - exact).abs();
        // Four units in the last place, or below the smallest normal float where the exact
        // value is itself subnormal.
        let allowed = (4.0 * f32::EPSILON as f64 * exact).max(f32::MIN_POSITIVE as f64);
        assert!(error <= allowed, "sigmoid({x}) = {y}, exact {exact:e}");
    }
    assert_eq!(output[inputs.len() - 4], 0.5);
    assert!(sigmoid(&[f32::NAN])[0].is_nan());
}

/// One forward and backward pass of `model` on `input` inside a rayon pool of `threads`
/// threads: the reconstructions, then every parameter's gradient by path.
fn pass_on_threads<M: Module + Sync>(
    threads: usize,
    model: &M,
    input: &Tensor<4>,
    forward: impl Fn(&M, Tensor<4>) -> Tensor<4> + Send + Sync,
) -> (Vec<f32>, Vec<(String, Vec<f32>)>) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let output = forward(model, input.clone());
        let loss = (output.clone() - input.clone()).powf_scalar(2.0).mean();
        let grads = GradientsParams::from_grads(loss.backward(), model);
        let params = collect(model, &grads)
            .into_iter()
            .filter_map(|(path, _, grad)| Some((path, grad?)))
            .collect();
        (output.into_data().try_to_vec::<f32>().unwrap(), params)
    })
}

#[test]
fn one_thread_and_four_give_the_same_step() {
    // flex's kernels split a batch into tasks of a few images (vendor/burn-flex, ops::tasks)
    // and run them on rayon's pool. 69 images: full tasks and a short last one.
    let device = flex();
    for architecture in [
        Architecture::OneLayer,
        Architecture::TwoLayer,
        Architecture::ThreeLayer,
    ] {
        let model = AutoencoderConfig::new(architecture, 20).init(&device);
        let input = (tensor([69, 1, 28, 28], 5, &device) + 1.0) / 2.0;
        let forward = |m: &latent_lab::model::Autoencoder, x: Tensor<4>| m.forward(x);
        let (out_1, grads_1) = pass_on_threads(1, &model, &input, forward);
        let (out_4, grads_4) = pass_on_threads(4, &model, &input, forward);
        let close = |a: &[f32], b: &[f32]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-5)
        };
        assert!(
            close(&out_1, &out_4),
            "{architecture}: outputs differ by thread count"
        );
        assert_eq!(grads_1.len(), grads_4.len());
        assert!(grads_1.len() >= 10, "{architecture}: too few gradients");
        for ((path, g1), (_, g4)) in grads_1.iter().zip(&grads_4) {
            assert!(
                close(g1, g4),
                "{architecture}: the gradient of {path} differs between 1 and 4 threads \
                 (largest difference {:e})",
                g1.iter()
                    .zip(g4)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f32::max)
            );
        }
    }
}

/// The same computation in a rayon pool of one thread and of four.
fn on_one_and_four_threads<R: Send>(f: impl Fn() -> R + Send + Sync) -> (R, R) {
    let pool = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    };
    (pool(1).install(&f), pool(4).install(&f))
}

fn floats<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_to_vec::<f32>().unwrap()
}

#[test]
fn element_wise_passes_cover_every_element_on_any_thread_count() {
    // flex runs an element-wise pass over 32,768 or more elements in runs of 16,384 on the
    // pool: a length of two runs and three elements leaves a short last run. The owned inputs
    // take the in-place kernels, the shared ones the allocating kernels.
    for len in [5, 2 * 16_384 + 3] {
        let passes = |device: &Device| {
            let a = || tensor([len], 1, device);
            let b = || tensor([len], 2, device);
            let shared = a();
            vec![
                floats(a() + b()),
                floats(shared.clone() * b()),
                floats(a().exp()),
                floats(shared.clone().exp()),
                floats(a() * 3.0 - 1.5),
                floats(shared.clone().powf_scalar(2.0)),
                floats(burn::tensor::activation::sigmoid(a())),
                floats(shared),
            ]
        };
        let device = BackendKind::Flex.init().unwrap().device;
        let (one, four) = on_one_and_four_threads(|| passes(&device));
        let reference = passes(&BackendKind::Ndarray.init().unwrap().device);
        for (k, ((one, four), reference)) in one.iter().zip(&four).zip(&reference).enumerate() {
            assert_eq!(
                one, four,
                "pass {k}, {len} elements: 1 and 4 threads differ"
            );
            assert_close(&format!("pass {k}, {len} elements"), four, reference);
        }
    }
}

#[test]
fn image_tasks_cover_every_image_on_any_thread_count() {
    // Tasks of eight images: one short task (3), one full and a short one (9), two full and
    // one image (17); forward and backward against the reference, as in training.
    let conv = |d: &Device| Conv2dConfig::new([2, 3], [3, 3]).init(d);
    let deconv = |d: &Device| ConvTranspose2dConfig::new([3, 2], [3, 3]).init(d);
    let norm = |d: &Device| BatchNormConfig::new(3).init(d);
    for batch in [3, 9, 17] {
        on_one_and_four_threads(|| {
            compare(
                &format!("conv2d, batch {batch}"),
                conv,
                [batch, 2, 8, 7],
                |m, x| m.forward(x),
            );
            compare(
                &format!("conv_transpose2d, batch {batch}"),
                deconv,
                [batch, 3, 5, 6],
                |m, x| m.forward(x),
            );
            compare(
                &format!("batch norm, batch {batch}"),
                norm,
                [batch, 3, 4, 5],
                |m, x| m.forward(x * 2.0 + 1.0),
            );
        });
    }
}

#[test]
fn a_kept_im2col_matrix_serves_only_its_own_input_and_geometry() {
    // flex's f32 convolution keeps each task's im2col matrix for the weight gradient that
    // reads the same one (vendor/burn-flex, ops::conv_columns), keyed by the input's address.
    // Every weight gradient here must have the bits of one computed from a fresh copy of its
    // input (same values, its own storage, so nothing kept for it).
    use burn::tensor::module::{conv2d, conv2d_weight_backward};
    use burn::tensor::ops::ConvOptions;
    let device = BackendKind::Flex.init().unwrap().device;
    let options = |stride: usize| ConvOptions::new([stride; 2], [1, 1], [1, 1], 1);
    let w = tensor([4, 3, 3, 3], 2, &device);
    let forward = |x: &Tensor<4>, stride| conv2d(x.clone(), w.clone(), None, options(stride));
    let weight_grad = |x: &Tensor<4>, stride, g: &Tensor<4>| {
        floats(conv2d_weight_backward(
            x.clone(),
            w.clone(),
            g.clone(),
            options(stride),
        ))
    };
    let fresh = |x: &Tensor<4>| Tensor::<4>::from_data(x.to_data(), &device);

    // One input at two strides (two geometries), 9 images (a task of 8 and one of 1): each
    // gradient takes its own geometry's matrix, each task its own images'.
    let x = tensor([9, 3, 11, 10], 1, &device);
    let grads: Vec<_> = [2, 1]
        .map(|stride| {
            let g = tensor(forward(&x, stride).dims(), 3, &device);
            (stride, g)
        })
        .into();
    for (stride, g) in grads.iter().rev() {
        assert_eq!(
            weight_grad(&x, *stride, g),
            weight_grad(&fresh(&x), *stride, g),
            "stride {stride}: a kept matrix differs from a new one"
        );
    }

    // An input changed after its matrix was kept: were its storage not held, the addition
    // would run in place (the tensor's only handle) and the old matrix would match the
    // changed input's address.
    let x = tensor([9, 3, 11, 10], 4, &device);
    let g = tensor(forward(&x, 2).dims(), 5, &device);
    let shifted = x + 1.0;
    assert_eq!(
        weight_grad(&shifted, 2, &g),
        weight_grad(&fresh(&shifted), 2, &g),
        "the gradient of a changed input used its old matrix"
    );
}

#[test]
fn weight_gradients_in_every_float_precision() {
    // The weight gradient's f64 path runs the same split as f32; f16 and bf16 are summed in
    // f32 and cast back. Each against the f32 gradient of the same convolution.
    let device = flex();
    let gradient = |dtype: burn::tensor::FloatDType| {
        let x = tensor([11, 2, 9, 8], 3, &device).cast(dtype).require_grad();
        let w = tensor([4, 2, 3, 3], 4, &device).cast(dtype).require_grad();
        let y = burn::tensor::module::conv2d(
            x,
            w.clone(),
            None,
            burn::tensor::ops::ConvOptions::new([1, 1], [1, 1], [1, 1], 1),
        );
        let weights = tensor(y.dims(), 5, &device).cast(dtype);
        let grads = (y * weights).sum().backward();
        let grad = w.grad(&grads).unwrap();
        assert_eq!(
            grad.dtype(),
            dtype.into(),
            "the gradient keeps its precision"
        );
        floats(grad)
    };
    use burn::tensor::FloatDType::{BF16, F16, F32, F64};
    let exact = gradient(F32);
    let error = |dtype| relative_error(&gradient(dtype), &exact);
    assert!(error(F64) < 1e-5, "f64: {:e}", error(F64));
    // Inputs rounded to 8 (bf16) or 11 (f16) bits of mantissa, the sum kept in f32.
    assert!(error(F16) < 5e-3, "f16: {:e}", error(F16));
    assert!(error(BF16) < 3e-2, "bf16: {:e}", error(BF16));
}

#[test]
fn matrix_products_match_a_sum_worked_in_f64() {
    // flex writes a product's output without zeroing it first (gemm writes every element):
    // a product over 512K multiply-adds is split by rows into tasks, a smaller one runs whole,
    // a transposed operand is read through its strides, and an empty inner dimension must
    // still give zeros.
    let device = BackendKind::Flex.init().unwrap().device;
    for (m, k, n, transposed) in [(64, 900, 20, false), (7, 5, 3, true), (4, 0, 3, false)] {
        let lhs = values(m * k, 21);
        let rhs = values(k * n, 22);
        let product = || {
            let a = Tensor::<2>::from_data(TensorData::new(lhs.clone(), [m, k]), &device);
            let b = if transposed {
                // The same [k, n] matrix, stored as its transpose.
                let stored: Vec<f32> = (0..n * k).map(|i| rhs[(i % k) * n + i / k]).collect();
                Tensor::<2>::from_data(TensorData::new(stored, [n, k]), &device).transpose()
            } else {
                Tensor::<2>::from_data(TensorData::new(rhs.clone(), [k, n]), &device)
            };
            floats(a.matmul(b))
        };
        let (one, four) = on_one_and_four_threads(product);
        let exact: Vec<f32> = (0..m * n)
            .map(|i| {
                let (row, col) = (i / n, i % n);
                (0..k)
                    .map(|j| f64::from(lhs[row * k + j]) * f64::from(rhs[j * n + col]))
                    .sum::<f64>() as f32
            })
            .collect();
        assert_eq!(one, four, "{m}x{k}x{n}: 1 and 4 threads differ");
        assert_close(&format!("{m}x{k}x{n} product"), &four, &exact);
        if k == 0 {
            assert!(four.iter().all(|&v| v == 0.0), "an empty sum is 0");
        }
    }
}

#[test]
fn tiled_products_match_sums_worked_in_f64() {
    // The kernels flex runs in WebAssembly, here on their portable lanes; tests/browser.rs
    // runs the same cases on SIMD128.
    tiled_matmul_cases::tiled_products_match_sums_worked_in_f64();
}

#[test]
fn tiled_products_refuse_bad_shapes_and_views() {
    use burn_flex::ops::tiled_matmul::{MatRef, tiled_matmul};
    use std::mem::MaybeUninit;
    let data = [1.0f32; 12];
    // Rows 5 apart: the last row would start at 10 and end past the 12 values.
    let too_far = MatRef {
        data: &data,
        rows: 3,
        cols: 4,
        row_stride: 5,
        col_stride: 1,
    };
    let cases = [
        (
            MatRef::row_major(&data, 3, 4),
            MatRef::row_major(&data, 3, 3),
            9,
            "inner dimensions differ",
        ),
        (
            MatRef::row_major(&data, 3, 4),
            MatRef::row_major(&data, 4, 3),
            8,
            "output size",
        ),
        (
            too_far,
            MatRef::row_major(&data, 4, 3),
            9,
            "view out of bounds",
        ),
    ];
    for (lhs, rhs, out_len, expected) in cases {
        let payload = std::panic::catch_unwind(|| {
            tiled_matmul(lhs, rhs, &mut vec![MaybeUninit::new(0.0); out_len]);
        })
        .expect_err(expected);
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        assert!(message.contains(expected), "{message}");
    }
}
