//! Messages between the page and its engine worker: typed, serialised as JSON, versioned.
//!
//! Every message travels in an [`Envelope`] that carries [`PROTOCOL_VERSION`]; a message from
//! another version (a stale cached worker after an update) is refused with a clear error
//! instead of being misread.

use serde::{Deserialize, Serialize};

use super::classifier_evaluation::ClassifierEvaluation;
pub use super::confusion_cell::CellDigits;
use super::drawing_reading::DrawingReading;
pub use super::epoch_recording::RecordedEpochs;
pub use super::interpolation_diagnostics::FrameDiagnostics;
pub use super::latent_analysis::ImageRef;
use super::latent_analysis::LatentAnalysis;
pub use super::latent_selection::{BrushedDigits, CoordinateScatter};
pub use super::progress::TrainingProgress;
use super::transfer_session::{TransferPoint, TransferRequest, TransferResult};
use crate::BackendKind;
use crate::model::Architecture;
use crate::training::TrainingConfig;
use crate::weights::ModelSpec;

/// The `what` of a [`FromEngine::RequestFailed`] for a drawing ([`ToEngine::ReadDrawing`]).
pub const DRAWING_REQUEST: &str = "drawing";
/// The `what` of a [`FromEngine::RequestFailed`] for [`ToEngine::OpenConfusionCell`].
pub const CONFUSION_CELL_REQUEST: &str = "confusion-cell";
/// The `what` of a [`FromEngine::RequestFailed`] for [`ToEngine::CoordinatePair`].
pub const SCATTER_REQUEST: &str = "scatter";
/// The `what` of a [`FromEngine::RequestFailed`] for [`ToEngine::Brush`].
pub const BRUSH_REQUEST: &str = "brush";
/// The `what` of a [`FromEngine::RequestFailed`] for [`ToEngine::EpochMaps`].
pub const EPOCHS_REQUEST: &str = "epochs";

/// Bumped whenever a message changes shape. 5: an interrupted run's epoch losses are named
/// ([`EpochLoss`]); checkpoints saved before (triples) are still read. 7: every run has an id,
/// several interrupted runs are offered at once and each choice names its run. 8: a
/// classifier's evaluation on the test subset ([`ToEngine::Evaluate`]). 9: a decode may ask
/// what each frame is ([`DiagnoseFrames`], [`FrameDiagnostics`]); a confusion cell's digits
/// ([`ToEngine::OpenConfusionCell`]); a transfer result names its classifier; a training
/// request may carry a VAE's β; a single step and slow motion ([`ToEngine::Step`],
/// [`ToEngine::SlowMotion`]); the drill-downs of the decorrelation view
/// ([`ToEngine::CoordinatePair`], [`ToEngine::Brush`]); the latent map through the epochs
/// ([`ToEngine::EpochMaps`]). 10: the maps say each one's optimiser steps (a watched run
/// records between epochs too); pretrained models answer with their bundled maps. 11: pixels
/// and file bytes travel as base64 strings (`base64::bytes`), not arrays of numbers. 12: the
/// page asks whether the engine is idle ([`ToEngine::AskIdle`]) before moving to WebGPU. 13:
/// the start says how many kernel threads the address asks for (`ToEngine::Start::threads`).
/// 14: the page may hand the engine a canvas (an `OffscreenCanvas`, the one message that is
/// not text) to paint a drawing's reconstruction into. 15: a reading says who painted it,
/// and whether the engine failed to
/// ([`Painting`](super::drawing_reading::Painting)); a test-only [`ToEngine::BreakDrawingCanvas`].
/// 16: the start's end says the test subset's loss with no code ([`FromEngine::Loaded`]).
/// 17: and the mean training digit, what no code draws.
pub const PROTOCOL_VERSION: u32 = 17;

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
        let Some(value) = query_value(query, "backend") else {
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

/// The value of `key` in an address's query (`?a=1&resume=x`), if there.
pub fn query_value<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .strip_prefix('?')
        .unwrap_or(query)
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| *k == key)
        .map(|(_, value)| value)
}

/// One training run the person asked for, on the bundled subset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainRequest {
    pub architecture: Architecture,
    pub latent_dim: usize,
    pub training: TrainingConfig,
    /// How many of the bundled training images to use (the first ones).
    pub train_images: usize,
    /// The KL weight β of a variational autoencoder (`None`: its default, 1); refused for an
    /// architecture without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta: Option<f32>,
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
    /// Unique across tabs and visits: the key the model is kept under in the browser's storage
    /// (two tabs may both have a "trained 1"; their ids differ). `pretrained:<name>` for the
    /// bundled models.
    #[serde(default)]
    pub id: String,
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
    /// Kept in this browser's storage (IndexedDB), so a reload restores it.
    #[serde(default)]
    pub kept: bool,
    /// Why the last attempt to keep it in the browser failed (storage full, …): the model lives
    /// only in this tab until it is kept or downloaded. `None` when kept or never tried.
    #[serde(default)]
    pub not_kept: Option<String>,
    /// A VAE's KL weight (its objective, the test loss, is MSE + β·KL/784); `None` for the
    /// other models.
    #[serde(default)]
    pub beta: Option<f32>,
}

/// The page asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToEngine {
    /// Pick a backend, then load the bundled data and weights from `base_url`.
    Start {
        backend: BackendChoice,
        base_url: String,
        /// The CPU kernels' threads the address asks for (`?threads=`); `None`: all of them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        threads: Option<usize>,
        /// The copies of the model the address asks to train at once (`?copies=`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        copies: Option<usize>,
    },
    /// Train a new autoencoder; refused while another training runs.
    Train(TrainRequest),
    Pause,
    Resume,
    /// Stop training; the model as it is becomes a store entry.
    Cancel,
    /// One optimiser step of the running training, then paused; everything it changes is
    /// reported (loss, progress, reconstructions).
    Step,
    /// Slow motion: at most `steps_per_second` optimiser steps a second, each reported in
    /// full; `None` goes back to full speed. Kept for the runs that follow.
    SlowMotion {
        steps_per_second: Option<f32>,
    },
    /// Send the model's weight file, to be downloaded ([`FromEngine::ModelFile`]).
    Download {
        name: String,
    },
    /// A weight file the person picked: add its model, or say why not and change nothing.
    LoadFile {
        file_name: String,
        #[serde(with = "crate::engine::base64::bytes")]
        bytes: Vec<u8>,
    },
    /// Take a model out of the store and out of the browser's storage.
    Remove {
        name: String,
    },
    /// Try again to keep a model in the browser's storage (after a failed write).
    Keep {
        name: String,
    },
    /// Test-only (the page sends it from `window.latentLabTest.loseGpuDevice()`, which exists
    /// only with `?test-hooks=1` in the address): destroys the WebGPU device, as a GPU reset
    /// would lose it.
    LoseGpuDevice,
    /// Test-only (`window.latentLabTest.breakDrawingCanvas()`, with `?test-hooks=1`): the
    /// engine's canvas for the drawing's reconstruction is swapped for one that has no 2d
    /// context, so that its next painting fails as a lost or broken canvas would.
    BreakDrawingCanvas,
    /// What to do with a training a reload interrupted ([`FromEngine::Interrupted`]): `id` is
    /// its [`InterruptedRun::id`].
    Interrupted {
        id: String,
        choice: InterruptedChoice,
    },
    /// Encode the bundled test subset with an autoencoder and summarise its latent codes
    /// ([`FromEngine::Analysis`]).
    Analyse {
        name: String,
    },
    /// Measure a classifier on the bundled test subset: mean cross-entropy and accuracy
    /// ([`FromEngine::Evaluation`]; progress as [`FromEngine::AnalysisProgress`]).
    Evaluate {
        name: String,
    },
    /// Train classifiers on the pretrained encoder, one scenario after the other; refused
    /// while another training runs. Pause, resume and cancel apply to it too.
    Transfer(TransferRequest),
    /// The test digits of one cell of a classifier's confusion matrix: true digit
    /// `true_digit`, taken for `guess` ([`FromEngine::ConfusionCell`]).
    OpenConfusionCell {
        model: String,
        true_digit: u8,
        guess: u8,
    },
    /// Coordinates `i` and `j` of an autoencoder's code of every test digit
    /// ([`FromEngine::CoordinateScatter`]).
    CoordinatePair {
        model: String,
        i: usize,
        j: usize,
    },
    /// The latent map of a model trained here, through its recorded epochs
    /// ([`FromEngine::RecordedEpochs`]).
    EpochMaps {
        model: String,
    },
    /// The test digits brushed on an autoencoder's latent map, and the decoded mean of their
    /// codes ([`FromEngine::Brushed`]).
    Brush {
        model: String,
        indices: Vec<usize>,
    },
    /// Decode the codes mixed between images `from` and `to`, one frame per α
    /// ([`FromEngine::Decoded`]). `slot` names where the page shows it and `seq` orders the
    /// requests of one slot, so the page keeps only the newest answer.
    Decode {
        slot: String,
        seq: u64,
        model: String,
        from: ImageRef,
        to: ImageRef,
        alphas: Vec<f32>,
        /// Also say what each frame is ([`FrameDiagnostics`]), read by this classifier.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        diagnose: Option<DiagnoseFrames>,
    },
    /// Read a drawing (784 grey bytes, MNIST-style) with an autoencoder and, if named, a
    /// classifier ([`FromEngine::DrawingRead`]). `seq` is the drawing's version.
    ReadDrawing {
        seq: u64,
        autoencoder: String,
        classifier: Option<String>,
        #[serde(with = "crate::engine::base64::bytes")]
        pixels: Vec<u8>,
    },
    /// Whether anything runs or is under way in this engine ([`FromEngine::IdleAnswer`]): the
    /// page moves to the WebGPU engine once it has loaded, and only when nothing would be lost.
    AskIdle,
}

/// How a [`ToEngine::Decode`] asks for each frame's diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnoseFrames {
    /// The classifier whose top guess each frame gets (none: distances only).
    pub classifier: Option<String>,
}

/// The choices offered for an interrupted training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterruptedChoice {
    /// Go on from the last completed epoch.
    Resume,
    /// Keep the last completed epoch's model in the store and forget the run.
    KeepModel,
    Discard,
}

/// A training that a reload or a closed tab interrupted, as its last checkpoint saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterruptedRun {
    /// The run's id, under which its checkpoint is stored (`<tab>-run<n>`; `current` for the
    /// one checkpoint a browser kept before protocol 7). Filled from the record's key on load.
    #[serde(default)]
    pub id: String,
    pub request: TrainRequest,
    pub epochs_done: usize,
    /// Each completed epoch's losses. Checkpoints kept in a browser before protocol 5 hold
    /// them as `[epoch, train loss, test loss]` triples: those are read too.
    #[serde(deserialize_with = "epoch_losses_any_shape")]
    pub epoch_losses: Vec<EpochLoss>,
}

/// One completed epoch's losses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpochLoss {
    /// From 1.
    pub epoch: usize,
    /// The running mean training loss over the epoch.
    #[serde(with = "super::progress::nan_as_null")]
    pub train_loss: f32,
    /// The test subset's loss after the epoch.
    #[serde(with = "super::progress::nan_as_null")]
    pub test_loss: f32,
}

/// Reads epoch losses as named objects or as the triples of checkpoints saved before
/// protocol 5 (migrated, so an interrupted training survives the update).
fn epoch_losses_any_shape<'de, D>(deserializer: D) -> Result<Vec<EpochLoss>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum AnyShape {
        Named(EpochLoss),
        Triple(usize, f32, f32),
    }
    Ok(Vec::<AnyShape>::deserialize(deserializer)?
        .into_iter()
        .map(|loss| match loss {
            AnyShape::Named(loss) => loss,
            AnyShape::Triple(epoch, train_loss, test_loss) => EpochLoss {
                epoch,
                train_loss,
                test_loss,
            },
        })
        .collect())
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
        problems: Vec<StartupProblem>,
        /// The test subset's loss with no code at all: the mean training digit for every
        /// image ([`crate::analysis::mean_digit_loss`]), the line a training must come in under.
        no_code_test_loss: Option<f32>,
        /// The mean training digit ([`crate::analysis::mean_digit`], 784 bytes; empty without
        /// training images): what a model with no code draws for every digit.
        #[serde(with = "crate::engine::base64::bytes")]
        mean_digit: Vec<u8>,
    },
    /// The fixed test digits whose reconstructions the training view shows (784 bytes each).
    SampleDigits {
        #[serde(with = "crate::engine::base64::bytes")]
        pixels: Vec<u8>,
        labels: Vec<u8>,
    },
    /// Test images to pick from (interpolation): their indices in the bundled test subset,
    /// labels and pixels (784 bytes each).
    Gallery {
        indices: Vec<usize>,
        labels: Vec<u8>,
        #[serde(with = "crate::engine::base64::bytes")]
        pixels: Vec<u8>,
    },
    /// How far the analysis of `model` (a large latent size takes seconds), or its evaluation,
    /// is.
    AnalysisProgress {
        model: String,
        done: usize,
        total: usize,
    },
    /// The answer to [`ToEngine::Analyse`].
    Analysis(LatentAnalysis),
    /// The answer to [`ToEngine::Evaluate`].
    Evaluation(ClassifierEvaluation),
    /// The answer to [`ToEngine::OpenConfusionCell`] (a failure comes as
    /// [`FromEngine::RequestFailed`] with `what` = [`CONFUSION_CELL_REQUEST`]).
    ConfusionCell(CellDigits),
    /// The answer to [`ToEngine::CoordinatePair`] (a failure: `what` = [`SCATTER_REQUEST`]).
    CoordinateScatter(CoordinateScatter),
    /// The answer to [`ToEngine::Brush`] (a failure: `what` = [`BRUSH_REQUEST`]).
    Brushed(BrushedDigits),
    /// The answer to [`ToEngine::EpochMaps`] (a failure: `what` = [`EPOCHS_REQUEST`]).
    RecordedEpochs(RecordedEpochs),
    /// The answer to [`ToEngine::ReadDrawing`] (a failure comes as [`FromEngine::RequestFailed`]
    /// with `what` = "drawing").
    DrawingRead(DrawingReading),
    /// The answer to [`ToEngine::Decode`]: 784 bytes per α, the two input images, and what
    /// each frame is where the request asked.
    Decoded {
        slot: String,
        seq: u64,
        model: String,
        #[serde(with = "crate::engine::base64::bytes")]
        pixels: Vec<u8>,
        #[serde(with = "crate::engine::base64::bytes")]
        inputs: Vec<u8>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        diagnostics: Option<FrameDiagnostics>,
    },
    TransferStarted {
        request: TransferRequest,
    },
    /// Progress of the scenario that runs.
    TransferProgress {
        scenario: crate::training::TransferScenario,
        progress: TrainingProgress,
    },
    /// A scoring of the test subset during a transfer run.
    TransferPoint(TransferPoint),
    /// A scenario ended; its classifier is in the store under `model.name`.
    TransferDone {
        result: TransferResult,
        model: ModelInfo,
    },
    /// Every scenario ended (or the run was cancelled).
    TransferFinished {
        cancelled: bool,
    },
    /// A view's request failed (an analysis or a decode); a training that runs is unaffected.
    RequestFailed {
        /// The model analysed, or the slot decoded into.
        what: String,
        message: String,
    },
    TrainingStarted {
        /// The run's id ([`InterruptedRun::id`]): after a lost GPU, the page resumes it on the
        /// CPU from its checkpoint.
        run_id: String,
        request: TrainRequest,
        steps_per_epoch: usize,
    },
    Progress(TrainingProgress),
    /// An epoch finished: its running mean training loss and the test-subset loss.
    EpochDone {
        epoch: usize,
        #[serde(with = "super::progress::nan_as_null")]
        train_loss: f32,
        #[serde(with = "super::progress::nan_as_null")]
        test_loss: f32,
    },
    /// Reconstructions of the sample digits by the model being trained (784 bytes each).
    Reconstructions {
        step: usize,
        #[serde(with = "crate::engine::base64::bytes")]
        pixels: Vec<u8>,
    },
    /// Training ended (finished or cancelled); the model is in the store under `model.name`.
    TrainingFinished {
        model: ModelInfo,
        cancelled: bool,
    },
    /// A model joined the store (a loaded file) or changed (it is now kept in the browser).
    ModelUpdated {
        model: ModelInfo,
    },
    ModelRemoved {
        name: String,
    },
    /// A model's weight file, for the page to offer as a download.
    ModelFile {
        name: String,
        file_name: String,
        #[serde(with = "crate::engine::base64::bytes")]
        bytes: Vec<u8>,
    },
    /// The trainings a reload or a closed tab interrupted, each offered to resume, keep or
    /// discard until the person decides: the whole list, replacing any earlier one. A run
    /// alive in another tab is never in it.
    Interrupted {
        runs: Vec<InterruptedRun>,
    },
    /// Something worth saying that is not an error (e.g. the browser's storage is full).
    Notice {
        message: String,
    },
    /// Something failed. `source` says what: only a failure of a run itself (`Training`,
    /// `Transfer`) or of the worker ends a run in the page. `backend_lost` means the WebGPU
    /// device is gone: offer the CPU.
    Failed {
        source: ErrorSource,
        message: String,
        backend_lost: bool,
    },
    /// The answer to [`ToEngine::AskIdle`]: `idle` when no run and no request is under way.
    IdleAnswer {
        idle: bool,
    },
}

/// What an error came from, so the page can tie it to its cause and leave the rest alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErrorSource {
    /// Starting the engine: the backend, the bundled data.
    Startup,
    /// The running training itself.
    Training,
    /// The running transfer run itself.
    Transfer,
    /// A request that was refused or failed, named by its message type (`train`, `transfer`,
    /// `load_file`, `download`, `remove`, `interrupted`, …) and what it was about (a file,
    /// a model), if anything. A run that is going on is unaffected.
    Request {
        request: String,
        subject: Option<String>,
    },
    /// A message between the page and the engine that could not be read.
    Message,
    /// The engine worker stopped (whatever ran in it is gone).
    Worker,
    /// The page's own address (a query parameter) or its start.
    Page,
}

impl ErrorSource {
    pub fn request(request: &str, subject: Option<&str>) -> Self {
        Self::Request {
            request: request.into(),
            subject: subject.map(Into::into),
        }
    }

    /// A short stable label, e.g. `training` or `request:load_file:broken.safetensors` (the
    /// page's `data-source`).
    pub fn label(&self) -> String {
        match self {
            Self::Startup => "startup".into(),
            Self::Training => "training".into(),
            Self::Transfer => "transfer".into(),
            Self::Request {
                request,
                subject: None,
            } => format!("request:{request}"),
            Self::Request {
                request,
                subject: Some(subject),
            } => format!("request:{request}:{subject}"),
            Self::Message => "message".into(),
            Self::Worker => "worker".into(),
            Self::Page => "page".into(),
        }
    }

    /// What the person reads before the message: where the error came from.
    pub fn describe(&self) -> String {
        match self {
            Self::Startup => "Starting the engine".into(),
            Self::Training => "The training".into(),
            Self::Transfer => "The transfer run".into(),
            Self::Request { request, subject } => {
                let doing = match request.as_str() {
                    "train" => "Starting a training",
                    "resume" => "Resuming a training",
                    "transfer" => "Starting a transfer run",
                    "load_file" => "Loading",
                    "download" => "Saving",
                    "remove" => "Removing",
                    "keep" => "Keeping",
                    other => other,
                };
                match subject {
                    Some(subject) => format!("{doing} '{subject}'"),
                    None => doing.to_string(),
                }
            }
            Self::Message => "A message between page and engine".into(),
            Self::Worker => "The engine".into(),
            Self::Page => "The page".into(),
        }
    }
}

/// Something that could not be loaded at start, and where it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartupProblem {
    pub source: ProblemSource,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemSource {
    /// A file the page bundles (weights, data).
    Bundled,
    /// A record kept in this browser (a model, a checkpoint).
    Stored,
    /// The browser's storage itself.
    Storage,
}

impl ProblemSource {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Bundled => "bundled file",
            Self::Stored => "kept in this browser",
            Self::Storage => "this browser's storage",
        }
    }
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

/// Serialises an engine report so that the page can always read it. JSON has no NaN or ±∞:
/// serde_json writes them as `null`, which a number field then refuses, and the page would
/// get "malformed message" far from the cause. Fields meant to hold NaN (losses before the
/// first step, a diverged epoch) read `null` back as NaN; any other report carrying such a
/// value is replaced by a failure of the request it answers (so a view waiting for it gets its
/// answer), or by an error saying what was not sent.
pub fn encode_for_page(event: &FromEngine) -> String {
    let text = encode(event);
    // Only a text with `null` can hold a non-finite number; most reports have none.
    if !text.contains("null") || decode::<FromEngine>(&text).is_ok() {
        return text;
    }
    let why = "the engine computed a value that is not a number (NaN or infinite)".to_string();
    let replacement = match event {
        FromEngine::DrawingRead(reading) => FromEngine::RequestFailed {
            what: DRAWING_REQUEST.into(),
            message: format!("{why} reading the drawing with '{}'", reading.autoencoder),
        },
        FromEngine::Analysis(analysis) => FromEngine::RequestFailed {
            what: analysis.model.clone(),
            message: format!("{why} analysing '{}'", analysis.model),
        },
        FromEngine::Decoded { slot, model, .. } => FromEngine::RequestFailed {
            what: slot.clone(),
            message: format!("{why} decoding with '{model}'"),
        },
        other => {
            let kind = serde_json::to_value(other)
                .ok()
                .and_then(|v| v.get("type")?.as_str().map(str::to_string))
                .unwrap_or_else(|| "a".into());
            FromEngine::Failed {
                source: ErrorSource::Message,
                message: format!("{why}; its '{kind}' report was not sent"),
                backend_lost: false,
            }
        }
    };
    encode(&replacement)
}

/// Parses a message, refusing other protocol versions and malformed text. One pass over the
/// text when it is well formed (the page's main thread decodes every message); the version is
/// read on its own only to say why a message failed.
pub fn decode<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
    let parsed = serde_json::from_str::<Envelope<T>>(text);
    if let Ok(Envelope {
        v: PROTOCOL_VERSION,
        msg,
    }) = parsed
    {
        return Ok(msg);
    }
    let version: VersionOnly =
        serde_json::from_str(text).map_err(|e| format!("malformed message: {e}"))?;
    if version.v != PROTOCOL_VERSION {
        return Err(format!(
            "message of protocol version {} but this page speaks {PROTOCOL_VERSION}: reload the page",
            version.v
        ));
    }
    match parsed {
        Ok(envelope) => Ok(envelope.msg),
        Err(e) => Err(format!("malformed message: {e}")),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::engine::drawing_reading::Painting;

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
    fn query_values_are_found_by_key() {
        let q = "?backend=cpu&resume=a1f3-run2&test-hooks=1&flag";
        assert_eq!(query_value(q, "resume"), Some("a1f3-run2"));
        assert_eq!(query_value(q, "test-hooks"), Some("1"));
        assert_eq!(query_value(q, "flag"), Some(""));
        assert_eq!(query_value(q, "res"), None);
        assert_eq!(query_value("", "resume"), None);
        assert_eq!(query_value("resume=x", "resume"), Some("x"));
    }

    #[test]
    fn messages_round_trip_with_version() {
        let msg = ToEngine::Train(TrainRequest {
            architecture: Architecture::ThreeLayer,
            latent_dim: 20,
            training: TrainingConfig::default(),
            train_images: 1000,
            beta: None,
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

    /// Everything sent between page and engine, saved or bundled is JSON. serde_json's default
    /// parser reads an f32 back bit for bit, but 5-16% of f64 values one bit off (counted
    /// here; its `float_roundtrip` feature would read them exactly): what must come back
    /// exactly is f32, and an f64 is compared within a bit.
    #[test]
    fn floats_come_back_exactly_or_within_a_bit() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut f64_off_by_a_bit = 0;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            // Finite values from 2^-15 to 2^16, where the explained shares, correlations and
            // timings lie.
            let bits = (state >> 12) | ((1008 + (state & 31)) << 52);
            let value = f64::from_bits(bits);
            let back: f64 = serde_json::from_str(&serde_json::to_string(&value).unwrap()).unwrap();
            assert!(back.to_bits().abs_diff(value.to_bits()) <= 1, "{value:e}");
            f64_off_by_a_bit += usize::from(back != value);
            let single = value as f32;
            let back: f32 = serde_json::from_str(&serde_json::to_string(&single).unwrap()).unwrap();
            assert_eq!(back.to_bits(), single.to_bits(), "{single:e}");
        }
        // Not zero: were it, the parser reads exactly and the tests comparing within a bit
        // (`epoch_recording`) could compare exactly.
        assert!(f64_off_by_a_bit > 0);
    }

    /// Internally tagged enums cannot serialise every shape (a newtype variant holding an
    /// `Option` or a string fails at run time): every variant goes through once here.
    #[test]
    fn every_message_serialises_and_comes_back() {
        use crate::training::TransferScenario;
        let request = TrainRequest {
            architecture: Architecture::OneLayer,
            latent_dim: 5,
            training: TrainingConfig::default(),
            train_images: 10,
            beta: None,
        };
        let transfer = TransferRequest {
            scenarios: vec![TransferScenario::Frozen, TransferScenario::Scratch],
            labels: 1000,
            epochs: None,
            batch_size: 64,
            learning_rate: 1e-3,
        };
        let to_engine = [
            ToEngine::Start {
                backend: BackendChoice::Cpu,
                base_url: "http://x/".into(),
                threads: None,
                copies: None,
            },
            ToEngine::Start {
                backend: BackendChoice::Auto,
                base_url: "http://x/".into(),
                threads: Some(1),
                copies: Some(2),
            },
            ToEngine::Train(request.clone()),
            ToEngine::Pause,
            ToEngine::Resume,
            ToEngine::Cancel,
            ToEngine::Download { name: "m".into() },
            ToEngine::LoadFile {
                file_name: "m.safetensors".into(),
                bytes: vec![1, 2, 3],
            },
            ToEngine::Remove { name: "m".into() },
            ToEngine::LoseGpuDevice,
            ToEngine::BreakDrawingCanvas,
            ToEngine::Interrupted {
                id: "a1f3-run2".into(),
                choice: InterruptedChoice::Resume,
            },
            ToEngine::Interrupted {
                id: "current".into(),
                choice: InterruptedChoice::KeepModel,
            },
            ToEngine::Step,
            ToEngine::AskIdle,
            ToEngine::SlowMotion {
                steps_per_second: Some(2.5),
            },
            ToEngine::SlowMotion {
                steps_per_second: None,
            },
            ToEngine::Analyse { name: "m".into() },
            ToEngine::Evaluate {
                name: "classifier-frozen".into(),
            },
            ToEngine::OpenConfusionCell {
                model: "frozen 1".into(),
                true_digit: 4,
                guess: 9,
            },
            ToEngine::CoordinatePair {
                model: "two-layer-d20".into(),
                i: 3,
                j: 11,
            },
            ToEngine::Brush {
                model: "two-layer-d20".into(),
                indices: vec![5, 1_999],
            },
            ToEngine::EpochMaps {
                model: "two-layer-d20 (trained 1)".into(),
            },
            ToEngine::Transfer(transfer.clone()),
            ToEngine::Decode {
                slot: "strip-a".into(),
                seq: 7,
                model: "m".into(),
                from: ImageRef::Test(3),
                to: ImageRef::Drawn(vec![0, 128, 255]),
                alphas: vec![0.0, 0.5, 1.0],
                diagnose: None,
            },
            ToEngine::Decode {
                slot: "strip-b".into(),
                seq: 8,
                model: "m".into(),
                from: ImageRef::Test(3),
                to: ImageRef::Test(4),
                alphas: vec![-0.5, 1.5],
                diagnose: Some(DiagnoseFrames {
                    classifier: Some("classifier-finetune".into()),
                }),
            },
            ToEngine::ReadDrawing {
                seq: 12,
                autoencoder: "two-layer-d20".into(),
                classifier: Some("classifier-finetune".into()),
                pixels: vec![0, 255],
            },
            ToEngine::ReadDrawing {
                seq: 13,
                autoencoder: "a".into(),
                classifier: None,
                pixels: Vec::new(),
            },
        ];
        for msg in to_engine {
            assert_eq!(decode::<ToEngine>(&encode(&msg)), Ok(msg));
        }
        let run = InterruptedRun {
            id: "a1f3-run2".into(),
            request: request.clone(),
            epochs_done: 1,
            epoch_losses: vec![EpochLoss {
                epoch: 1,
                train_loss: 0.5,
                test_loss: 0.25,
            }],
        };
        let from_engine = [
            FromEngine::Ready,
            FromEngine::Loading {
                what: "w".into(),
                done: 1,
                total: 2,
            },
            FromEngine::ModelRemoved { name: "m".into() },
            FromEngine::ModelFile {
                name: "m".into(),
                file_name: "m.safetensors".into(),
                bytes: vec![0, 255],
            },
            FromEngine::Interrupted { runs: vec![run] },
            FromEngine::Interrupted { runs: Vec::new() },
            FromEngine::Notice {
                message: "n".into(),
            },
            FromEngine::IdleAnswer { idle: true },
            FromEngine::IdleAnswer { idle: false },
            FromEngine::TrainingStarted {
                run_id: "a1f3-run2".into(),
                request,
                steps_per_epoch: 3,
            },
            FromEngine::Failed {
                source: ErrorSource::request("load_file", Some("m.safetensors")),
                message: "f".into(),
                backend_lost: true,
            },
            FromEngine::Gallery {
                indices: vec![3, 10],
                labels: vec![0, 0],
                pixels: vec![0; 2],
            },
            FromEngine::AnalysisProgress {
                model: "m".into(),
                done: 3,
                total: 7,
            },
            FromEngine::Analysis(LatentAnalysis {
                model: "m".into(),
                latent_dim: 2,
                images: 4,
                stats: crate::analysis::DecorrelationStats {
                    latent_dim: 2,
                    mean_abs_pearson: Some(0.0),
                    mean_abs_pearson_defined: None,
                    dead_units: 1,
                },
                matrix: crate::engine::latent_analysis::CorrelationMatrix::from_values(&[
                    Some(1.0),
                    None,
                    None,
                    None,
                ]),
                histograms: vec![crate::analysis::Histogram {
                    min: 0.0,
                    max: 1.5,
                    counts: vec![3, 1],
                }],
                map: crate::analysis::Projection {
                    points: vec![0.5, -0.5],
                    components: 2,
                    explained: vec![0.75, 0.25],
                },
                labels: vec![7],
            }),
            FromEngine::Evaluation(ClassifierEvaluation {
                model: "classifier-frozen".into(),
                images: 10_000,
                loss: 0.0857,
                accuracy: 0.9728,
            }),
            FromEngine::Decoded {
                slot: "alpha-a".into(),
                seq: 2,
                model: "m".into(),
                pixels: vec![9; 4],
                inputs: vec![1; 2],
                diagnostics: None,
            },
            FromEngine::Decoded {
                slot: "strip-a".into(),
                seq: 3,
                model: "m".into(),
                pixels: vec![9; 4],
                inputs: vec![1; 2],
                diagnostics: Some(FrameDiagnostics {
                    alphas: vec![-0.5, 0.0],
                    distances: vec![1.25, 0.0],
                    typical_distance: Some(0.5),
                    classifier: Some("classifier-finetune".into()),
                    guesses: vec![3, 5],
                    confidences: vec![0.5, 0.875],
                }),
            },
            FromEngine::RequestFailed {
                what: "m".into(),
                message: "no such model".into(),
            },
            FromEngine::CoordinateScatter(CoordinateScatter {
                model: "two-layer-d20".into(),
                i: 3,
                j: 11,
                x: vec![0.0, 1.5],
                y: vec![2.25, 0.0],
            }),
            FromEngine::RecordedEpochs(RecordedEpochs {
                model: "two-layer-d20 (trained 1)".into(),
                labels: vec![7, 2],
                maps: crate::analysis::EpochMaps {
                    epochs: vec![0, 1],
                    steps: vec![0, 32],
                    points: vec![vec![0.5, -1.0, 2.0, 0.25], vec![1.0, 0.0, -1.0, 0.0]],
                    explained: vec![[0.5, 0.25], [0.75, 0.125]],
                    method: crate::analysis::StableAxes::Procrustes,
                    projection_motion: 0.5,
                    procrustes_motion: Some(0.25),
                },
            }),
            FromEngine::Brushed(BrushedDigits {
                model: "two-layer-d20".into(),
                count: 120,
                indices: vec![5, 7],
                pixels: vec![1; 3],
                mean: vec![2; 3],
            }),
            FromEngine::ConfusionCell(CellDigits {
                model: "frozen 1".into(),
                true_digit: 4,
                guess: 9,
                count: 2,
                indices: vec![17, 3],
                probabilities: vec![0.75, 0.5],
                pixels: vec![0; 2],
            }),
            FromEngine::DrawingRead(DrawingReading {
                seq: 4,
                autoencoder: "two-layer-d20".into(),
                code: vec![0.0, 1.5],
                dead: vec![true, false],
                code_scale: 3.0,
                reconstruction: vec![7; 3],
                classifier: Some("classifier-frozen".into()),
                probabilities: vec![0.25, 0.75],
                neighbours: vec![crate::engine::drawing_reading::Neighbour {
                    index: 9,
                    label: 4,
                    distance: 0.5,
                    pixels: vec![1, 2],
                }],
                // A millisecond time stamp since the epoch keeps its fraction.
                painting: Painting::ByEngine {
                    at: 1_764_820_000_123.25,
                },
            }),
            FromEngine::DrawingRead(DrawingReading {
                seq: 5,
                autoencoder: "two-layer-d20".into(),
                code: vec![0.5],
                dead: vec![false],
                code_scale: 1.0,
                reconstruction: vec![7; 3],
                classifier: None,
                probabilities: Vec::new(),
                neighbours: Vec::new(),
                painting: Painting::Failed {
                    why: "the page's canvas has no 2d context in the engine".into(),
                },
            }),
            FromEngine::TransferStarted {
                request: transfer.clone(),
            },
            FromEngine::TransferPoint(TransferPoint {
                scenario: TransferScenario::Frozen,
                epoch: 5,
                train_loss: 0.5,
                test_loss: 0.6,
                test_accuracy: 0.8,
            }),
            FromEngine::TransferDone {
                result: TransferResult {
                    scenario: TransferScenario::Scratch,
                    labels: 100,
                    epochs: 3,
                    train_loss: 0.1,
                    train_accuracy: 1.0,
                    test_loss: 1.5,
                    test_accuracy: 0.6,
                    seconds: 2.5,
                    confusion: vec![1; 100],
                    cancelled: true,
                    classifier: "c".into(),
                },
                model: ModelInfo {
                    id: "test-1".into(),
                    name: "c".into(),
                    spec: ModelSpec::Classifier { latent_dim: 20 },
                    origin: ModelOrigin::Trained,
                    params: 21_220,
                    epochs: Some(3),
                    train_images: Some(100),
                    train_loss: Some(0.1),
                    test_loss: Some(1.5),
                    test_accuracy: Some(0.6),
                    kept: false,
                    not_kept: None,
                    beta: None,
                },
            },
            FromEngine::TransferProgress {
                scenario: TransferScenario::Finetune,
                progress: TrainingProgress {
                    epoch: 1,
                    epochs: 2,
                    step: 3,
                    total_steps: 4,
                    loss: 0.5,
                    smoothed_loss: 0.6,
                    images_per_second: 100.0,
                    elapsed_seconds: 1.5,
                    seconds_left: None,
                    paused: false,
                },
            },
            FromEngine::TransferFinished { cancelled: false },
        ];
        for event in from_engine {
            assert_eq!(decode::<FromEngine>(&encode(&event)), Ok(event));
        }
    }

    #[test]
    fn reports_with_a_value_json_cannot_hold_still_reach_the_page() {
        use crate::engine::drawing_reading::DrawingReading;
        let reading = DrawingReading {
            seq: 3,
            autoencoder: "two-layer-d20".into(),
            code: vec![0.5, f32::NAN],
            dead: vec![false, false],
            code_scale: 1.0,
            reconstruction: vec![0; 784],
            classifier: None,
            probabilities: Vec::new(),
            neighbours: Vec::new(),
            painting: Painting::ByPage,
        };
        // Plain encoding gives a text the page refuses.
        assert!(decode::<FromEngine>(&encode(&FromEngine::DrawingRead(reading.clone()))).is_err());
        let sent =
            decode::<FromEngine>(&encode_for_page(&FromEngine::DrawingRead(reading.clone())));
        let Ok(FromEngine::RequestFailed { what, message }) = sent else {
            panic!("{sent:?}");
        };
        assert_eq!(what, DRAWING_REQUEST);
        assert!(message.contains("not a number") && message.contains("two-layer-d20"));
        // A finite reading is sent as it is.
        let fine = FromEngine::DrawingRead(DrawingReading {
            code: vec![0.5, 0.25],
            ..reading
        });
        assert_eq!(decode::<FromEngine>(&encode_for_page(&fine)), Ok(fine));
        // Losses may be NaN: they are not replaced.
        let epoch = FromEngine::EpochDone {
            epoch: 1,
            train_loss: f32::NAN,
            test_loss: f32::INFINITY,
        };
        assert!(matches!(
            decode::<FromEngine>(&encode_for_page(&epoch)),
            Ok(FromEngine::EpochDone { .. })
        ));
        // A report no view waits for becomes an error naming it.
        let point = FromEngine::TransferPoint(crate::engine::transfer_session::TransferPoint {
            scenario: crate::training::TransferScenario::Frozen,
            epoch: 1,
            train_loss: 0.1,
            test_loss: f32::NAN,
            test_accuracy: 0.5,
        });
        let Ok(FromEngine::Failed {
            source, message, ..
        }) = decode::<FromEngine>(&encode_for_page(&point))
        else {
            panic!("not replaced");
        };
        assert_eq!(source, ErrorSource::Message);
        assert!(
            message.contains("'transfer_point' report was not sent"),
            "{message}"
        );
    }

    #[test]
    fn error_sources_have_stable_labels() {
        assert_eq!(ErrorSource::Training.label(), "training");
        assert_eq!(
            ErrorSource::request("load_file", Some("broken.safetensors")).label(),
            "request:load_file:broken.safetensors"
        );
        assert_eq!(ErrorSource::request("train", None).label(), "request:train");
        assert_eq!(
            ErrorSource::request("remove", Some("m")).describe(),
            "Removing 'm'"
        );
        assert_eq!(
            ErrorSource::request("transfer", None).describe(),
            "Starting a transfer run"
        );
        let text = encode(&FromEngine::Failed {
            source: ErrorSource::Transfer,
            message: "m".into(),
            backend_lost: false,
        });
        assert!(text.contains(r#""source":{"kind":"transfer"}"#), "{text}");
    }

    #[test]
    fn progress_before_the_first_loss_survives_the_trip() {
        let progress = TrainingProgress {
            epoch: 1,
            epochs: 1,
            step: 0,
            total_steps: 10,
            loss: f32::NAN,
            smoothed_loss: f32::NAN,
            images_per_second: 0.0,
            elapsed_seconds: 0.0,
            seconds_left: None,
            paused: true,
        };
        let text = encode(&FromEngine::Progress(progress));
        assert!(text.contains("\"loss\":null"), "{text}");
        let Ok(FromEngine::Progress(back)) = decode::<FromEngine>(&text) else {
            panic!("progress did not come back: {text}");
        };
        assert!(back.loss.is_nan() && back.smoothed_loss.is_nan());
        assert_eq!(back.step, 0);
    }

    #[test]
    fn a_checkpoint_kept_before_protocol_5_is_migrated() {
        // What a browser kept at protocol 4: the epoch losses as triples.
        let old = r#"{"request":{"architecture":"two-layer","latent_dim":20,
            "training":{"epochs":3,"batch_size":64,"learning_rate":0.001,"seed":7},
            "train_images":6000},"epochs_done":2,"epoch_losses":[[1,0.05,0.04],[2,0.03,0.025]]}"#;
        let run: InterruptedRun = serde_json::from_str(old).expect("the old shape is read");
        assert_eq!(run.epochs_done, 2);
        assert_eq!(run.id, "", "the id comes from the record's key");
        assert_eq!(
            run.epoch_losses,
            vec![
                EpochLoss {
                    epoch: 1,
                    train_loss: 0.05,
                    test_loss: 0.04
                },
                EpochLoss {
                    epoch: 2,
                    train_loss: 0.03,
                    test_loss: 0.025
                }
            ]
        );
        // Written back, it has the new shape, which reads back the same.
        let new = serde_json::to_string(&run).unwrap();
        assert!(
            new.contains(r#""epoch_losses":[{"epoch":1,"train_loss":0.05"#),
            "{new}"
        );
        assert_eq!(serde_json::from_str::<InterruptedRun>(&new).unwrap(), run);
        // A record that is neither shape is an error, never a panic.
        let broken = old.replace("[1,0.05,0.04]", r#""one""#);
        assert!(serde_json::from_str::<InterruptedRun>(&broken).is_err());
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
            decode::<ToEngine>(&format!(
                r#"{{"v":{PROTOCOL_VERSION},"msg":{{"type":"fly"}}}}"#
            ))
            .unwrap_err()
            .contains("malformed")
        );
    }
}
