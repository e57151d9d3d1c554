//! Arbitrary bytes as a weight file, loaded as an autoencoder and as a classifier on the CPU
//! backend: a model with the manifest's shapes, or an error, never a panic. A model that loads
//! is usable: one image through it gives a code of the declared size and a 28x28 image (an autoencoder)
//! or ten class scores (a classifier).
#![no_main]

use burn::prelude::*;
use latent_lab::weights::{ModelSpec, load_autoencoder, load_classifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let device = Device::default();
    if let Ok((model, manifest)) = load_autoencoder(bytes, &device) {
        let ModelSpec::Autoencoder { latent_dim, .. } = manifest.model else {
            panic!("an autoencoder loaded from a file that declares {:?}", manifest.model);
        };
        let image = Tensor::<4>::zeros([1, 1, 28, 28], &device);
        let code = model.encode(image);
        assert_eq!(code.dims(), [1, latent_dim]);
        assert_eq!(model.decode(code).dims(), [1, 1, 28, 28]);
    }
    if let Ok((model, manifest)) = load_classifier(bytes, &device) {
        assert!(
            matches!(manifest.model, ModelSpec::Classifier { .. }),
            "a classifier loaded from a file that declares {:?}",
            manifest.model
        );
        let image = Tensor::<4>::zeros([1, 1, 28, 28], &device);
        assert_eq!(model.forward(image).dims(), [1, 10]);
    }
});
