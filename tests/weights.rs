//! Weight files: save → load gives identical outputs; bad files are refused with a reason.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::module::Module;
use burn::prelude::*;
use burn::tensor::Distribution;
use latent_lab::model::{Architecture, AutoencoderConfig, ClassifierConfig};
use latent_lab::weights::{
    ModelSpec, WeightsError, WeightsManifest, load_autoencoder, load_classifier, read_manifest,
    save_autoencoder, save_classifier,
};

fn manifest_for(architecture: Architecture, d: usize) -> WeightsManifest {
    let mut m = WeightsManifest::new(
        ModelSpec::Autoencoder {
            architecture,
            latent_dim: d,
        },
        architecture.param_count(d),
    );
    m.test_loss = Some(0.0123);
    m
}

fn images(device: &Device) -> Tensor<4> {
    Tensor::random([4, 1, 28, 28], Distribution::Uniform(0.0, 1.0), device)
}

#[test]
fn autoencoders_round_trip_exactly() {
    let device = common::device();
    for architecture in Architecture::ALL {
        let model = AutoencoderConfig::new(architecture, 7).init(&device);
        // Move the BatchNorm running statistics away from their defaults so they are tested.
        let model = {
            let ad = device.clone().autodiff();
            let m = model.to_device(&ad);
            let _ = m.forward(images(&ad));
            m.valid().to_device(&device)
        };
        let manifest = manifest_for(architecture, 7);
        let bytes = save_autoencoder(&model, &manifest).unwrap();
        let (loaded, read) = load_autoencoder(&bytes, &device).unwrap();
        // A VAE's β is written into the manifest on saving (1 for a new model).
        let expected = WeightsManifest {
            beta: model.beta(),
            ..manifest
        };
        assert_eq!(read, expected);
        assert_eq!(loaded.config(), model.config());
        assert_eq!(loaded.beta(), model.beta());
        let x = images(&device);
        let a = model.valid().forward(x.clone()).into_data();
        let b = loaded.valid().forward(x).into_data();
        assert_eq!(a, b, "{architecture}: outputs differ after a round trip");
    }
}

#[test]
fn classifiers_round_trip_exactly() {
    let device = common::device();
    let model = ClassifierConfig::new().init(&device);
    let mut manifest = WeightsManifest::new(ModelSpec::Classifier { latent_dim: 20 }, 21_220);
    manifest.test_accuracy = Some(0.97);
    let bytes = save_classifier(&model, &manifest).unwrap();
    let (loaded, read) = load_classifier(&bytes, &device).unwrap();
    assert_eq!(read.test_accuracy, Some(0.97));
    let x = images(&device);
    assert_eq!(
        model.forward(x.clone()).into_data(),
        loaded.forward(x).into_data()
    );
}

fn two_layer_bytes() -> Vec<u8> {
    let device = common::device();
    let model = AutoencoderConfig::new(Architecture::TwoLayer, 20).init(&device);
    save_autoencoder(&model, &manifest_for(Architecture::TwoLayer, 20)).unwrap()
}

#[test]
fn truncated_file_is_refused() {
    let bytes = two_layer_bytes();
    for len in [0, 7, 100, bytes.len() / 2, bytes.len() - 1] {
        let e = load_autoencoder(&bytes[..len], &common::device()).unwrap_err();
        assert!(
            matches!(e, WeightsError::NotSafetensors(_)),
            "len {len}: {e}"
        );
    }
}

#[test]
fn random_bytes_are_refused() {
    let junk: Vec<u8> = (0..5000u32).map(|i| (i * 7919 % 256) as u8).collect();
    let e = load_autoencoder(&junk, &common::device()).unwrap_err();
    assert!(matches!(e, WeightsError::NotSafetensors(_)), "{e}");
}

/// Rewrites the manifest inside a safetensors file, keeping the tensors.
fn with_manifest(bytes: &[u8], edit: impl Fn(&mut serde_json::Value)) -> Vec<u8> {
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
    let meta = header["__metadata__"]["latent_lab"]
        .as_str()
        .unwrap()
        .to_string();
    let mut manifest: serde_json::Value = serde_json::from_str(&meta).unwrap();
    edit(&mut manifest);
    header["__metadata__"]["latent_lab"] = serde_json::Value::String(manifest.to_string());
    let mut new_header = serde_json::to_vec(&header).unwrap();
    // safetensors pads the header to a multiple of 8 with spaces.
    while !new_header.len().is_multiple_of(8) {
        new_header.push(b' ');
    }
    let mut out = (new_header.len() as u64).to_le_bytes().to_vec();
    out.extend(new_header);
    out.extend(&bytes[8 + header_len..]);
    out
}

#[test]
fn manifest_editing_helper_keeps_a_valid_file() {
    let bytes = with_manifest(&two_layer_bytes(), |_| {});
    assert!(load_autoencoder(&bytes, &common::device()).is_ok());
}

#[test]
fn tensors_that_do_not_fit_the_declared_model_are_refused() {
    // The file says d = 5, the tensors are d = 20's.
    let bytes = with_manifest(&two_layer_bytes(), |m| m["model"]["latent_dim"] = 5.into());
    let e = load_autoencoder(&bytes, &common::device()).unwrap_err();
    assert!(matches!(e, WeightsError::Mismatch { .. }), "{e}");
    // The file says three layers, the tensors are two layers'.
    let bytes = with_manifest(&two_layer_bytes(), |m| {
        m["model"]["architecture"] = "three-layer".into()
    });
    let e = load_autoencoder(&bytes, &common::device()).unwrap_err();
    assert!(matches!(e, WeightsError::Mismatch { .. }), "{e}");
}

#[test]
fn wrong_kind_of_model_is_refused() {
    let e = load_classifier(&two_layer_bytes(), &common::device()).unwrap_err();
    assert!(
        matches!(&e, WeightsError::WrongModel { expected, found } if expected == "classifier" && found == "two-layer-d20"),
        "{e}"
    );
}

#[test]
fn foreign_and_malformed_manifests_are_refused() {
    let device = common::device();
    // A safetensors file from elsewhere: no manifest.
    let foreign = {
        let header = br#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
        let mut out = (header.len() as u64).to_le_bytes().to_vec();
        out.extend_from_slice(header);
        out.extend_from_slice(&[0u8; 8]);
        out
    };
    assert!(matches!(
        load_autoencoder(&foreign, &device).unwrap_err(),
        WeightsError::MissingManifest
    ));
    let bytes = with_manifest(&two_layer_bytes(), |m| m["format_version"] = 99.into());
    assert!(matches!(
        read_manifest(&bytes).unwrap_err(),
        WeightsError::UnsupportedVersion { found: 99 }
    ));
    let bytes = with_manifest(&two_layer_bytes(), |m| m["model"]["kind"] = "gan".into());
    assert!(matches!(
        read_manifest(&bytes).unwrap_err(),
        WeightsError::BadManifest(_)
    ));
    let bytes = with_manifest(&two_layer_bytes(), |m| m["model"]["latent_dim"] = 0.into());
    assert!(matches!(
        load_autoencoder(&bytes, &device).unwrap_err(),
        WeightsError::BadManifest(_)
    ));
}

#[test]
fn loaded_weights_keep_training_on_an_autodiff_device() {
    use latent_lab::training::{Trainer, TrainingConfig, read_scalar};
    let device = common::device();
    let data = common::train_subset(256);
    let (model, _) = load_autoencoder(&two_layer_bytes(), &device.clone().autodiff()).unwrap();
    let config = TrainingConfig {
        epochs: 2,
        ..TrainingConfig::default()
    };
    let mut trainer = Trainer::new(model, data.len(), config, &device).unwrap();
    let mut losses = Vec::new();
    while let Some(step) = trainer.step(&data) {
        losses.push(pollster::block_on(read_scalar(step.loss)).unwrap());
    }
    assert_eq!(losses.len(), 8);
    assert!(losses[7] < losses[0], "{losses:?}");
}

/// `bytes` with element `index` of tensor `name` replaced by `value` (f32, little-endian).
fn with_element(bytes: &[u8], name: &str, index: usize, value: f32) -> Vec<u8> {
    let tensors = safetensors::SafeTensors::deserialize(bytes).unwrap();
    let data = tensors.tensor(name).unwrap().data();
    let offset = data.as_ptr() as usize - bytes.as_ptr() as usize + 4 * index;
    let mut out = bytes.to_vec();
    out[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
    out
}

#[test]
fn weights_with_nan_or_infinity_are_refused_naming_the_tensor() {
    let device = common::device();
    let bytes = two_layer_bytes();
    let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut names: Vec<String> = tensors.names().into_iter().map(str::to_string).collect();
    names.sort();
    let last = names.last().unwrap().clone();
    for (name, index, value, shown) in [
        (names[0].clone(), 0, f32::NAN, "NaN"),
        (last.clone(), 3, f32::INFINITY, "+inf"),
        (last, 5, f32::NEG_INFINITY, "-inf"),
    ] {
        let broken = with_element(&bytes, &name, index, value);
        let e = load_autoencoder(&broken, &device).unwrap_err();
        assert!(
            matches!(&e, WeightsError::NonFinite { tensor, index: i, value: v }
                if *tensor == name && *i == index && v == shown),
            "{e}"
        );
        assert!(e.to_string().contains(&format!("'{name}'")), "{e}");
    }
    // A finite change of the same element is fine: the check looks at values, not bytes.
    let changed = with_element(&bytes, &names[0], 0, 0.5);
    assert!(load_autoencoder(&changed, &device).is_ok());

    let classifier = ClassifierConfig::new().init(&device);
    let manifest = WeightsManifest::new(ModelSpec::Classifier { latent_dim: 20 }, 21_220);
    let bytes = save_classifier(&classifier, &manifest).unwrap();
    let name = safetensors::SafeTensors::deserialize(&bytes)
        .unwrap()
        .names()[0]
        .to_string();
    let e = load_classifier(&with_element(&bytes, &name, 0, f32::NAN), &device).unwrap_err();
    assert!(matches!(e, WeightsError::NonFinite { .. }), "{e}");
}

/// Values no trained model holds: a weight beyond ±100000 (a corrupt exponent byte) or a
/// negative running variance (its square root is NaN). Both once loaded and decoded every image
/// to NaN (found by the property test of corrupted files).
#[test]
fn weights_out_of_range_and_negative_variances_are_refused_naming_the_tensor() {
    let device = common::device();
    let bytes = two_layer_bytes();
    let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut names: Vec<String> = tensors.names().into_iter().map(str::to_string).collect();
    names.sort();
    let variance = names
        .iter()
        .find(|n| n.ends_with("running_var"))
        .unwrap()
        .clone();
    let weight = names
        .iter()
        .find(|n| n.ends_with("weight"))
        .unwrap()
        .clone();
    for (name, index, value, why) in [
        (weight.clone(), 2, 3.0e37f32, "beyond ±100000"),
        (weight.clone(), 1, -2.0e5, "beyond ±100000"),
        (variance.clone(), 4, -1e-4, "a variance cannot be negative"),
    ] {
        let e = load_autoencoder(&with_element(&bytes, &name, index, value), &device).unwrap_err();
        assert!(
            matches!(&e, WeightsError::OutOfRange { tensor, index: i, why: w, .. }
                if *tensor == name && *i == index && w.starts_with(why)),
            "{e}"
        );
        assert!(e.to_string().contains(&format!("'{name}'")), "{e}");
    }
    // Within range: a large but plausible weight, a zero variance.
    assert!(load_autoencoder(&with_element(&bytes, &weight, 2, 9.5e4), &device).is_ok());
    assert!(load_autoencoder(&with_element(&bytes, &variance, 4, 0.0), &device).is_ok());
}

#[test]
fn a_latent_size_past_the_one_limit_is_refused_for_files_too() {
    let bytes = with_manifest(&two_layer_bytes(), |m| {
        m["model"]["latent_dim"] = 1001.into()
    });
    let e = load_autoencoder(&bytes, &common::device()).unwrap_err();
    assert!(e.to_string().contains("between 1 and 1000"), "{e}");
}
