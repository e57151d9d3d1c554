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
/// The machine's speed wanders from second to second: time several short rounds, alternating
/// the two set-ups, and report each round, the median and the best.
const ROUNDS: usize = 7;
const STEPS_PER_ROUND: usize = 20;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn images_per_second(ms: f64) -> f64 {
    (STEPS_PER_ROUND * BATCH) as f64 / (ms / 1000.0)
}

fn report(what: &str, rounds_ms: &[f64]) {
    let mut speeds: Vec<f64> = rounds_ms.iter().map(|&ms| images_per_second(ms)).collect();
    let each: Vec<String> = speeds.iter().map(|s| format!("{s:.0}")).collect();
    speeds.sort_by(f64::total_cmp);
    console_log!(
        "BENCH {what}: {ROUNDS} rounds of {STEPS_PER_ROUND} steps of {BATCH}: median {:.0} images/s, best {:.0} (rounds: {})",
        speeds[speeds.len() / 2],
        speeds[speeds.len() - 1],
        each.join(", ")
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

    // The page's session: the same step plus progress, loss readback and reconstructions.
    let request = TrainRequest {
        architecture: Architecture::TwoLayer,
        latent_dim: 20,
        training: config,
        train_images: train.len(),
        beta: None,
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
        trainer.step(&train).expect("steps left");
        session.step(&train, &test, now_ms).await.expect("step");
    }
    let (mut bare, mut in_session) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let start = now_ms();
        for _ in 0..STEPS_PER_ROUND {
            trainer.step(&train).expect("steps left");
        }
        bare.push(now_ms() - start);
        let start = now_ms();
        for _ in 0..STEPS_PER_ROUND {
            session.step(&train, &test, now_ms).await.expect("step");
        }
        in_session.push(now_ms() - start);
    }
    report("bare Trainer::step", &bare);
    report("TrainingSession::step", &in_session);
}
