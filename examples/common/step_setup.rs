//! What the step examples train: the two-layer d = 20 autoencoder on flex, batch 64, Adam, MSE,
//! over the first 1,024 bundled test images (16 steps an epoch), for as many steps as asked.
use latent_lab::BackendKind;
use latent_lab::data::{MnistSet, Split};
use latent_lab::model::{Architecture, Autoencoder, AutoencoderConfig};
use latent_lab::training::{Trainer, TrainingConfig};

/// The images and a trainer with at least `steps` steps left.
pub fn two_layer_trainer(steps: usize) -> (MnistSet, Trainer<Autoencoder>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist");
    let data = MnistSet::load_dir(&dir, Split::Test)
        .expect("bundled MNIST loads")
        .first(64 * 16);
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
