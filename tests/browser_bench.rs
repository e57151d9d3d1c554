//! Training speed in a browser worker, printed, not asserted: how fast the bare training step
//! runs in wasm, and how much the page's training session adds around it. Run by
//! `scripts/bench-browser-step.sh` (not part of the test command).
#![cfg(target_arch = "wasm32")]

use latent_lab::BackendKind;
use latent_lab::engine::TrainRequest;
use latent_lab::engine::session::{ReportEvery, TrainingSession, sample_digits};
use latent_lab::model::{Architecture, AutoencoderConfig};
use latent_lab::training::{Trainer, TrainingConfig};
use wasm_bindgen_test::*;

mod browser_common;
use browser_common::subset;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const BATCH: usize = 64;
const WARMUP_STEPS: usize = 10;
const TIMED_STEPS: usize = 60;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn report(what: &str, steps: usize, ms: f64) {
    console_log!(
        "BENCH {what}: {steps} steps of {BATCH} in {ms:.0} ms = {:.1} ms/step, {:.0} images/s",
        ms / steps as f64,
        (steps * BATCH) as f64 / (ms / 1000.0)
    );
}

#[wasm_bindgen_test]
async fn training_step_speed() {
    let device = BackendKind::Flex
        .init_async()
        .await
        .expect("flex starts")
        .device;
    let (train, test) = subset();
    let config = TrainingConfig {
        epochs: 100,
        batch_size: BATCH,
        ..TrainingConfig::default()
    };

    // The bare step, as in the native criterion bench.
    let model = AutoencoderConfig::new(Architecture::TwoLayer, 20).init(&device.clone().autodiff());
    let mut trainer = Trainer::new(model, train.len(), config, &device).expect("config");
    for _ in 0..WARMUP_STEPS {
        trainer.step(&train).expect("steps left");
    }
    let start = now_ms();
    for _ in 0..TIMED_STEPS {
        trainer.step(&train).expect("steps left");
    }
    report("bare Trainer::step", TIMED_STEPS, now_ms() - start);

    // The page's session: the same step plus progress, loss readback and reconstructions.
    let request = TrainRequest {
        architecture: Architecture::TwoLayer,
        latent_dim: 20,
        training: config,
        train_images: train.len(),
    };
    let samples = sample_digits(&test, 8);
    let mut session = TrainingSession::new(
        request,
        &train,
        samples,
        &device,
        now_ms(),
        ReportEvery::default(),
    )
    .expect("valid request");
    for _ in 0..WARMUP_STEPS {
        session.step(&train, &test, now_ms).await.expect("step");
    }
    let start = now_ms();
    for _ in 0..TIMED_STEPS {
        session.step(&train, &test, now_ms).await.expect("step");
    }
    report("TrainingSession::step", TIMED_STEPS, now_ms() - start);
}
