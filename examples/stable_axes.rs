//! Which way of keeping the latent map's axes still moves the points less (issue 20): trains
//! a model as the page does (a `TrainingSession`, which records 1,000 test digits' codes
//! before the first step and after every epoch), then prints, for the recorded epochs, the
//! mean displacement of a point per epoch under each way, in units of the last map's spread.
//!   cargo run --release --example stable_axes -- [ARCHITECTURE] [LATENT] [EPOCHS] [IMAGES]
//! e.g. `-- two-layer 20 10 10000` (the defaults) or `-- vae 20 10 10000`.
use latent_lab::BackendKind;
use latent_lab::data::{MnistSet, Split};
use latent_lab::engine::TrainRequest;
use latent_lab::engine::session::{ReportEvery, TrainingSession};
use latent_lab::model::Architecture;
use latent_lab::training::TrainingConfig;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.into());
    let architecture: Architecture = arg(0, "two-layer").parse().expect("an architecture");
    let latent_dim: usize = arg(1, "20").parse().expect("a latent size");
    let epochs: usize = arg(2, "10").parse().expect("a number of epochs");
    let images: usize = arg(3, "10000").parse().expect("a number of images");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist");
    let train = MnistSet::load_dir(&dir, Split::Train)
        .expect("MNIST loads")
        .first(images);
    let test = MnistSet::load_dir(&dir, Split::Test)
        .expect("MNIST loads")
        .first(2_000);
    let device = BackendKind::Flex.init().expect("flex").device;
    let request = TrainRequest {
        architecture,
        latent_dim,
        training: TrainingConfig {
            epochs,
            ..TrainingConfig::default()
        },
        train_images: train.len(),
        beta: None,
    };
    let mut session = TrainingSession::new(
        request,
        &train,
        Vec::new(),
        &device,
        0.0,
        ReportEvery::default(),
    )
    .expect("a valid run");
    latent_lab::backend::on_kernel_threads(|| {
        while !session.is_finished() {
            pollster::block_on(session.step(&train, &test, || 0.0)).expect("a step");
        }
    });
    let recording = session.take_recording().expect("epochs recorded");
    let maps = recording.maps().expect("finite codes");
    println!(
        "{architecture} d = {latent_dim}, {epochs} epochs on {} images, {} test digits recorded at epochs {:?}",
        train.len(),
        recording.digits(),
        maps.epochs
    );
    println!(
        "mean displacement per epoch / last map's RMS radius: projection {:.4}, Procrustes {}; shown: {:?}",
        maps.projection_motion,
        maps.procrustes_motion
            .map_or("not computed".to_string(), |m| format!("{m:.4}")),
        maps.method
    );
    for (e, [x, y]) in maps.epochs.iter().zip(&maps.explained) {
        println!(
            "  epoch {e:>3}: {:.1}% and {:.1}% of the variance on the two axes",
            x * 100.0,
            y * 100.0
        );
    }
}
