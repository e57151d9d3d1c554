//! Parameter counts and shapes of all nine models of the exercise.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::prelude::*;
use burn::tensor::Distribution;
use latent_lab::model::{
    Architecture, AutoencoderConfig, CODE_BIAS_INIT, ClassifierConfig, LATENT_SIZES, NUM_CLASSES,
    param_count,
};

/// The counts the exercise states (report.txt and issue 2): two-layer at d = 1..100, one- and
/// three-layer at d = 20, and the classifier.
const EXPECTED: [(Architecture, usize, usize); 8] = [
    (Architecture::TwoLayer, 1, 15_482),
    (Architecture::TwoLayer, 5, 22_686),
    (Architecture::TwoLayer, 10, 31_691),
    (Architecture::TwoLayer, 20, 49_701),
    (Architecture::TwoLayer, 50, 103_731),
    (Architecture::TwoLayer, 100, 193_781),
    (Architecture::OneLayer, 20, 27_543),
    (Architecture::ThreeLayer, 20, 28_317),
];

#[test]
fn autoencoder_parameter_counts_match_the_exercise() {
    let device = common::device();
    for (architecture, d, expected) in EXPECTED {
        let model = AutoencoderConfig::new(architecture, d).init(&device);
        assert_eq!(param_count(&model), expected, "{architecture} d={d}");
        assert_eq!(
            architecture.param_count(d),
            expected,
            "formula for {architecture} d={d}"
        );
    }
}

#[test]
fn two_layer_count_is_affine_in_the_latent_size() {
    for d in LATENT_SIZES {
        assert_eq!(Architecture::TwoLayer.param_count(d), 13_681 + 1_801 * d);
    }
}

#[test]
fn classifier_has_21220_parameters() {
    let device = common::device();
    assert_eq!(param_count(&ClassifierConfig::new().init(&device)), 21_220);
}

#[test]
fn autoencoders_map_images_to_images_through_a_code_of_size_d() {
    let device = common::device();
    let images = Tensor::<4>::random([3, 1, 28, 28], Distribution::Uniform(0.0, 1.0), &device);
    for architecture in Architecture::ALL {
        for d in [1, 20] {
            let model = AutoencoderConfig::new(architecture, d).init(&device);
            assert_eq!(model.latent_dim(), d);
            assert_eq!(model.architecture(), architecture);
            let codes = model.encode(images.clone());
            assert_eq!(codes.dims(), [3, d], "{architecture} d={d}");
            let out = model.decode(codes);
            assert_eq!(out.dims(), [3, 1, 28, 28], "{architecture} d={d}");
            let values = out.into_data().try_into_vec::<f32>().unwrap();
            assert!(
                values.iter().all(|v| (0.0..=1.0).contains(v)),
                "sigmoid output"
            );
        }
    }
}

#[test]
fn codes_are_non_negative() {
    let device = common::device();
    let images = Tensor::<4>::random([8, 1, 28, 28], Distribution::Uniform(0.0, 1.0), &device);
    let model = AutoencoderConfig::new(Architecture::TwoLayer, 50).init(&device);
    let codes = model
        .encode(images)
        .into_data()
        .try_into_vec::<f32>()
        .unwrap();
    assert!(
        codes.iter().all(|&c| c >= 0.0),
        "the encoder ends in a ReLU"
    );
}

/// Every code unit starts at bias +1 and fires for real digits: a unit that starts below zero
/// for every image gets no gradient through its ReLU and never recovers.
#[test]
fn every_code_unit_starts_alive() {
    let device = common::device();
    let test = common::test_subset(64);
    let indices: Vec<usize> = (0..64).collect();
    let images = latent_lab::data::images_to_tensor(&test, &indices, &device);
    // The plain autoencoders (the VAE's code is a Gaussian's mean, with no ReLU to die in).
    for architecture in Architecture::DEPTHS {
        for d in [1, 20, 100] {
            let model = AutoencoderConfig::new(architecture, d).init(&device);
            let bias = model
                .code_layer()
                .bias
                .as_ref()
                .expect("the code layer has a bias");
            let bias = bias.val().into_data().try_into_vec::<f32>().unwrap();
            assert_eq!(bias, vec![CODE_BIAS_INIT; d], "{architecture} d={d}");
            // Inference mode: BatchNorm uses its running statistics, as after training.
            let codes = model
                .encode(images.clone())
                .into_data()
                .try_into_vec::<f32>()
                .unwrap();
            for unit in 0..d {
                let fires = (0..64).filter(|&i| codes[i * d + unit] > 0.0).count();
                assert!(
                    fires > 32,
                    "{architecture} d={d}: unit {unit} fires for {fires} of 64"
                );
            }
        }
    }
    let classifier = ClassifierConfig::new().init(&device);
    let bias = classifier.encoder.latent.bias.as_ref().unwrap().val();
    assert_eq!(
        bias.into_data().try_into_vec::<f32>().unwrap(),
        vec![CODE_BIAS_INIT; 20]
    );
}

#[test]
fn classifier_outputs_ten_logits() {
    let device = common::device();
    let images = Tensor::<4>::random([5, 1, 28, 28], Distribution::Uniform(0.0, 1.0), &device);
    let logits = ClassifierConfig::new().init(&device).forward(images);
    assert_eq!(logits.dims(), [5, NUM_CLASSES]);
}

#[test]
fn architecture_names_round_trip() {
    for a in Architecture::ALL {
        assert_eq!(a.to_string().parse::<Architecture>().unwrap(), a);
    }
    for a in Architecture::DEPTHS {
        assert_eq!(Architecture::from_layers(a.layers()), Some(a));
    }
    assert_eq!("vae".parse::<Architecture>(), Ok(Architecture::Vae));
    assert_eq!(
        AutoencoderConfig::new(Architecture::Vae, 20).name(),
        "vae-d20"
    );
    assert!("four-layer".parse::<Architecture>().is_err());
    // In a sentence, the VAE is not "vae autoencoder".
    assert_eq!(Architecture::TwoLayer.noun(), "two-layer autoencoder");
    assert_eq!(Architecture::Vae.noun(), "variational autoencoder");
    assert_eq!(
        AutoencoderConfig::new(Architecture::ThreeLayer, 20).name(),
        "three-layer-d20"
    );
}
