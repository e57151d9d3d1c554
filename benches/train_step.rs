//! One training step of the two-layer autoencoder (d = 20, batch 64) per backend, reported in
//! images per second (criterion's "elements"). wgpu runs only where an adapter exists
//! (natively: a GPU, or Mesa's lavapipe in software).
//!
//! `TRAIN_STEP_BATCHES=64,256` times other batch sizes too (one criterion group each), and
//! `TRAIN_STEP_BACKENDS=wgpu` (or `flex,ndarray`) starts only the backends named: each one
//! started runs its warm-up steps, whatever criterion's filter then times. The
//! device is synchronised once after each timed run of steps, not after every step: training
//! queues step after step, and so does PyTorch's reference loop (`benches/torch_reference_step.py`),
//! so the two figures compare the same thing.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use latent_lab::BackendKind;
use latent_lab::data::{MnistSet, Split};
use latent_lab::model::{Architecture, AutoencoderConfig};
use latent_lab::training::{Trainer, TrainingConfig};
use std::time::{Duration, Instant};

const DEFAULT_BATCH: usize = 64;
/// Steps run before timing starts, on every backend.
const WARMUP_STEPS: usize = 50;

/// The batch sizes to time: `TRAIN_STEP_BATCHES` (comma-separated), else 64.
fn batch_sizes() -> Vec<usize> {
    match std::env::var("TRAIN_STEP_BATCHES") {
        Ok(list) => list
            .split(',')
            .map(|b| {
                b.trim()
                    .parse()
                    .ok()
                    .filter(|&b| b > 0)
                    .unwrap_or_else(|| panic!("TRAIN_STEP_BATCHES: '{b}' is not a batch size"))
            })
            .collect(),
        Err(_) => vec![DEFAULT_BATCH],
    }
}

fn train_step(c: &mut Criterion) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist");
    let test = MnistSet::load_dir(&dir, Split::Test).expect("bundled MNIST loads");
    let wanted = std::env::var("TRAIN_STEP_BACKENDS").ok();
    let backends: Vec<_> = BackendKind::ALL
        .into_iter()
        .filter(|kind| {
            wanted
                .as_deref()
                .is_none_or(|list| list.split(',').any(|w| w.trim() == kind.to_string()))
        })
        .filter_map(|kind| match kind.init() {
            Ok(b) => {
                eprintln!("{kind}: {}", b.description);
                Some(b)
            }
            Err(e) => {
                eprintln!("skipping {kind}: {e}");
                None
            }
        })
        .collect();
    for batch in batch_sizes() {
        let data = test.first(batch * 16);
        let mut group = c.benchmark_group(format!("train_step_two_layer_d20_batch{batch}"));
        group.throughput(Throughput::Elements(batch as u64));
        group.sample_size(20);
        for backend in &backends {
            let kind = backend.kind;
            let device = backend.device.clone();
            let model =
                AutoencoderConfig::new(Architecture::TwoLayer, 20).init(&device.clone().autodiff());
            let config = TrainingConfig {
                epochs: usize::MAX / (2 * data.len()),
                batch_size: batch,
                ..TrainingConfig::default()
            };
            let mut trainer =
                Trainer::new(model, data.len(), config, &device).expect("valid config");
            // wgpu compiles and autotunes its kernels on first use (about a minute on a real
            // GPU), which criterion's few-second warm-up would otherwise count as step time.
            for _ in 0..WARMUP_STEPS {
                trainer.step(&data).expect("epochs never run out");
            }
            device.sync().expect("device sync");
            group.bench_function(kind.to_string(), |b| {
                b.iter_custom(|steps| {
                    let start = Instant::now();
                    for _ in 0..steps {
                        // As the command trains: from a thread of the CPU kernels' pool.
                        latent_lab::backend::on_kernel_threads(|| trainer.step(&data))
                            .expect("epochs never run out");
                    }
                    // Wait for the device, so that queued GPU work is timed too.
                    device.sync().expect("device sync");
                    start.elapsed().max(Duration::from_nanos(1))
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, train_step);
criterion_main!(benches);
