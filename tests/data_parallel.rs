//! Data-parallel training (src/training/data_parallel): copies of a model, each on its part of
//! a batch and on a thread of its own, must give what one copy gives on the whole batch: the
//! loss, every parameter's gradient and batch norm's running statistics, within float rounding.
//! Batch norm is where a naive split goes wrong (each part's own statistics), so every
//! architecture here has batch norm after each convolution.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::prelude::*;
use latent_lab::data::MnistSet;
use latent_lab::model::{Architecture, Autoencoder, AutoencoderConfig};
use latent_lab::training::data_parallel::DataParallel;
use latent_lab::training::{Objective, Trainer, TrainingConfig, TrainingError};

fn device() -> Device {
    common::device().autodiff()
}

/// A model and an independent copy of it: the same weights, running statistics of its own.
fn model_pair(
    architecture: Architecture,
    latent_dim: usize,
    device: &Device,
) -> (Autoencoder, Autoencoder) {
    let model = AutoencoderConfig::new(architecture, latent_dim).init(device);
    let twin = model.valid().train();
    (model, twin)
}

/// Every parameter's gradient, by path (buffers, such as running statistics, have none).
fn gradients<M: Module>(model: &M, grads: &GradientsParams) -> Vec<(String, Option<Vec<f32>>)> {
    common::collect(model, grads)
        .into_iter()
        .map(|(path, _, grad)| (path, grad))
        .collect()
}

/// The running statistics (and every other value) of `model`, flattened in module order.
fn record_values<M: Module>(model: &M) -> Vec<f32> {
    let mut values = Vec::new();
    for (_, value, _) in common::collect(&model.valid(), &GradientsParams::new()) {
        values.extend(value);
    }
    values
}

/// Whether `a` is `b` up to rounding: within 1e-5 plus 1e-4 of `b`'s largest magnitude.
fn close(a: &[f32], b: &[f32]) -> Result<(), f32> {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let worst = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max);
    if worst <= 1e-5 + 1e-4 * scale {
        Ok(())
    } else {
        Err(worst)
    }
}

fn one_thread_pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
}

#[test]
fn copies_give_the_whole_batchs_loss_and_gradients() {
    let device = device();
    let set = common::train_subset(64);
    let indices: Vec<usize> = (0..64).collect();
    for architecture in [
        Architecture::OneLayer,
        Architecture::TwoLayer,
        Architecture::ThreeLayer,
    ] {
        let model = AutoencoderConfig::new(architecture, 20).init(&device);
        let loss = model.batch_loss(&set, &indices, &device);
        let expected_loss = loss.clone().into_scalar::<f32>();
        let expected = gradients(
            &model,
            &GradientsParams::from_grads(loss.backward(), &model),
        );
        let with_gradients = expected.iter().filter(|(_, g)| g.is_some()).count();
        assert!(with_gradients >= 10, "{architecture}: too few gradients");

        // Two copies of 32 images, three of 22, 21 and 21 (uneven shares), and two whose first
        // runs on the calling thread, as in the browser's engine worker (here a one-thread
        // pool's, so that its kernels stay on it). The loss is a mean over 50,176 pixels,
        // summed in another order: a few parts in a million apart.
        let caller = one_thread_pool();
        let setups = [
            ("2 copies", DataParallel::new(2).unwrap(), None),
            ("3 copies", DataParallel::new(3).unwrap(), None),
            (
                "2 copies, the first on the caller's thread",
                DataParallel::on_caller_and(vec![one_thread_pool()]),
                Some(&caller),
            ),
        ];
        for (copies, parallel, caller) in &setups {
            let run = || parallel.gradients(&model, &set, &indices, &device).unwrap();
            let (loss, grads) = match caller {
                Some(pool) => pool.install(run),
                None => run(),
            };
            let loss = loss.into_scalar::<f32>();
            assert!(
                (loss - expected_loss).abs() <= 1e-5 * expected_loss,
                "{architecture}, {copies}: loss {loss}, one copy {expected_loss}"
            );
            let got = gradients(&model, &grads);
            assert_eq!(got.len(), expected.len());
            for ((path, g), (_, e)) in got.iter().zip(&expected) {
                let (g, e) = match (g, e) {
                    (Some(g), Some(e)) => (g, e),
                    (None, None) => continue,
                    _ => panic!("{architecture}: {path} has a gradient on one side only"),
                };
                if let Err(worst) = close(g, e) {
                    panic!(
                        "{architecture}, {copies}: the gradient of {path} differs from one \
                         copy's by up to {worst:e}"
                    );
                }
            }
        }
    }
}

#[test]
fn batch_norm_uses_the_whole_batchs_statistics() {
    // What the copies must not do: normalise each part with its own statistics. Parts as
    // unlike as possible (the first half of the batch is its 32 darkest images, the second
    // its 32 brightest) make that mistake large: the gradients of the halves, each normalised
    // on its own, must be far from the batch's, and the copies' must be the batch's.
    let device = device();
    let set = common::train_subset(64);
    let mut indices: Vec<usize> = (0..64).collect();
    let ink = |i: usize| set.image(i).iter().map(|&p| p as u32).sum::<u32>();
    indices.sort_by_key(|&i| ink(i));
    let model = AutoencoderConfig::new(Architecture::TwoLayer, 20).init(&device);
    let grads_of = |loss: Tensor<1>| {
        gradients(
            &model,
            &GradientsParams::from_grads(loss.backward(), &model),
        )
    };
    let whole = grads_of(model.batch_loss(&set, &indices, &device));
    let own_statistics = [&indices[..32], &indices[32..]]
        .map(|part| grads_of(model.batch_loss(&set, part, &device).div_scalar(2.0)));
    let (_, copies) = DataParallel::new(2)
        .unwrap()
        .gradients(&model, &set, &indices, &device)
        .unwrap();
    let copies = gradients(&model, &copies);
    let mut far = 0;
    for (i, (path, whole)) in whole.iter().enumerate() {
        let Some(whole) = whole else { continue };
        let [first, second] = own_statistics.each_ref().map(|g| g[i].1.clone().unwrap());
        let naive: Vec<f32> = first.iter().zip(&second).map(|(a, b)| a + b).collect();
        far += usize::from(close(&naive, whole).is_err());
        if let Err(worst) = close(copies[i].1.as_ref().unwrap(), whole) {
            panic!("the copies' gradient of {path} differs from the batch's by {worst:e}");
        }
    }
    assert!(
        far >= 3,
        "each half normalised on its own should give other gradients (only {far} differ)"
    );
}

#[test]
fn running_statistics_move_as_with_one_copy() {
    let device = device();
    let set = common::train_subset(48);
    let indices: Vec<usize> = (0..48).collect();
    let (one, parallel) = model_pair(Architecture::ThreeLayer, 20, &device);
    let before = record_values(&one);
    drop(one.batch_loss(&set, &indices, &device));
    drop(
        DataParallel::new(2)
            .unwrap()
            .gradients(&parallel, &set, &indices, &device)
            .unwrap(),
    );
    let (one, parallel) = (record_values(&one), record_values(&parallel));
    assert_ne!(one, before, "the running statistics should have moved");
    if let Err(worst) = close(&parallel, &one) {
        panic!("running statistics differ from one copy's by up to {worst:e}");
    }
}

#[test]
fn a_copy_that_fails_stops_the_step_with_its_reason() {
    // The second copy's part names an image the set does not have: that copy panics while
    // the first waits for it at its first batch-norm layer. The step must end with an error
    // that says so, not wait for ever.
    let device = device();
    let set = common::train_subset(16);
    let indices: Vec<usize> = (0..15).chain([1_000_000]).collect();
    let model = AutoencoderConfig::new(Architecture::TwoLayer, 20).init(&device);
    let parallel = DataParallel::new(2).unwrap();
    match parallel.gradients(&model, &set, &indices, &device) {
        Err(TrainingError::DataParallel(why)) => {
            assert!(why.contains("copy 1"), "{why}")
        }
        other => panic!(
            "expected a data-parallel error, got {:?}",
            other.map(|_| ())
        ),
    }
    // The same copies take the next step normally.
    let (loss, _) = parallel
        .gradients(&model, &set, &indices[..15], &device)
        .unwrap();
    assert!(loss.into_scalar::<f32>().is_finite());
}

#[test]
fn a_batch_smaller_than_the_copies_uses_one_image_a_copy() {
    let device = device();
    let set = common::train_subset(2);
    let model = AutoencoderConfig::new(Architecture::OneLayer, 5).init(&device);
    let expected = model
        .batch_loss(&set, &[0, 1], &device)
        .into_scalar::<f32>();
    let (loss, _) = DataParallel::new(4)
        .unwrap()
        .gradients(&model, &set, &[0, 1], &device)
        .unwrap();
    let loss = loss.into_scalar::<f32>();
    assert!(
        (loss - expected).abs() <= 1e-5 * expected,
        "{loss} vs {expected}"
    );
    assert!(matches!(
        DataParallel::new(2)
            .unwrap()
            .gradients(&model, &set, &[], &device),
        Err(TrainingError::InvalidConfig(_))
    ));
}

/// Every loss of `trainer`'s next `steps` steps.
fn losses(trainer: &mut Trainer<Autoencoder>, set: &MnistSet, steps: usize) -> Vec<f32> {
    (0..steps)
        .map(|_| trainer.step(set).unwrap().loss.into_scalar::<f32>())
        .collect()
}

/// Two trainers of the same `architecture` model (latent size `latent_dim`, the same weights)
/// for `epochs` epochs over the first `images` training images: one copy, and two copies.
fn one_and_two_copies(
    architecture: Architecture,
    latent_dim: usize,
    images: usize,
    epochs: usize,
) -> (MnistSet, Trainer<Autoencoder>, Trainer<Autoencoder>) {
    let device = common::device();
    let set = common::train_subset(images);
    let config = TrainingConfig {
        epochs,
        ..TrainingConfig::default()
    };
    let (model, twin) = model_pair(architecture, latent_dim, &device.clone().autodiff());
    let one = Trainer::new(model, set.len(), config, &device).unwrap();
    let two = Trainer::new(twin, set.len(), config, &device)
        .unwrap()
        .with_data_parallel(2)
        .unwrap();
    (set, one, two)
}

#[test]
fn a_trainer_with_two_copies_learns_as_one_copy_does() {
    // The same weights, seed and batches: the steps agree to rounding, so the first loss
    // agrees to rounding. Adam divides by the gradients' own size, which lets rounding grow
    // from step to step: over these 40 steps the losses stayed within 4e-7 to 1e-4 of each
    // other, depending on the initial weights (12 runs).
    let (set, mut one, mut two) = one_and_two_copies(Architecture::TwoLayer, 20, 640, 4);
    let steps = one.total_steps();
    let (one, two) = (losses(&mut one, &set, steps), losses(&mut two, &set, steps));
    for (step, (a, b)) in one.iter().zip(&two).enumerate() {
        let allowed = if step == 0 { 1e-5 } else { 1e-3 };
        assert!(
            (a - b).abs() <= allowed * a,
            "step {step}: one copy's loss {a}, two copies' {b}"
        );
    }
    assert!(
        two[steps - 1] < 0.6 * two[0],
        "two copies should learn: {} → {}",
        two[0],
        two[steps - 1]
    );
}

#[test]
fn a_vae_keeps_the_one_copy_step() {
    // The VAE draws noise for its codes; split between copies it would draw other noise than
    // the whole batch, so a data-parallel trainer runs it whole: the same bits as one copy.
    let (set, mut one, mut two) = one_and_two_copies(Architecture::Vae, 5, 128, 1);
    assert_eq!(losses(&mut one, &set, 2), losses(&mut two, &set, 2));
}
