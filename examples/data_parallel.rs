//! How fast a data-parallel training step could be on the CPU (issue 19; an experiment that
//! prints figures and asserts nothing): each of two threads trains its own copy of the model on
//! half of a batch of 64, the two halves' gradients are summed, and one Adam step updates the
//! model. Two-layer d = 20 on flex, each copy's kernels on one thread (run it with
//! `RAYON_NUM_THREADS=1`), against one thread on the whole batch, in alternating blocks, each
//! round framed by the core-to-core round trip (examples/common/core_round_trip.rs).
//!
//! Not the lab's training: batch norm's statistics here are each half's (32 images), not the
//! batch's, so the numbers differ from a batch-64 step beyond rounding; a real design needs
//! batch norm synchronised between the copies. What this measures is the rest: two autodiff
//! graphs at once, the gradient sum and the shared Adam step. `DP_INDEPENDENT=1` has the helper
//! train a copy of its own that it never syncs (no gradients or weights shared), to tell what
//! sharing the model costs from what sharing the process costs.
//!   `RAYON_NUM_THREADS=1 cargo run --release --example data_parallel -- [rounds] [steps]`
use std::sync::mpsc;
use std::time::Instant;

use burn::module::{ModuleVisitor, Param, ParamId};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use latent_lab::BackendKind;
use latent_lab::data::MnistSet;
use latent_lab::model::{Architecture, Autoencoder, AutoencoderConfig};
use latent_lab::rng::SplitMix64;
use latent_lab::training::{Objective, adam};

#[path = "common/core_round_trip.rs"]
mod core_round_trip;
#[path = "common/step_setup.rs"]
mod step_setup;

const BATCH: usize = 64;
const LEARNING_RATE: f64 = 1e-3;

/// Gradients of `loss / 2` of a fresh-leaved copy of `base` on `indices`: half of the
/// batch's mean loss, so that the two halves' gradients sum to the whole batch's.
fn half_gradients(
    base: &Autoencoder,
    data: &MnistSet,
    indices: &[usize],
    device: &Device,
) -> GradientsParams {
    let copy = base.valid().train();
    let mut noise = SplitMix64::new(0);
    let loss = copy.training_loss(data, indices, device, &mut noise);
    GradientsParams::from_grads(loss.mul_scalar(0.5).backward(), &copy)
}

/// Moves every parameter's gradient from `other` into `sum`, added.
struct AddGradients<'a> {
    sum: &'a mut GradientsParams,
    other: &'a mut GradientsParams,
}

impl ModuleVisitor for AddGradients<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let id: ParamId = param.id;
        if let Some(b) = self.other.remove::<D>(id) {
            let total = match self.sum.remove::<D>(id) {
                Some(a) => a + b,
                None => b,
            };
            self.sum.register::<D>(id, total);
        }
    }
}

/// A thread that trains a copy of the model on the second half of each batch, kept for the
/// whole run (spawning one a step costs a wake-up on another core each time).
struct Helper {
    to_helper: mpsc::Sender<(Autoencoder, Vec<usize>)>,
    from_helper: mpsc::Receiver<GradientsParams>,
}

impl Helper {
    fn start(data: MnistSet, device: Device) -> Self {
        let (to_helper, work) = mpsc::channel::<(Autoencoder, Vec<usize>)>();
        let (done, from_helper) = mpsc::channel();
        let independent = std::env::var("DP_INDEPENDENT").is_ok();
        std::thread::spawn(move || {
            let mut own: Option<Autoencoder> = None;
            for (model, indices) in work {
                let grads = if independent {
                    let own = own.get_or_insert_with(|| model.valid().train());
                    drop(half_gradients(own, &data, &indices, &device));
                    GradientsParams::new()
                } else {
                    half_gradients(&model, &data, &indices, &device)
                };
                if done.send(grads).is_err() {
                    break;
                }
            }
        });
        Self {
            to_helper,
            from_helper,
        }
    }
}

fn data_parallel_step(
    model: Autoencoder,
    optim: &mut ModuleOptimizer,
    helper: &Helper,
    data: &MnistSet,
    indices: &[usize],
    device: &Device,
) -> Autoencoder {
    let (first, second) = indices.split_at(indices.len() / 2);
    helper
        .to_helper
        .send((model.clone(), second.to_vec()))
        .expect("the helper thread runs");
    let mut sum = half_gradients(&model, data, first, device);
    let mut other = helper.from_helper.recv().expect("the helper thread runs");
    model.visit(&mut AddGradients {
        sum: &mut sum,
        other: &mut other,
    });
    optim.step(LEARNING_RATE, model, sum)
}

fn one_thread_step(
    model: Autoencoder,
    optim: &mut ModuleOptimizer,
    data: &MnistSet,
    indices: &[usize],
    device: &Device,
) -> Autoencoder {
    let mut noise = SplitMix64::new(0);
    let loss = model.training_loss(data, indices, device, &mut noise);
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    optim.step(LEARNING_RATE, model, grads)
}

fn main() {
    let (rounds, steps) = (step_setup::arg(1, 6).max(1), step_setup::arg(2, 200).max(1));
    let data = step_setup::bundled_images();
    let device = BackendKind::Flex.init().expect("flex").device.autodiff();
    let order: Vec<usize> = (0..data.len()).collect();
    let batch = |step: usize| &order[(step * BATCH) % order.len()..][..BATCH];
    let mut model = AutoencoderConfig::new(Architecture::TwoLayer, 20)
        .init(&device)
        .valid()
        .train();
    let mut optim = adam(&device);

    let helper = Helper::start(data.clone(), device.clone());
    let data_parallel = |model, optim: &mut ModuleOptimizer, indices: &[usize]| {
        data_parallel_step(model, optim, &helper, &data, indices, &device)
    };
    let one_thread = |model, optim: &mut ModuleOptimizer, indices: &[usize]| {
        one_thread_step(model, optim, &data, indices, &device)
    };
    // Images per second over `steps` steps of `step_fn`, and the model it leaves.
    let mut block =
        |step_fn: &dyn Fn(Autoencoder, &mut ModuleOptimizer, &[usize]) -> Autoencoder,
         model: Autoencoder| {
            let start = Instant::now();
            let mut model = model;
            for step in 0..steps {
                model = step_fn(model, &mut optim, batch(step));
            }
            (
                model,
                (steps * BATCH) as f64 / start.elapsed().as_secs_f64(),
            )
        };
    // Warm-up, not counted.
    (model, _) = block(&data_parallel, model);
    (model, _) = block(&one_thread, model);
    println!(
        "round  two copies  one thread  ratio | round trip (ns) placement   (images/s, {steps} \
         steps a block)"
    );
    let round_trip = || core_round_trip::core_round_trip_ns(100_000);
    for round in 1..=rounds {
        let before = round_trip();
        let (two, one);
        if round % 2 == 1 {
            (model, two) = block(&data_parallel, model);
            (model, one) = block(&one_thread, model);
        } else {
            (model, one) = block(&one_thread, model);
            (model, two) = block(&data_parallel, model);
        }
        let after = round_trip();
        println!(
            "{round:<6} {two:>10.0} {one:>11.0} {:>6.2} | {:>15} {:>9}",
            two / one,
            format!("{before:.0} / {after:.0}"),
            core_round_trip::placement(&[before, after])
        );
    }
}
