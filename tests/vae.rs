//! The variational autoencoder (issue 20, part 4): its loss and KL against hand-computed values,
//! its parameter count, the reparameterisation, a short training that lowers its loss, and its
//! weight round trip with β.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::prelude::*;
use burn::tensor::Distribution;
use latent_lab::model::{
    Architecture, Autoencoder, AutoencoderConfig, VariationalAutoencoderConfig, gaussian_kl,
    param_count, standard_normal, vae_loss,
};
use latent_lab::rng::SplitMix64;
use latent_lab::training::{Objective, Trainer, TrainingConfig, evaluate, read_scalar};
use latent_lab::weights::{
    ModelSpec, WeightsError, WeightsManifest, load_autoencoder, save_autoencoder,
};
use pollster::block_on;

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().unwrap()
}

fn close(a: f32, b: f32, tolerance: f32) -> bool {
    (a - b).abs() <= tolerance
}

/// Row 0: μ = (1, 0), log σ² = (0, ln 2); row 1: the prior itself.
fn two_gaussians(device: &Device) -> (Tensor<2>, Tensor<2>) {
    let mean = Tensor::<1>::from_floats([1.0, 0.0, 0.0, 0.0], device).reshape([2, 2]);
    let ln2 = std::f32::consts::LN_2;
    let log_variance = Tensor::<1>::from_floats([0.0, ln2, 0.0, 0.0], device).reshape([2, 2]);
    (mean, log_variance)
}

#[test]
fn kl_matches_the_closed_form_by_hand() {
    let device = common::device();
    let (mean, log_variance) = two_gaussians(&device);
    let kl = values(gaussian_kl(mean, log_variance));
    // −½(1 + 0 − 1 − 1) = 0.5 and −½(1 + ln 2 − 0 − 2) = ½(1 − ln 2); the prior: 0.
    let expected = 0.5 + 0.5 * (1.0 - std::f32::consts::LN_2);
    assert_eq!(kl.len(), 2);
    assert!(close(kl[0], expected, 1e-6), "{} vs {expected}", kl[0]);
    assert!(
        close(kl[1], 0.0, 1e-7),
        "the prior against itself: {}",
        kl[1]
    );
}

#[test]
fn loss_is_the_pixel_mse_plus_beta_times_the_kl_per_pixel() {
    let device = common::device();
    let (mean, log_variance) = two_gaussians(&device);
    let reconstruction = Tensor::<4>::full([2, 1, 28, 28], 0.5, &device);
    let images = Tensor::<4>::full([2, 1, 28, 28], 0.25, &device);
    let loss = values(vae_loss(reconstruction, images, mean, log_variance, 2.0));
    // MSE (0.5 − 0.25)² = 0.0625; the batch's mean KL (0.65343 + 0) / 2; × β = 2 / 784 pixels.
    let mean_kl = (0.5 + 0.5 * (1.0 - std::f32::consts::LN_2)) / 2.0;
    let expected = 0.0625 + 2.0 * mean_kl / 784.0;
    assert_eq!(loss.len(), 1);
    assert!(close(loss[0], expected, 1e-7), "{} vs {expected}", loss[0]);
}

#[test]
fn parameter_count_is_the_two_layer_model_plus_a_second_code_layer() {
    let device = common::device();
    for d in [1, 20, 100] {
        let model = AutoencoderConfig::new(Architecture::Vae, d).init(&device);
        // Per coordinate: a row of the mean's and of the log-variance's Linear (900 weights and
        // a bias each) and a column of the decoder's Linear (900).
        let by_hand = Architecture::TwoLayer.param_count(0) + (900 + 1 + 900 + 1 + 900) * d;
        assert_eq!(param_count(&model), by_hand, "d = {d}");
        assert_eq!(
            Architecture::Vae.param_count(d),
            by_hand,
            "formula, d = {d}"
        );
    }
    // d = 20: 13,681 + 2,702 × 20.
    assert_eq!(Architecture::Vae.param_count(20), 67_721);
}

#[test]
fn the_code_is_the_mean_and_training_samples_around_it() {
    let device = common::device();
    let images = Tensor::<4>::random([4, 1, 28, 28], Distribution::Uniform(0.0, 1.0), &device);
    let vae = VariationalAutoencoderConfig::new(6).init(&device);
    let (mean, _) = vae.encoder.forward(images.clone());
    let model = Autoencoder::Vae(vae.clone());
    assert_eq!(values(model.encode(images.clone())), values(mean));
    // Without noise the loss is at the mean; standard normal noise moves it.
    let at_mean = values(vae.loss(images.clone(), None))[0];
    let noise = Tensor::<2>::random([4, 6], Distribution::Normal(0.0, 1.0), &device);
    let sampled = values(vae.loss(images, Some(noise)))[0];
    assert!(at_mean.is_finite() && sampled.is_finite());
    assert_ne!(at_mean, sampled);
}

#[test]
fn the_log_variance_gets_a_gradient_through_the_sampled_code() {
    let device = common::device().autodiff();
    let images = Tensor::<4>::random([4, 1, 28, 28], Distribution::Uniform(0.0, 1.0), &device);
    // β = 0: no KL term, so the log-variance learns only through the sampled code.
    let vae = VariationalAutoencoderConfig::new(3)
        .with_beta(0.0)
        .init(&device);
    let noise = Tensor::<2>::random([4, 3], Distribution::Normal(0.0, 1.0), &device);
    let grads = vae.loss(images, Some(noise)).backward();
    for (name, weight) in [
        ("mean", &vae.encoder.mean.weight),
        ("log-variance", &vae.encoder.log_variance.weight),
    ] {
        let grad = weight.grad(&grads).expect("a gradient");
        let largest = values(grad.abs().max());
        assert!(largest[0] > 0.0, "{name}: no gradient");
    }
}

#[test]
fn standard_normal_draws_have_mean_0_and_variance_1_and_repeat_with_the_seed() {
    let draws = standard_normal(&mut SplitMix64::new(7), 100_001);
    assert_eq!(draws.len(), 100_001);
    let n = draws.len() as f64;
    let mean = draws.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    let variance = draws
        .iter()
        .map(|&x| (f64::from(x) - mean).powi(2))
        .sum::<f64>()
        / n;
    // Standard errors: 0.0032 for the mean, 0.0045 for the variance.
    assert!(mean.abs() < 0.015, "mean {mean}");
    assert!((variance - 1.0).abs() < 0.02, "variance {variance}");
    let within_one = draws.iter().filter(|x| x.abs() < 1.0).count() as f64 / n;
    assert!(
        (within_one - 0.6827).abs() < 0.01,
        "P(|z| < 1) = {within_one}"
    );
    assert_eq!(
        draws[..10],
        standard_normal(&mut SplitMix64::new(7), 10)[..]
    );
}

#[test]
fn a_short_training_lowers_the_loss_and_repeats_with_the_seed() {
    let device = common::device();
    let data = common::train_subset(1_000);
    // One initial model for both runs: the noise, not the initial weights, is under test.
    let initial = AutoencoderConfig::new(Architecture::Vae, 20).init(&device.clone().autodiff());
    let run = || {
        let model = initial.clone();
        let before = block_on(evaluate(&model, &data, 500, &device))
            .unwrap()
            .loss;
        let config = TrainingConfig {
            epochs: 5,
            ..TrainingConfig::default()
        };
        let mut trainer = Trainer::new(model, data.len(), config, &device).unwrap();
        let mut losses = Vec::new();
        while let Some(report) = trainer.step(&data) {
            losses.push(block_on(read_scalar(report.loss)).unwrap());
        }
        let after = block_on(evaluate(trainer.model(), &data, 500, &device))
            .unwrap()
            .loss;
        (before, after, losses)
    };
    let (before, after, losses) = run();
    assert!(losses.iter().all(|l| l.is_finite()));
    assert!(
        after < 0.75 * before,
        "the loss at the mean should fall: {before} -> {after}"
    );
    // The first steps' losses (sampled codes) against the last ones'.
    let first = losses[..5].iter().sum::<f32>() / 5.0;
    let last = losses[losses.len() - 5..].iter().sum::<f32>() / 5.0;
    assert!(last < first, "training loss {first} -> {last}");
    // The same seed draws the same noise: the same run.
    let (_, again, losses_again) = run();
    assert_eq!(losses, losses_again);
    assert_eq!(after, again);
}

#[test]
fn evaluation_is_deterministic_at_the_mean() {
    let device = common::device();
    let data = common::test_subset(32);
    let model = AutoencoderConfig::new(Architecture::Vae, 5).init(&device);
    let indices: Vec<usize> = (0..32).collect();
    let a = values(model.batch_loss(&data, &indices, &device));
    let b = values(model.batch_loss(&data, &indices, &device));
    assert_eq!(a, b);
}

fn vae_manifest(d: usize) -> WeightsManifest {
    WeightsManifest::new(
        ModelSpec::Autoencoder {
            architecture: Architecture::Vae,
            latent_dim: d,
        },
        Architecture::Vae.param_count(d),
    )
}

#[test]
fn weights_round_trip_with_beta() {
    let device = common::device();
    let model = AutoencoderConfig::new(Architecture::Vae, 9)
        .init(&device)
        .with_beta(0.25);
    let bytes = save_autoencoder(&model, &vae_manifest(9)).unwrap();
    let (loaded, manifest) = load_autoencoder(&bytes, &device).unwrap();
    assert_eq!(manifest.beta, Some(0.25));
    assert_eq!(loaded.beta(), Some(0.25));
    assert_eq!(loaded.config(), model.config());
    // The manifest says what it is.
    let header = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned();
    assert!(header.contains(r#"\"architecture\":\"vae\""#), "{header}");
    let images = Tensor::<4>::random([3, 1, 28, 28], Distribution::Uniform(0.0, 1.0), &device);
    assert_eq!(
        values(model.forward(images.clone())),
        values(loaded.forward(images))
    );
    // A plain autoencoder's file has no β.
    let plain = AutoencoderConfig::new(Architecture::TwoLayer, 9).init(&device);
    let manifest = WeightsManifest::new(
        ModelSpec::Autoencoder {
            architecture: Architecture::TwoLayer,
            latent_dim: 9,
        },
        Architecture::TwoLayer.param_count(9),
    );
    let bytes = save_autoencoder(&plain, &manifest).unwrap();
    assert_eq!(load_autoencoder(&bytes, &device).unwrap().1.beta, None);
}

#[test]
fn a_negative_beta_is_refused() {
    let device = common::device();
    let model = AutoencoderConfig::new(Architecture::Vae, 4)
        .init(&device)
        .with_beta(-1.0);
    let bytes = save_autoencoder(&model, &vae_manifest(4)).unwrap();
    let error = load_autoencoder(&bytes, &device).unwrap_err();
    assert!(
        matches!(&error, WeightsError::BadManifest(m) if m.contains('β')),
        "{error}"
    );
}

/// β chosen for a run (the training form's `train-beta`) is the trained model's, and saved
/// with it; a β out of range, or for a model without one, is refused before anything starts.
#[test]
fn a_training_session_uses_the_requested_beta() {
    use latent_lab::engine::TrainRequest;
    use latent_lab::engine::session::{ReportEvery, TrainingSession};
    let device = common::device();
    let train = common::train_subset(64);
    let request = |architecture, beta| TrainRequest {
        architecture,
        latent_dim: 5,
        training: TrainingConfig {
            epochs: 1,
            ..TrainingConfig::default()
        },
        train_images: 64,
        beta,
    };
    let every = ReportEvery {
        progress_ms: 1e9,
        reconstructions_ms: 1e9,
    };
    let session =
        |r: TrainRequest| TrainingSession::new(r, &train, Vec::new(), &device, 0.0, every);
    let vae = session(request(Architecture::Vae, Some(0.25))).unwrap();
    assert_eq!(vae.model().beta(), Some(0.25));
    let default = session(request(Architecture::Vae, None)).unwrap();
    assert_eq!(default.model().beta(), Some(1.0));
    for (architecture, beta, says) in [
        (Architecture::Vae, -0.5, "from 0 to 100"),
        (Architecture::Vae, f32::NAN, "from 0 to 100"),
        (Architecture::TwoLayer, 1.0, "has none"),
    ] {
        let err = session(request(architecture, Some(beta))).err().unwrap();
        assert!(err.to_string().contains(says), "{err}");
    }
}
