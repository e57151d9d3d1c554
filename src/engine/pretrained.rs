//! What the page bundles: the MNIST subset and the pretrained weights from the reproduction.

use crate::data::{
    Split, TEST_IMAGES_FILE, TEST_LABELS_FILE, TRAIN_IMAGES_FILE, TRAIN_LABELS_FILE,
};
use crate::model::{Architecture, LATENT_SIZES};

/// Latent sizes of the bundled variational autoencoders (the interpolation's two).
pub const VARIATIONAL_SIZES: [usize; 2] = [20, 100];
use crate::training::TransferScenario;

/// What a training or a transfer run is told when the page started without its training
/// subset (the start goes on without it: the pretrained models need only the test digits).
pub const NO_TRAINING_SUBSET: &str = "the training subset could not be loaded at start, so there are no images to train on (the pretrained models work without it)";

/// Folder of the bundled data under the page's root.
pub const DATA_DIR: &str = "data";
/// Folder of the bundled weights under the page's root.
pub const WEIGHTS_DIR: &str = "weights";

/// What follows a model's name in the file of its latent map through the epochs, beside its
/// weights (`two-layer-d20.epochs.json`): [`crate::engine::epoch_recording::RecordedEpochs`].
pub const EPOCHS_SUFFIX: &str = "epochs.json";

/// Names of the weight files `latent-lab reproduce --weights-out public/weights` writes
/// (without `.safetensors`): the latent sweep, the depth comparison, the variational
/// autoencoders, the three classifiers.
pub fn pretrained_names() -> Vec<String> {
    let mut names: Vec<String> = LATENT_SIZES
        .iter()
        .map(|d| format!("{}-d{d}", Architecture::TwoLayer))
        .collect();
    names.push(format!("{}-d20", Architecture::OneLayer));
    names.push(format!("{}-d20", Architecture::ThreeLayer));
    names.extend(VARIATIONAL_SIZES.map(|d| format!("{}-d{d}", Architecture::Vae)));
    names.extend(
        TransferScenario::ALL
            .iter()
            .map(|scenario| format!("classifier-{scenario}")),
    );
    names
}

/// Joins a base address (ending in `/` or not) and a relative path.
pub fn join_url(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path)
}

pub fn weights_url(base: &str, name: &str) -> String {
    join_url(base, &format!("{WEIGHTS_DIR}/{name}.safetensors"))
}

/// The address of a bundled model's latent map through the epochs.
pub fn epochs_url(base: &str, name: &str) -> String {
    join_url(base, &format!("{WEIGHTS_DIR}/{name}.{EPOCHS_SUFFIX}"))
}

/// (images, labels) addresses of one split of the bundled subset.
pub fn data_urls(base: &str, split: Split) -> (String, String) {
    let (images, labels) = match split {
        Split::Train => (TRAIN_IMAGES_FILE, TRAIN_LABELS_FILE),
        Split::Test => (TEST_IMAGES_FILE, TEST_LABELS_FILE),
    };
    (
        join_url(base, &format!("{DATA_DIR}/{images}")),
        join_url(base, &format!("{DATA_DIR}/{labels}")),
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn names_cover_every_reproduced_model() {
        let names = pretrained_names();
        assert_eq!(names.len(), 6 + 2 + 2 + 3);
        assert!(names.contains(&"vae-d100".to_string()));
        assert_eq!(names[0], "two-layer-d1");
        assert!(names.contains(&"three-layer-d20".to_string()));
        assert!(names.contains(&"classifier-frozen".to_string()));
    }

    #[test]
    fn urls_join_cleanly() {
        assert_eq!(
            weights_url("http://127.0.0.1:8080/", "two-layer-d20"),
            "http://127.0.0.1:8080/weights/two-layer-d20.safetensors"
        );
        assert_eq!(
            epochs_url("/app/", "vae-d20"),
            "/app/weights/vae-d20.epochs.json"
        );
        assert_eq!(
            data_urls("/app", Split::Test).1,
            "/app/data/t10k-labels-idx1-ubyte.gz"
        );
    }
}
