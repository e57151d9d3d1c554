//! What the step examples train: the two-layer d = 20 autoencoder on flex, batch 64, Adam, MSE,
//! over the first 1,024 bundled test images (16 steps an epoch), for as many steps as asked.
use latent_lab::BackendKind;
use latent_lab::data::{MnistSet, Split};
use latent_lab::model::{Architecture, Autoencoder, AutoencoderConfig};
use latent_lab::training::{Trainer, TrainingConfig};

/// The first 1,024 bundled test images: 16 batches of 64.
pub fn bundled_images() -> MnistSet {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist");
    MnistSet::load_dir(&dir, Split::Test)
        .expect("bundled MNIST loads")
        .first(64 * 16)
}

/// The `i`th command-line argument as a number, or `default` where it is missing or not one.
#[allow(dead_code)] // not every example takes arguments this way
pub fn arg(i: usize, default: usize) -> usize {
    std::env::args()
        .nth(i)
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The images and a trainer with at least `steps` steps left.
pub fn two_layer_trainer(steps: usize) -> (MnistSet, Trainer<Autoencoder>) {
    let data = bundled_images();
    let device = BackendKind::Flex.init().expect("flex").device;
    let model = AutoencoderConfig::new(Architecture::TwoLayer, 20).init(&device.clone().autodiff());
    let config = TrainingConfig {
        epochs: steps.div_ceil(16).max(1),
        batch_size: 64,
        ..TrainingConfig::default()
    };
    let trainer = Trainer::new(model, data.len(), config, &device).expect("valid config");
    (data, trainer)
}
