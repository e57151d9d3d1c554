//! Helpers shared by the integration tests.
#![allow(dead_code)]
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use burn::prelude::Device;
use latent_lab::BackendKind;
use latent_lab::data::{MnistSet, Split};

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist")
}

/// The CPU backend the tests run on.
pub fn device() -> Device {
    BackendKind::Flex.init().expect("flex always starts").device
}

/// The first `n` training images.
pub fn train_subset(n: usize) -> MnistSet {
    MnistSet::load_dir(&data_dir(), Split::Train)
        .expect("bundled MNIST loads")
        .first(n)
}

pub fn test_subset(n: usize) -> MnistSet {
    MnistSet::load_dir(&data_dir(), Split::Test)
        .expect("bundled MNIST loads")
        .first(n)
}

/// A fresh, empty folder under the system's temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("latent-lab-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
