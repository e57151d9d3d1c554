//! One training link, one run: the page's training session with the same seed, settings and
//! backend gives the same losses, step by step; another seed gives others. The same for a
//! transfer run. In a test binary of its own, because seeding the device's generator and
//! drawing the initial weights must not interleave with another test drawing from the same
//! device (and the tests here take turns, for the same reason).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::sync::Mutex;

use burn::prelude::Tensor;
use burn::tensor::Distribution;
use common::{device, test_subset, train_subset};
use latent_lab::engine::session::{ReportEvery, TrainingSession, sample_digits};
use latent_lab::engine::transfer_session::{TransferRequest, TransferSession};
use latent_lab::engine::{FromEngine, TrainRequest};
use latent_lab::model::Architecture;
use latent_lab::training::{TrainingConfig, TransferScenario};

/// Held by each test while it seeds and draws: the device's generator is shared.
static GENERATOR: Mutex<()> = Mutex::new(());

/// Every step's loss, then every epoch's train and test loss.
fn losses(seed: u64) -> (Vec<f32>, Vec<(f32, f32)>) {
    let device = device();
    let train = train_subset(256);
    let test = test_subset(100);
    let request = TrainRequest {
        architecture: Architecture::TwoLayer,
        latent_dim: 5,
        training: TrainingConfig {
            epochs: 2,
            batch_size: 32,
            seed,
            ..TrainingConfig::default()
        },
        train_images: 256,
        beta: None,
    };
    let every = ReportEvery {
        progress_ms: 0.0,
        reconstructions_ms: 1e9,
    };
    let samples = sample_digits(&test, 2);
    let mut session = TrainingSession::new(request, &train, samples, &device, 0.0, every).unwrap();
    let (mut steps, mut epochs) = (Vec::new(), Vec::new());
    let mut t = 0.0;
    while !session.is_finished() {
        t += 10.0;
        let now = t;
        for event in pollster::block_on(session.step(&train, &test, || now)).unwrap() {
            match event {
                FromEngine::Progress(p) => steps.push(p.loss),
                FromEngine::EpochDone {
                    train_loss,
                    test_loss,
                    ..
                } => epochs.push((train_loss, test_loss)),
                _ => {}
            }
        }
    }
    (steps, epochs)
}

#[test]
fn one_seed_gives_one_run_and_another_seed_another() {
    let _turn = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    let (steps, epochs) = losses(7);
    assert_eq!(steps.len(), 16, "8 steps of 32 images per epoch, 2 epochs");
    assert_eq!(epochs.len(), 2);
    assert!(steps.iter().all(|l| l.is_finite() && *l > 0.0), "{steps:?}");
    let again = losses(7);
    assert_eq!(
        (steps.clone(), epochs.clone()),
        again,
        "the same seed and settings give the same losses, bit for bit"
    );
    let (other_steps, _) = losses(8);
    assert_ne!(
        steps[0], other_steps[0],
        "another seed starts from other weights (the first step's loss differs)"
    );
}

/// A scratch run (every weight drawn at random) of two epochs: its figures at the end.
fn scratch_transfer_run() -> (f32, f32, f32) {
    let device = device();
    let (train, test) = (train_subset(128), test_subset(100));
    let request = TransferRequest {
        scenarios: vec![TransferScenario::Scratch],
        labels: 64,
        epochs: Some(2),
        batch_size: 32,
        learning_rate: 1e-3,
    };
    let mut session = TransferSession::new(
        TransferScenario::Scratch,
        &request,
        None,
        &train,
        &device,
        0.0,
    )
    .unwrap();
    while !session.is_finished() {
        pollster::block_on(session.step(&test, || 0.0)).unwrap();
    }
    let (_, _, result) = pollster::block_on(session.finish(&test, 0.0)).unwrap();
    (result.train_loss, result.test_loss, result.test_accuracy)
}

#[test]
fn a_transfer_run_repeats_whatever_the_device_drew_before() {
    let _turn = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    let first = scratch_transfer_run();
    assert!(first.0.is_finite() && first.1.is_finite(), "{first:?}");
    // Something else draws from the device's generator in between (in the page: another
    // model, the latent map's samples); the next run must not start from other weights.
    let drawn: Tensor<2> = Tensor::random([100, 100], Distribution::Default, &device());
    assert_eq!(drawn.dims(), [100, 100]);
    assert_eq!(
        scratch_transfer_run(),
        first,
        "the same transfer request gives the same run, bit for bit"
    );
}

/// `latent-lab seeds --transfer-labels` trains what the page trains: for the page's seed (the
/// default training seed), on the bundled subset, each scenario ends where a page session
/// on the same request ends. So the study's figures answer the lesson the page runs.
#[test]
fn the_transfer_study_command_gives_the_page_s_run() {
    let _turn = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = common::temp_dir("transfer-study");
    let seed = TrainingConfig::default().seed.to_string();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_latent-lab"))
        .current_dir(root)
        .args([
            "seeds",
            "--transfer-labels",
            "64",
            "--epochs",
            "3",
            "--seeds",
        ])
        .args([seed.as_str(), "--data", "public/data", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let runs: Vec<latent_lab::results::TransferSeedRun> =
        serde_json::from_slice(&std::fs::read(out.join("transfer-64-labels.json")).unwrap())
            .unwrap();
    assert_eq!(runs.len(), 3, "one seed, three scenarios");
    let table = std::fs::read_to_string(out.join("transfer-64-labels.md")).unwrap();
    for scenario in ["frozen", "finetune", "scratch"] {
        assert!(
            table.contains(&format!("| {seed} | {scenario} |")),
            "{scenario} missing from {table}"
        );
    }

    let device = device();
    let data = root.join("public/data");
    let train =
        latent_lab::data::MnistSet::load_dir(&data, latent_lab::data::Split::Train).unwrap();
    let test = latent_lab::data::MnistSet::load_dir(&data, latent_lab::data::Split::Test).unwrap();
    let bytes = std::fs::read(root.join("public/weights/three-layer-d20.safetensors")).unwrap();
    let (autoencoder, _) = latent_lab::weights::load_autoencoder(&bytes, &device).unwrap();
    let encoder = autoencoder.three_layer_encoder().unwrap();
    for (scenario, command) in TransferScenario::ALL.into_iter().zip(&runs) {
        let request = TransferRequest {
            scenarios: vec![scenario],
            labels: 64,
            epochs: Some(3),
            batch_size: TrainingConfig::default().batch_size,
            learning_rate: TrainingConfig::default().learning_rate,
        };
        let mut session =
            TransferSession::new(scenario, &request, Some(encoder), &train, &device, 0.0).unwrap();
        while !session.is_finished() {
            pollster::block_on(session.step(&test, || 0.0)).unwrap();
        }
        let (_, _, page) = pollster::block_on(session.finish(&test, 0.0)).unwrap();
        let command = &command.entry;
        assert_eq!(command.scenario, scenario);
        assert_eq!((command.epochs, page.epochs), (3, 3));
        // The two score the test set in batches of different sizes: the same model, to float
        // rounding.
        assert!(
            (command.test_loss - page.test_loss).abs() < 1e-5,
            "{scenario}: command {} against page {}",
            command.test_loss,
            page.test_loss
        );
        assert_eq!(command.test_accuracy, page.test_accuracy, "{scenario}");
        assert!(
            (command.train_loss - page.train_loss).abs() < 1e-5,
            "{scenario}"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}
