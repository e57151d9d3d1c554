//! Runs training steps of the two-layer d = 20 autoencoder on flex in a loop, for profilers
//! (`perf record`): `cargo run --release --example step_loop -- STEPS`.
#[path = "common/step_setup.rs"]
mod step_setup;

fn main() {
    let steps: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let (data, mut trainer) = step_setup::two_layer_trainer(steps);
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
