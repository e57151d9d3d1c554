//! Runs training steps of the two-layer d = 20 autoencoder on flex in a loop, for profilers
//! (`perf record`): `cargo run --release --example step_loop -- STEPS`.
use latent_lab::BackendKind;
use latent_lab::data::{MnistSet, Split};
use latent_lab::model::{Architecture, AutoencoderConfig};
use latent_lab::training::{Trainer, TrainingConfig};

fn main() {
    let steps: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist");
    let data = MnistSet::load_dir(&dir, Split::Test)
        .expect("bundled MNIST loads")
        .first(64 * 16);
    let device = BackendKind::Flex.init().expect("flex").device;
    let model = AutoencoderConfig::new(Architecture::TwoLayer, 20).init(&device.clone().autodiff());
    let config = TrainingConfig {
        epochs: 1000,
        batch_size: 64,
        ..TrainingConfig::default()
    };
    let mut trainer = Trainer::new(model, data.len(), config, &device).expect("valid config");
    let start = std::time::Instant::now();
    // As the command trains: from a thread of the kernels' pool (RAYON_NUM_THREADS sets its size).
    latent_lab::backend::on_kernel_threads(|| {
        for _ in 0..steps {
            trainer.step(&data).expect("steps left");
        }
    });
    let s = start.elapsed().as_secs_f64();
    println!(
        "{steps} steps in {s:.2} s: {:.1} ms/step, {:.0} images/s",
        1000.0 * s / steps as f64,
        (steps * 64) as f64 / s
    );
}
