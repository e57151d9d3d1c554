//! One training step of the two-layer autoencoder (d = 20, batch 64) per backend, reported in
//! images per second (criterion's "elements"). wgpu runs only where an adapter exists
//! (natively: a GPU, or Mesa's lavapipe in software).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use latent_lab::BackendKind;
use latent_lab::data::{MnistSet, Split};
use latent_lab::model::{Architecture, AutoencoderConfig};
use latent_lab::training::{Trainer, TrainingConfig};

const BATCH: usize = 64;
/// Steps run before timing starts, on every backend.
const WARMUP_STEPS: usize = 50;

fn train_step(c: &mut Criterion) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist");
    let data = MnistSet::load_dir(&dir, Split::Test)
        .expect("bundled MNIST loads")
        .first(BATCH * 16);
    let mut group = c.benchmark_group("train_step_two_layer_d20_batch64");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(20);
    for kind in BackendKind::ALL {
        let backend = match kind.init() {
            Ok(b) => b,
            Err(e) => {
                eprintln!("skipping {kind}: {e}");
                continue;
            }
        };
        eprintln!("{kind}: {}", backend.description);
        let device = backend.device;
        let model =
            AutoencoderConfig::new(Architecture::TwoLayer, 20).init(&device.clone().autodiff());
        let config = TrainingConfig {
            epochs: usize::MAX / (2 * data.len()),
            batch_size: BATCH,
            ..TrainingConfig::default()
        };
        let mut trainer = Trainer::new(model, data.len(), config, &device).expect("valid config");
        // wgpu compiles and autotunes its kernels on first use (about a minute on a real GPU),
        // which criterion's few-second warm-up would otherwise count as step time.
        for _ in 0..WARMUP_STEPS {
            trainer.step(&data).expect("epochs never run out");
        }
        device.sync().expect("device sync");
        group.bench_function(kind.to_string(), |b| {
            b.iter(|| {
                // As the command trains: from a thread of the CPU kernels' pool.
                let step = latent_lab::backend::on_kernel_threads(|| trainer.step(&data))
                    .expect("epochs never run out");
                // Wait for the device, so that queued GPU work is timed too.
                device.sync().expect("device sync");
                step.loss
            })
        });
    }
    group.finish();
}

criterion_group!(benches, train_step);
criterion_main!(benches);
