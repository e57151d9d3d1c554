//! Messages between the page and its engine worker: typed, serialised as JSON, versioned.
//!
//! Every message travels in an [`Envelope`] that carries [`PROTOCOL_VERSION`]; a message from
//! another version (a stale cached worker after an update) is refused with a clear error
//! instead of being misread.

use serde::{Deserialize, Serialize};

use crate::BackendKind;
use crate::model::Architecture;
use crate::training::TrainingConfig;
use crate::weights::ModelSpec;

/// Bumped whenever a message changes shape.
pub const PROTOCOL_VERSION: u32 = 1;

/// The backend the person asked for (`?backend=` in the page's address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendChoice {
    /// WebGPU where the browser gives an adapter, else the CPU (flex).
    #[default]
    Auto,
    WebGpu,
    /// The CPU backend, flex.
    Cpu,
    /// The deprecated CPU backend, kept to compare.
    Ndarray,
}

impl BackendChoice {
    /// Reads `backend=` from a query string such as `?backend=cpu&x=1`; absent means `Auto`.
    pub fn from_query(query: &str) -> Result<Self, String> {
        let query = query.strip_prefix('?').unwrap_or(query);
        let Some(value) = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == "backend")
            .map(|(_, value)| value)
        else {
            return Ok(Self::Auto);
        };
        match value.to_ascii_lowercase().as_str() {
            "auto" | "" => Ok(Self::Auto),
            "webgpu" | "wgpu" | "gpu" => Ok(Self::WebGpu),
            "cpu" | "flex" => Ok(Self::Cpu),
            "ndarray" => Ok(Self::Ndarray),
            other => Err(format!(
                "unknown backend '{other}' in the address (use webgpu, cpu or ndarray)"
            )),
        }
    }
}

/// One training run the person asked for, on the bundled subset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainRequest {
    pub architecture: Architecture,
    pub latent_dim: usize,
    pub training: TrainingConfig,
    /// How many of the bundled training images to use (the first ones).
    pub train_images: usize,
}

/// Where a model in the store came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelOrigin {
    /// Bundled weights from `latent-lab reproduce` (full MNIST).
    Pretrained,
    /// Trained in this browser.
    Trained,
    /// Loaded from a file the person picked.
    Uploaded,
}

/// What the page knows about a model: everything but its tensors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Unique within the store, e.g. `two-layer-d20` or `two-layer-d20 (trained 2)`.
    pub name: String,
    pub spec: ModelSpec,
    pub origin: ModelOrigin,
    pub params: usize,
    pub epochs: Option<usize>,
    pub train_images: Option<usize>,
    pub train_loss: Option<f32>,
    pub test_loss: Option<f32>,
    pub test_accuracy: Option<f32>,
}

/// The page asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToEngine {
    /// Pick a backend, then load the bundled data and weights from `base_url`.
    Start {
        backend: BackendChoice,
        base_url: String,
    },
    /// Train a new autoencoder; refused while another training runs.
    Train(TrainRequest),
    Pause,
    Resume,
    /// Stop training; the model as it is becomes a store entry.
    Cancel,
}

/// Figures for one progress update.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainingProgress {
    /// From 1.
    pub epoch: usize,
    pub epochs: usize,
    /// Steps done, over all epochs.
    pub step: usize,
    pub total_steps: usize,
    /// The last read batch loss, and its exponential moving average.
    pub loss: f32,
    pub smoothed_loss: f32,
    pub images_per_second: f64,
    pub elapsed_seconds: f64,
    /// `None` until a step has been timed.
    pub seconds_left: Option<f64>,
    pub paused: bool,
}

/// The engine reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromEngine {
    /// The worker's wasm is loaded and listens; sent once, before anything else.
    Ready,
    /// The backend in use, with the adapter's name and why a fallback happened.
    Backend {
        kind: BackendKind,
        adapter: String,
        /// A software or fallback adapter: the CPU backend is usually faster.
        software_adapter: bool,
        fallback_reason: Option<String>,
    },
    /// Loading the bundled data and weights.
    Loading {
        what: String,
        done: usize,
        total: usize,
    },
    /// Start-up is over: the data sizes, the models ready to use, and what could not be loaded.
    Loaded {
        train_images: usize,
        test_images: usize,
        models: Vec<ModelInfo>,
        problems: Vec<String>,
    },
    /// The fixed test digits whose reconstructions the training view shows (784 bytes each).
    SampleDigits {
        pixels: Vec<u8>,
        labels: Vec<u8>,
    },
    TrainingStarted {
        request: TrainRequest,
        steps_per_epoch: usize,
    },
    Progress(TrainingProgress),
    /// An epoch finished: its running mean training loss and the test-subset loss.
    EpochDone {
        epoch: usize,
        train_loss: f32,
        test_loss: f32,
    },
    /// Reconstructions of the sample digits by the model being trained (784 bytes each).
    Reconstructions {
        step: usize,
        pixels: Vec<u8>,
    },
    /// Training ended (finished or cancelled); the model is in the store under `model.name`.
    TrainingFinished {
        model: ModelInfo,
        cancelled: bool,
    },
    /// Something failed. `backend_lost` means the WebGPU device is gone: offer the CPU.
    Failed {
        message: String,
        backend_lost: bool,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct Envelope<T> {
    v: u32,
    msg: T,
}

#[derive(Debug, Deserialize)]
struct VersionOnly {
    v: u32,
}

/// Serialises a message with the protocol version.
pub fn encode<T: Serialize>(msg: &T) -> String {
    serde_json::to_string(&Envelope {
        v: PROTOCOL_VERSION,
        msg,
    })
    .expect("protocol messages always serialise")
}

/// Parses a message, refusing other protocol versions and malformed text.
pub fn decode<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
    let version: VersionOnly =
        serde_json::from_str(text).map_err(|e| format!("malformed message: {e}"))?;
    if version.v != PROTOCOL_VERSION {
        return Err(format!(
            "message of protocol version {} but this page speaks {PROTOCOL_VERSION}: reload the page",
            version.v
        ));
    }
    let envelope: Envelope<T> =
        serde_json::from_str(text).map_err(|e| format!("malformed message: {e}"))?;
    Ok(envelope.msg)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn backend_choice_from_query() {
        assert_eq!(BackendChoice::from_query(""), Ok(BackendChoice::Auto));
        assert_eq!(
            BackendChoice::from_query("?backend=cpu"),
            Ok(BackendChoice::Cpu)
        );
        assert_eq!(
            BackendChoice::from_query("?x=1&backend=WebGPU"),
            Ok(BackendChoice::WebGpu)
        );
        assert_eq!(
            BackendChoice::from_query("backend=ndarray"),
            Ok(BackendChoice::Ndarray)
        );
        assert!(
            BackendChoice::from_query("?backend=tpu")
                .unwrap_err()
                .contains("tpu")
        );
    }

    #[test]
    fn messages_round_trip_with_version() {
        let msg = ToEngine::Train(TrainRequest {
            architecture: Architecture::ThreeLayer,
            latent_dim: 20,
            training: TrainingConfig::default(),
            train_images: 1000,
        });
        let text = encode(&msg);
        assert!(text.starts_with(&format!("{{\"v\":{PROTOCOL_VERSION},")));
        assert_eq!(decode::<ToEngine>(&text), Ok(msg));
        let event = FromEngine::EpochDone {
            epoch: 1,
            train_loss: 0.05,
            test_loss: 0.04,
        };
        assert_eq!(decode::<FromEngine>(&encode(&event)), Ok(event));
    }

    #[test]
    fn other_versions_and_garbage_are_refused() {
        let text = encode(&ToEngine::Pause).replace(
            &format!("\"v\":{PROTOCOL_VERSION}"),
            &format!("\"v\":{}", PROTOCOL_VERSION + 1),
        );
        assert!(decode::<ToEngine>(&text).unwrap_err().contains("version"));
        assert!(
            decode::<ToEngine>("not json")
                .unwrap_err()
                .contains("malformed")
        );
        assert!(
            decode::<ToEngine>(r#"{"v":1,"msg":{"type":"fly"}}"#)
                .unwrap_err()
                .contains("malformed")
        );
    }
}
