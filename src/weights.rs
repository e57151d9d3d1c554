//! Weight files: safetensors (readable by PyTorch users too) with a JSON manifest in the
//! header metadata saying what model the tensors belong to and how it was trained.
//!
//! Loading reads the manifest first, builds that model, then applies the tensors with
//! validation: a wrong, truncated or foreign file is an error and nothing is half-loaded.

use burn::prelude::*;
use burn::store::{ModuleSnapshot, SafetensorsStore};
use serde::{Deserialize, Serialize};

use crate::model::{
    Architecture, Autoencoder, AutoencoderConfig, Classifier, ClassifierConfig, DEFAULT_BETA,
};
use crate::training::TrainingConfig;

/// Key of the manifest in the safetensors header's `__metadata__`.
pub const MANIFEST_KEY: &str = "latent_lab";
/// Bumped when the layout of saved tensors changes.
pub const FORMAT_VERSION: u32 = 1;

/// Which model a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ModelSpec {
    Autoencoder {
        architecture: Architecture,
        latent_dim: usize,
    },
    Classifier {
        latent_dim: usize,
    },
}

impl ModelSpec {
    /// A short stable name such as `two-layer-d20` or `classifier-d20`.
    pub fn name(&self) -> String {
        match self {
            ModelSpec::Autoencoder {
                architecture,
                latent_dim,
            } => format!("{architecture}-d{latent_dim}"),
            ModelSpec::Classifier { latent_dim } => format!("classifier-d{latent_dim}"),
        }
    }
}

/// What is known about the weights: model, size, and how they were made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightsManifest {
    pub format_version: u32,
    pub model: ModelSpec,
    pub params: usize,
    #[serde(default)]
    pub training: Option<TrainingConfig>,
    #[serde(default)]
    pub train_images: Option<usize>,
    #[serde(default)]
    pub train_loss: Option<f32>,
    #[serde(default)]
    pub test_loss: Option<f32>,
    #[serde(default)]
    pub test_accuracy: Option<f32>,
    /// Free text: the transfer scenario, the command that produced the file, ...
    #[serde(default)]
    pub notes: Option<String>,
    /// A VAE's KL weight β (not a tensor: the loss's, kept for evaluation and further
    /// training). Absent for every other model; a VAE file without it means β = 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta: Option<f32>,
}

impl WeightsManifest {
    pub fn new(model: ModelSpec, params: usize) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            model,
            params,
            training: None,
            train_images: None,
            train_loss: None,
            test_loss: None,
            test_accuracy: None,
            notes: None,
            beta: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("not a safetensors file: {0}")]
    NotSafetensors(String),
    #[error("the file has no Latent Lab manifest (is it from another program?)")]
    MissingManifest,
    #[error("the manifest is malformed: {0}")]
    BadManifest(String),
    #[error("weights format version {found} is not supported (this build reads {FORMAT_VERSION})")]
    UnsupportedVersion { found: u32 },
    #[error("the file holds a {found}, but a {expected} was asked for")]
    WrongModel { expected: String, found: String },
    #[error("the tensors do not fit a {model}: {reason}")]
    Mismatch { model: String, reason: String },
    #[error(
        "tensor '{tensor}' holds {value} at element {index}: a model with it computes nothing meaningful"
    )]
    NonFinite {
        tensor: String,
        index: usize,
        value: String,
    },
    #[error("tensor '{tensor}' holds {value} at element {index}: {why}")]
    OutOfRange {
        tensor: String,
        index: usize,
        value: String,
        why: String,
    },
    #[error("could not write the weights: {0}")]
    Save(String),
}

/// The largest weight magnitude a file may hold. Trained weights of these models stay within
/// ±10 (the bundled ones within ±6); a larger value is a corrupt byte, and a few of them
/// overflow float32 within a few layers (found by the property tests: a changed exponent byte).
pub const MAX_WEIGHT: f64 = 1e5;

/// Refuses a file whose float tensors hold a value no trained model has, naming the first such
/// tensor: NaN or ±∞, a magnitude beyond [`MAX_WEIGHT`], or a negative batch-norm running
/// variance (its square root is NaN). Such weights load without complaint but every image then
/// decodes to NaN, which shows as a blank strip or a wrong number far from the cause.
pub fn check_finite(bytes: &[u8]) -> Result<(), WeightsError> {
    let tensors = safetensors::SafeTensors::deserialize(bytes)
        .map_err(|e| WeightsError::NotSafetensors(e.to_string()))?;
    let mut names = tensors.names();
    // Sorted, so the tensor named is the same whatever order the header lists them in.
    names.sort();
    for name in names {
        let view = tensors
            .tensor(name)
            .map_err(|e| WeightsError::NotSafetensors(e.to_string()))?;
        let variance = name.ends_with("running_var");
        let Some(values) = float_values(view.dtype(), view.data()) else {
            continue;
        };
        for (index, v) in values.enumerate() {
            let value = || format!("{}", v as f32);
            if !v.is_finite() {
                let value = if v.is_nan() {
                    "NaN"
                } else if v < 0.0 {
                    "-inf"
                } else {
                    "+inf"
                };
                return Err(WeightsError::NonFinite {
                    tensor: name.to_string(),
                    index,
                    value: value.into(),
                });
            }
            let why = if v.abs() > MAX_WEIGHT {
                "beyond ±100000, so the file is corrupt"
            } else if variance && v < 0.0 {
                "a variance cannot be negative, so the file is corrupt"
            } else {
                continue;
            };
            return Err(WeightsError::OutOfRange {
                tensor: name.to_string(),
                index,
                value: value(),
                why: why.into(),
            });
        }
    }
    Ok(())
}

/// The elements of a little-endian float buffer as f64 (F32, F64, F16, BF16); `None` for other
/// types.
fn float_values(
    dtype: safetensors::Dtype,
    data: &[u8],
) -> Option<Box<dyn Iterator<Item = f64> + '_>> {
    use safetensors::Dtype;
    let halves = move || {
        data.chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    Some(match dtype {
        Dtype::F32 => Box::new(
            data.chunks_exact(4)
                .map(|b| f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
        ),
        Dtype::F64 => Box::new(
            data.chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes"))),
        ),
        Dtype::BF16 => {
            Box::new(halves().map(|bits| f64::from(f32::from_bits(u32::from(bits) << 16))))
        }
        Dtype::F16 => Box::new(halves().map(f16_to_f64)),
        _ => return None,
    })
}

/// An IEEE half-precision float.
fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let mantissa = f64::from(bits & 0x03ff);
    sign * match exponent {
        0 => mantissa * 2f64.powi(-24),
        0x1f if mantissa == 0.0 => f64::INFINITY,
        0x1f => f64::NAN,
        e => (1.0 + mantissa / 1024.0) * 2f64.powi(e - 15),
    }
}

/// Reads the manifest without touching the tensors.
pub fn read_manifest(bytes: &[u8]) -> Result<WeightsManifest, WeightsError> {
    let (_, metadata) = safetensors::SafeTensors::read_metadata(bytes)
        .map_err(|e| WeightsError::NotSafetensors(e.to_string()))?;
    let json = metadata
        .metadata()
        .as_ref()
        .and_then(|m| m.get(MANIFEST_KEY))
        .ok_or(WeightsError::MissingManifest)?;
    let manifest: WeightsManifest =
        serde_json::from_str(json).map_err(|e| WeightsError::BadManifest(e.to_string()))?;
    if manifest.format_version != FORMAT_VERSION {
        return Err(WeightsError::UnsupportedVersion {
            found: manifest.format_version,
        });
    }
    Ok(manifest)
}

fn save_module<M: ModuleSnapshot>(
    module: &M,
    manifest: &WeightsManifest,
) -> Result<Vec<u8>, WeightsError> {
    let json = serde_json::to_string(manifest).map_err(|e| WeightsError::Save(e.to_string()))?;
    let mut store = SafetensorsStore::from_bytes(None).metadata(MANIFEST_KEY, json);
    module
        .save_into(&mut store)
        .map_err(|e| WeightsError::Save(e.to_string()))?;
    store
        .get_bytes()
        .map_err(|e| WeightsError::Save(e.to_string()))
}

/// Applies the file's tensors to `module`, refusing missing, misshapen or unexpected tensors.
fn load_module<M: ModuleSnapshot>(
    mut module: M,
    bytes: &[u8],
    model_name: &str,
) -> Result<M, WeightsError> {
    check_finite(bytes)?;
    let mut store = SafetensorsStore::from_bytes(Some(bytes.to_vec()))
        .validate(true)
        .allow_partial(false);
    let result = module
        .load_from(&mut store)
        .map_err(|e| WeightsError::Mismatch {
            model: model_name.to_string(),
            reason: e.to_string(),
        })?;
    if !result.unused.is_empty() {
        return Err(WeightsError::Mismatch {
            model: model_name.to_string(),
            reason: format!("unexpected tensors {:?}", result.unused),
        });
    }
    Ok(module)
}

/// Serialises an autoencoder. `manifest.model` must describe it; a VAE's β is written into
/// the manifest here.
pub fn save_autoencoder(
    model: &Autoencoder,
    manifest: &WeightsManifest,
) -> Result<Vec<u8>, WeightsError> {
    let manifest = WeightsManifest {
        beta: model.beta(),
        ..manifest.clone()
    };
    save_module(model, &manifest)
}

/// Loads an autoencoder of whatever architecture and latent size the file declares.
pub fn load_autoencoder(
    bytes: &[u8],
    device: &Device,
) -> Result<(Autoencoder, WeightsManifest), WeightsError> {
    let manifest = read_manifest(bytes)?;
    let ModelSpec::Autoencoder {
        architecture,
        latent_dim,
    } = manifest.model
    else {
        return Err(WeightsError::WrongModel {
            expected: "autoencoder".into(),
            found: manifest.model.name(),
        });
    };
    check_latent_dim(latent_dim, &manifest)?;
    let beta = manifest.beta.unwrap_or(DEFAULT_BETA);
    if !(beta.is_finite() && beta >= 0.0) {
        return Err(WeightsError::BadManifest(format!(
            "the VAE's β is {beta}: it must be a finite number, 0 or more"
        )));
    }
    let model = AutoencoderConfig::new(architecture, latent_dim)
        .init(device)
        .with_beta(beta);
    let model = load_module(model, bytes, &manifest.model.name())?;
    Ok((model, manifest))
}

/// Serialises a classifier.
pub fn save_classifier(
    model: &Classifier,
    manifest: &WeightsManifest,
) -> Result<Vec<u8>, WeightsError> {
    save_module(model, manifest)
}

/// Loads a classifier.
pub fn load_classifier(
    bytes: &[u8],
    device: &Device,
) -> Result<(Classifier, WeightsManifest), WeightsError> {
    let manifest = read_manifest(bytes)?;
    let ModelSpec::Classifier { latent_dim } = manifest.model else {
        return Err(WeightsError::WrongModel {
            expected: "classifier".into(),
            found: manifest.model.name(),
        });
    };
    check_latent_dim(latent_dim, &manifest)?;
    let model = ClassifierConfig::new()
        .with_latent_dim(latent_dim)
        .init(device);
    let model = load_module(model, bytes, &manifest.model.name())?;
    Ok((model, manifest))
}

/// Refuses absurd sizes before allocating a model for them.
fn check_latent_dim(latent_dim: usize, manifest: &WeightsManifest) -> Result<(), WeightsError> {
    crate::model::check_latent_dim(latent_dim)
        .map(|_| ())
        .map_err(|e| WeightsError::BadManifest(format!("{}: {e}", manifest.model.name())))
}

#[cfg(test)]
mod value_tests {
    use super::*;

    #[test]
    fn half_floats_decode_by_hand() {
        assert_eq!(f16_to_f64(0x3c00), 1.0);
        assert_eq!(f16_to_f64(0xc000), -2.0);
        assert_eq!(f16_to_f64(0x7bff), 65504.0);
        assert_eq!(f16_to_f64(0x0001), 2f64.powi(-24));
        assert_eq!(f16_to_f64(0x7c00), f64::INFINITY);
        assert_eq!(f16_to_f64(0xfc00), f64::NEG_INFINITY);
        assert!(f16_to_f64(0x7e00).is_nan());
        let bf16: Vec<f64> = float_values(safetensors::Dtype::BF16, &[0x80, 0x3f, 0xc0, 0x7f])
            .unwrap()
            .collect();
        assert_eq!(bf16[0], 1.0);
        assert!(bf16[1].is_nan());
        assert!(float_values(safetensors::Dtype::I64, &[0; 8]).is_none());
    }
}
