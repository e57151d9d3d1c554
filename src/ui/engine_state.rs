//! What the page knows of its engine, updated by each message the engine sends.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::earlier_runs::EarlierRuns;
use super::earlier_transfers::EarlierTransfers;
use super::engine_handover::HandOver;
use super::interpolation::Gallery;
use super::loss_history::LossHistory;
pub use super::run_state::RunState;
pub use super::run_status::RunStatus;
use super::transfer_state::TransferState;
use crate::BackendKind;
use crate::engine::classifier_evaluation::ClassifierEvaluation;
use crate::engine::drawing_reading::{DrawingReading, Painting};
use crate::engine::latent_analysis::LatentAnalysis;
use crate::engine::protocol::{
    BRUSH_REQUEST, BrushedDigits, CONFUSION_CELL_REQUEST, CellDigits, CoordinateScatter,
    EPOCHS_REQUEST, ErrorSource, FrameDiagnostics, RecordedEpochs, SCATTER_REQUEST, StartupProblem,
};
use crate::engine::{FromEngine, InterruptedRun, ModelInfo};
use crate::weights::ModelSpec;

#[derive(Debug, Clone, PartialEq)]
pub struct BackendInfo {
    pub kind: BackendKind,
    pub adapter: String,
    pub software_adapter: bool,
    pub fallback_reason: Option<String>,
}

/// One step of the start-up's loading: `done` of `total` steps are over, `what` loads now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadingStep {
    pub what: String,
    pub done: usize,
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EngineState {
    pub ready: bool,
    pub backend: Option<BackendInfo>,
    /// What is loading at start, until it is over.
    pub loading: Option<LoadingStep>,
    pub loaded: bool,
    pub train_images: usize,
    pub test_images: usize,
    /// The test subset's loss with no code (the mean training digit), from the engine's start.
    pub no_code_test_loss: Option<f32>,
    /// The mean training digit (784 bytes; empty until the start's end): what no code draws.
    pub mean_digit: Vec<u8>,
    pub models: Vec<ModelInfo>,
    /// What could not be loaded at start, and where it was (shown, not fatal).
    pub problems: Vec<StartupProblem>,
    pub samples: Vec<u8>,
    pub sample_labels: Vec<u8>,
    pub run: RunState,
    /// Earlier trainings kept in this browser, to lay over the chart (`web::kept_runs`).
    pub earlier_runs: EarlierRuns,
    /// The errors not yet dismissed, oldest first, each with what caused it.
    pub errors: Vec<PageError>,
    pub backend_lost: bool,
    /// Not an error: something the person should know (storage full, a file loaded).
    pub notice: Option<String>,
    /// The trainings a reload or a closed tab interrupted, each until the person decides what
    /// to do with it (a new training leaves them offered).
    pub interrupted: Vec<InterruptedRun>,
    /// Test images to pick from.
    pub gallery: Gallery,
    /// Latent analyses on the test subset, by model name.
    /// Shared, not copied: a large model's analysis holds a million correlations, and every view
    /// that reads it would otherwise clone them.
    pub analyses: BTreeMap<String, Arc<LatentAnalysis>>,
    /// Classifiers measured on the test subset, by name.
    pub evaluations: BTreeMap<String, ClassifierEvaluation>,
    /// Why an analysis or a decode failed, by model name or slot.
    pub request_errors: BTreeMap<String, String>,
    /// A run to resume as soon as it is offered (`?resume=<run id>`: the page restarted on the
    /// CPU after the GPU was lost).
    pub resume_when_offered: Option<String>,
    /// Analyses under way: model name → (steps done, steps in all).
    pub analysing: BTreeMap<String, (usize, usize)>,
    /// The newest decoded frames of each slot.
    pub decoded: BTreeMap<String, DecodedFrames>,
    pub transfer: TransferState,
    /// Transfer results of earlier runs kept in this browser (`web::kept_runs`).
    pub earlier_transfers: EarlierTransfers,
    /// The newest reading of the drawing pad's drawing.
    pub drawing: Option<DrawingReading>,
    /// Why the engine could not paint the drawing's reconstruction into the canvas the draw
    /// view handed it, once it could not: the page paints it from then on.
    pub reconstruction_painting_failed: Option<String>,
    /// The digits of the confusion-matrix cell opened last.
    pub confusion_cell: Option<CellDigits>,
    /// The scatter of the heatmap cell opened last.
    pub scatter: Option<CoordinateScatter>,
    /// The digits brushed last on the latent map.
    pub brushed: Option<BrushedDigits>,
    /// The recorded epochs of the model the latent map asked for last.
    pub recorded_epochs: Option<Arc<RecordedEpochs>>,
    /// How many drawing requests were answered, read or failed (the pad sends the next one
    /// when this moves).
    pub drawing_answers: u64,
    /// The move from the CPU engine to the WebGPU engine, where the start planned one.
    pub handover: HandOver,
}

/// An error the page shows, with what caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    pub source: ErrorSource,
    pub message: String,
}

/// The classifier views use by default: fine-tuned, the most accurate.
pub const PREFERRED_CLASSIFIER: &str = "classifier-finetune";

/// The most errors shown at once: the oldest go first.
pub const MAX_ERRORS: usize = 5;

/// The `what` of a failed drawing request.
pub const DRAWING: &str = crate::engine::protocol::DRAWING_REQUEST;

/// Who paints the draw view's reconstruction, on which canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReconstructionCanvas {
    /// A canvas handed to the engine the page talks to ([`HandOver::engine`]: 0 or 1).
    Engine(u8),
    /// A canvas of the page's own, after the engine failed to paint one.
    Page,
}

/// Frames the engine decoded for one slot of a view.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedFrames {
    pub seq: u64,
    pub model: String,
    pub pixels: Vec<u8>,
    /// The two images decoded between (784 bytes each).
    pub inputs: Vec<u8>,
    /// What each frame is, where the request asked.
    pub diagnostics: Option<FrameDiagnostics>,
}

impl EngineState {
    /// Shows an error tied to its source; the same error again replaces the older one.
    pub fn push_error(&mut self, source: ErrorSource, message: String) {
        self.errors
            .retain(|e| !(e.source == source && e.message == message));
        self.errors.push(PageError { source, message });
        if self.errors.len() > MAX_ERRORS {
            self.errors.remove(0);
        }
    }

    pub fn dismiss_error(&mut self, index: usize) {
        if index < self.errors.len() {
            self.errors.remove(index);
        }
    }

    /// A new run starts: the errors of earlier runs of its kind and of refused requests to
    /// start one are over.
    fn clear_errors_of(&mut self, run: ErrorSource, requests: &[&str]) {
        self.errors.retain(|e| {
            e.source != run
                && !matches!(&e.source, ErrorSource::Request { request, .. } if requests.contains(&request.as_str()))
        });
    }

    /// The names of the model list's autoencoders, in list order.
    pub fn autoencoder_names(&self) -> Vec<String> {
        self.model_names(false)
    }

    /// The names of the model list's classifiers, in list order.
    pub fn classifier_names(&self) -> Vec<String> {
        self.model_names(true)
    }

    /// The classifier a view reads images with until the person picks another: the
    /// fine-tuned one (the most accurate) where the list has it, else the first; "" for none.
    pub fn preferred_classifier(&self) -> String {
        let names = self.classifier_names();
        names
            .iter()
            .find(|n| *n == PREFERRED_CLASSIFIER)
            .or(names.first())
            .cloned()
            .unwrap_or_default()
    }

    fn model_names(&self, classifiers: bool) -> Vec<String> {
        self.models
            .iter()
            .filter(|m| matches!(m.spec, ModelSpec::Classifier { .. }) == classifiers)
            .map(|m| m.name.clone())
            .collect()
    }

    pub fn apply(&mut self, event: FromEngine) {
        match event {
            FromEngine::Ready => self.ready = true,
            FromEngine::Backend {
                kind,
                adapter,
                software_adapter,
                fallback_reason,
            } => {
                self.backend = Some(BackendInfo {
                    kind,
                    adapter,
                    software_adapter,
                    fallback_reason,
                })
            }
            FromEngine::Loading { what, done, total } => {
                self.loading = Some(LoadingStep { what, done, total })
            }
            FromEngine::Loaded {
                train_images,
                test_images,
                models,
                problems,
                no_code_test_loss,
                mean_digit,
            } => {
                self.loading = None;
                self.loaded = true;
                self.train_images = train_images;
                self.test_images = test_images;
                self.no_code_test_loss = no_code_test_loss;
                self.mean_digit = mean_digit;
                self.models = models;
                self.problems = problems;
            }
            FromEngine::SampleDigits { pixels, labels } => {
                self.samples = pixels;
                self.sample_labels = labels;
            }
            FromEngine::TrainingStarted {
                run_id,
                request,
                steps_per_epoch,
            } => {
                self.clear_errors_of(ErrorSource::Training, &["train", "resume"]);
                self.run = RunState {
                    status: RunStatus::Running,
                    run_id: Some(run_id),
                    request: Some(request),
                    history: LossHistory::new(steps_per_epoch),
                    ..RunState::default()
                };
            }
            FromEngine::Progress(progress) => {
                if self.run.status.is_active() {
                    self.run.status = if progress.paused {
                        RunStatus::Paused
                    } else {
                        RunStatus::Running
                    };
                }
                self.run
                    .history
                    .push_step(progress.step, progress.smoothed_loss);
                self.run.progress = Some(progress);
            }
            FromEngine::EpochDone {
                epoch,
                train_loss,
                test_loss,
            } => self.run.history.push_epoch(epoch, train_loss, test_loss),
            FromEngine::Reconstructions { step, pixels } => {
                self.run.reconstructions = pixels;
                self.run.reconstructions_step = Some(step);
            }
            FromEngine::TrainingFinished { model, cancelled } => {
                self.run.status = if cancelled {
                    RunStatus::Cancelled
                } else {
                    RunStatus::Finished
                };
                self.run.model = Some(model.name.clone());
                self.upsert_model(model);
            }
            FromEngine::ModelUpdated { model } => self.upsert_model(model),
            FromEngine::ModelRemoved { name } => {
                self.models.retain(|m| m.name != name);
                self.analyses.remove(&name);
                self.evaluations.remove(&name);
            }
            FromEngine::Gallery {
                indices,
                labels,
                pixels,
            } => {
                self.gallery = Gallery {
                    indices,
                    labels,
                    pixels,
                }
            }
            FromEngine::AnalysisProgress { model, done, total } => {
                self.analysing.insert(model, (done, total));
            }
            FromEngine::Analysis(analysis) => {
                self.analysing.remove(&analysis.model);
                self.request_errors.remove(&analysis.model);
                self.analyses
                    .insert(analysis.model.clone(), Arc::new(analysis));
            }
            FromEngine::Evaluation(evaluation) => {
                self.analysing.remove(&evaluation.model);
                self.request_errors.remove(&evaluation.model);
                self.evaluations
                    .insert(evaluation.model.clone(), evaluation);
            }
            FromEngine::Decoded {
                slot,
                seq,
                model,
                pixels,
                inputs,
                diagnostics,
            } => {
                // Answers can overtake each other only in theory; keep the newest request's.
                if self.decoded.get(&slot).is_none_or(|d| d.seq <= seq) {
                    self.request_errors.remove(&slot);
                    let frames = DecodedFrames {
                        seq,
                        model,
                        pixels,
                        inputs,
                        diagnostics,
                    };
                    self.decoded.insert(slot, frames);
                }
            }
            FromEngine::CoordinateScatter(scatter) => {
                self.request_errors.remove(SCATTER_REQUEST);
                self.scatter = Some(scatter);
            }
            FromEngine::RecordedEpochs(recorded) => {
                self.request_errors.remove(EPOCHS_REQUEST);
                self.recorded_epochs = Some(Arc::new(recorded));
            }
            FromEngine::Brushed(brushed) => {
                self.request_errors.remove(BRUSH_REQUEST);
                self.brushed = Some(brushed);
            }
            FromEngine::ConfusionCell(cell) => {
                self.request_errors.remove(CONFUSION_CELL_REQUEST);
                self.confusion_cell = Some(cell);
            }
            FromEngine::DrawingRead(reading) => {
                self.drawing_answers += 1;
                self.request_errors.remove(DRAWING);
                // Even from an answer too late to show: the engine no longer paints.
                if let Painting::Failed { why } = &reading.painting {
                    self.reconstruction_painting_failed = Some(why.clone());
                }
                if self.drawing.as_ref().is_none_or(|d| d.seq <= reading.seq) {
                    self.drawing = Some(reading);
                }
            }
            FromEngine::RequestFailed { what, message } => {
                if what == DRAWING {
                    self.drawing_answers += 1;
                }
                self.analysing.remove(&what);
                self.request_errors.insert(what, message);
            }
            FromEngine::TransferStarted { request } => {
                self.clear_errors_of(ErrorSource::Transfer, &["transfer"]);
                self.transfer = TransferState {
                    status: RunStatus::Running,
                    request: Some(request),
                    ..TransferState::default()
                };
            }
            FromEngine::TransferProgress { scenario, progress } => {
                if self.transfer.status.is_active() {
                    self.transfer.status = if progress.paused {
                        RunStatus::Paused
                    } else {
                        RunStatus::Running
                    };
                }
                self.transfer.current = Some((scenario, progress));
            }
            FromEngine::TransferPoint(point) => self.transfer.points.push(point),
            FromEngine::TransferDone { result, model } => {
                self.transfer.results.push(result);
                self.upsert_model(model);
            }
            FromEngine::TransferFinished { cancelled } => {
                self.transfer.status = if cancelled {
                    RunStatus::Cancelled
                } else {
                    RunStatus::Finished
                };
            }
            // The page turns the file into a download before the state sees it.
            FromEngine::ModelFile { .. } => {}
            // The page's move to the WebGPU engine reads it before the state sees it.
            FromEngine::IdleAnswer { .. } => {}
            FromEngine::Interrupted { runs } => self.interrupted = runs,
            FromEngine::Notice { message } => self.notice = Some(message),
            FromEngine::Failed {
                source,
                message,
                backend_lost,
            } => {
                // Only a failure of a run itself ends it; a refused request or an unreadable
                // file leaves a running training alone.
                let (training, transfer) = match source {
                    ErrorSource::Training => (true, false),
                    ErrorSource::Transfer => (false, true),
                    ErrorSource::Worker => (true, true),
                    _ => (false, false),
                };
                if training && self.run.status.is_active() {
                    self.run.status = RunStatus::Failed;
                }
                if transfer && self.transfer.status.is_active() {
                    self.transfer.status = RunStatus::Failed;
                }
                if matches!(source, ErrorSource::Startup | ErrorSource::Worker) {
                    self.loading = None;
                }
                self.push_error(source, message);
                self.backend_lost |= backend_lost;
            }
        }
    }
}

impl EngineState {
    /// The run of `?resume=` once the engine offers it and nothing else runs; the page then
    /// resumes it (once: it clears [`Self::resume_when_offered`]).
    pub fn resume_due(&self) -> Option<String> {
        let id = self.resume_when_offered.as_ref()?;
        (self.loaded
            && !self.run.status.is_active()
            && self.interrupted.iter().any(|r| &r.id == id))
        .then(|| id.clone())
    }

    /// Where "continue on the CPU" leads after the GPU was lost: the page on the CPU, resuming
    /// the run that was going on from its last checkpoint.
    pub fn continue_on_cpu_address(&self) -> String {
        match &self.run.run_id {
            Some(id) if self.run.status == RunStatus::Failed => {
                format!("?backend=cpu&resume={id}#/train")
            }
            _ => "?backend=cpu#/train".into(),
        }
    }

    /// Which canvas the draw view shows the reconstruction on. A canvas handed to an engine
    /// cannot be handed to the next one or taken back, so each value is a canvas of its own.
    pub fn reconstruction_canvas(&self) -> ReconstructionCanvas {
        match self.reconstruction_painting_failed {
            Some(_) => ReconstructionCanvas::Page,
            None => ReconstructionCanvas::Engine(self.handover.engine()),
        }
    }

    /// Replaces the model of the same name, or adds it at the end.
    fn upsert_model(&mut self, model: ModelInfo) {
        match self.models.iter_mut().find(|m| m.name == model.name) {
            Some(slot) => *slot = model,
            None => self.models.push(model),
        }
    }

    /// The worker died (a trap in its wasm: it cannot report anything itself). Whatever ran is
    /// lost with it; on WebGPU the likely cause is the GPU path, so the CPU is offered.
    pub fn worker_crashed(&mut self, message: String) {
        let backend_lost = self
            .backend
            .as_ref()
            .is_none_or(|b| b.kind == BackendKind::Wgpu);
        self.apply(FromEngine::Failed {
            source: ErrorSource::Worker,
            message: format!("the engine worker stopped: {message}"),
            backend_lost,
        });
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::engine::protocol::TrainingProgress;
    use crate::engine::{EpochLoss, ModelOrigin, TrainRequest};
    use crate::model::Architecture;
    use crate::training::TrainingConfig;
    use crate::ui::engine_handover::HandOverPhase;
    use crate::weights::ModelSpec;

    fn progress(step: usize, paused: bool) -> TrainingProgress {
        TrainingProgress {
            epoch: 1,
            epochs: 1,
            step,
            total_steps: 10,
            loss: 0.1,
            smoothed_loss: 0.1,
            images_per_second: 100.0,
            elapsed_seconds: 1.0,
            seconds_left: Some(1.0),
            paused,
        }
    }

    #[test]
    fn after_a_lost_gpu_the_failed_run_resumes_on_the_cpu_once_offered() {
        let mut state = EngineState::default();
        let request = TrainRequest {
            architecture: Architecture::TwoLayer,
            latent_dim: 20,
            training: TrainingConfig::default(),
            train_images: 1000,
            beta: None,
        };
        assert_eq!(state.continue_on_cpu_address(), "?backend=cpu#/train");
        state.apply(FromEngine::TrainingStarted {
            run_id: "a1-run3".into(),
            request: request.clone(),
            steps_per_epoch: 16,
        });
        state.apply(FromEngine::Failed {
            source: ErrorSource::Training,
            message: "the GPU device was lost (Destroyed)".into(),
            backend_lost: true,
        });
        assert!(state.backend_lost);
        assert_eq!(
            state.continue_on_cpu_address(),
            "?backend=cpu&resume=a1-run3#/train"
        );
        // The restarted page: the run is due once loaded and offered, not before.
        let mut page = EngineState {
            resume_when_offered: Some("a1-run3".into()),
            ..EngineState::default()
        };
        assert_eq!(page.resume_due(), None);
        let run = InterruptedRun {
            id: "a1-run3".into(),
            request,
            epochs_done: 1,
            epoch_losses: Vec::new(),
        };
        page.apply(FromEngine::Interrupted { runs: vec![run] });
        assert_eq!(page.resume_due(), None, "not loaded yet");
        page.loaded = true;
        assert_eq!(page.resume_due().as_deref(), Some("a1-run3"));
        page.apply(FromEngine::Interrupted { runs: Vec::new() });
        assert_eq!(page.resume_due(), None, "no longer offered");
    }

    #[test]
    fn a_classifier_evaluation_ends_its_progress_and_goes_with_its_model() {
        let mut state = EngineState::default();
        state.apply(FromEngine::AnalysisProgress {
            model: "classifier-frozen".into(),
            done: 3_000,
            total: 10_000,
        });
        state
            .request_errors
            .insert("classifier-frozen".into(), "an earlier failure".into());
        let evaluation = ClassifierEvaluation {
            model: "classifier-frozen".into(),
            images: 10_000,
            loss: 0.0857,
            accuracy: 0.9728,
        };
        state.apply(FromEngine::Evaluation(evaluation.clone()));
        assert_eq!(state.analysing.get("classifier-frozen"), None);
        assert_eq!(state.request_errors.get("classifier-frozen"), None);
        assert_eq!(
            state.evaluations.get("classifier-frozen"),
            Some(&evaluation)
        );
        state.apply(FromEngine::ModelRemoved {
            name: "classifier-frozen".into(),
        });
        assert!(
            state.evaluations.is_empty(),
            "a removed model's figures go with it"
        );
    }

    #[test]
    fn an_analysis_under_way_is_shown_until_its_answer_or_its_failure() {
        let mut state = EngineState::default();
        let at = |model: &str, done, total| FromEngine::AnalysisProgress {
            model: model.into(),
            done,
            total,
        };
        state.apply(at("a", 1, 10));
        state.apply(at("b", 2, 4));
        state.apply(at("a", 6, 10));
        assert_eq!(state.analysing.get("a"), Some(&(6, 10)));
        state.apply(FromEngine::RequestFailed {
            what: "b".into(),
            message: "gone".into(),
        });
        assert_eq!(state.analysing.get("b"), None, "a failure ends it");
        assert_eq!(state.analysing.len(), 1);
    }

    #[test]
    fn a_run_from_start_to_finish() {
        let mut state = EngineState::default();
        let request = TrainRequest {
            architecture: Architecture::TwoLayer,
            latent_dim: 5,
            training: TrainingConfig::default(),
            train_images: 100,
            beta: None,
        };
        state.apply(FromEngine::TrainingStarted {
            run_id: "t-run1".into(),
            request: request.clone(),
            steps_per_epoch: 10,
        });
        assert_eq!(state.run.status, RunStatus::Running);
        state.apply(FromEngine::Progress(progress(5, false)));
        state.apply(FromEngine::Progress(progress(6, true)));
        assert_eq!(state.run.status, RunStatus::Paused);
        assert_eq!(state.run.history.steps.len(), 2);
        state.apply(FromEngine::EpochDone {
            epoch: 1,
            train_loss: 0.09,
            test_loss: 0.08,
        });
        let model = ModelInfo {
            id: "test-1".into(),
            name: "two-layer-d5 (trained)".into(),
            spec: ModelSpec::Autoencoder {
                architecture: Architecture::TwoLayer,
                latent_dim: 5,
            },
            origin: ModelOrigin::Trained,
            params: 22_686,
            epochs: Some(1),
            train_images: Some(100),
            train_loss: Some(0.09),
            test_loss: Some(0.08),
            test_accuracy: None,
            kept: false,
            not_kept: None,
            beta: None,
        };
        state.apply(FromEngine::TrainingFinished {
            model: model.clone(),
            cancelled: true,
        });
        assert_eq!(state.run.status, RunStatus::Cancelled);
        assert_eq!(state.models, vec![model.clone()]);
        // A late progress message does not revive a finished run.
        state.apply(FromEngine::Progress(progress(7, false)));
        assert_eq!(state.run.status, RunStatus::Cancelled);

        // Kept in the browser: the same row changes; removed: it goes.
        let kept = ModelInfo {
            kept: true,
            not_kept: None,
            beta: None,
            ..model.clone()
        };
        state.apply(FromEngine::ModelUpdated {
            model: kept.clone(),
        });
        assert_eq!(state.models, vec![kept]);
        let classifier = ModelInfo {
            name: "classifier-frozen".into(),
            spec: ModelSpec::Classifier { latent_dim: 20 },
            ..model.clone()
        };
        let mut listed = state.clone();
        listed.models.insert(0, classifier);
        assert_eq!(listed.autoencoder_names(), vec![model.name.clone()]);
        assert_eq!(
            listed.classifier_names(),
            vec!["classifier-frozen".to_string()]
        );
        let loaded = ModelInfo {
            name: "mine".into(),
            origin: ModelOrigin::Uploaded,
            ..model.clone()
        };
        state.apply(FromEngine::ModelUpdated {
            model: loaded.clone(),
        });
        assert_eq!(state.models.len(), 2);
        state.apply(FromEngine::ModelRemoved {
            name: model.name.clone(),
        });
        assert_eq!(state.models, vec![loaded]);
    }

    #[test]
    fn interrupted_runs_stay_offered_through_a_new_run_until_the_engine_withdraws_them() {
        let mut state = EngineState::default();
        let request = TrainRequest {
            architecture: Architecture::OneLayer,
            latent_dim: 20,
            training: TrainingConfig::default(),
            train_images: 1000,
            beta: None,
        };
        let run = |id: &str| InterruptedRun {
            id: id.into(),
            request: request.clone(),
            epochs_done: 2,
            epoch_losses: vec![
                EpochLoss {
                    epoch: 1,
                    train_loss: 0.05,
                    test_loss: 0.04,
                },
                EpochLoss {
                    epoch: 2,
                    train_loss: 0.03,
                    test_loss: 0.03,
                },
            ],
        };
        state.apply(FromEngine::Interrupted {
            runs: vec![run("a-run1"), run("b-run2")],
        });
        assert_eq!(state.interrupted.len(), 2);
        assert_eq!(state.interrupted[1].epochs_done, 2);
        state.apply(FromEngine::TrainingStarted {
            run_id: "t-run1".into(),
            request: request.clone(),
            steps_per_epoch: 16,
        });
        assert_eq!(state.interrupted.len(), 2, "a new run leaves them offered");
        state.apply(FromEngine::Interrupted {
            runs: vec![run("b-run2")],
        });
        assert_eq!(state.interrupted, vec![run("b-run2")]);
    }

    #[test]
    fn a_crashed_worker_offers_the_cpu_only_when_it_was_not_on_the_cpu() {
        let mut state = EngineState::default();
        state.apply(FromEngine::Backend {
            kind: BackendKind::Flex,
            adapter: "flex (CPU)".into(),
            software_adapter: false,
            fallback_reason: None,
        });
        state.worker_crashed("RuntimeError: unreachable".into());
        assert!(state.errors[0].message.contains("unreachable"));
        assert_eq!(state.errors[0].source, ErrorSource::Worker);
        assert!(!state.backend_lost);
        state.apply(FromEngine::Backend {
            kind: BackendKind::Wgpu,
            adapter: "swiftshader".into(),
            software_adapter: true,
            fallback_reason: None,
        });
        state.worker_crashed("RuntimeError: unreachable".into());
        assert!(state.backend_lost);
    }

    #[test]
    fn failures_keep_the_message_and_flag_a_lost_backend() {
        let mut state = EngineState::default();
        state.apply(FromEngine::Loading {
            what: "weights".into(),
            done: 1,
            total: 3,
        });
        state.apply(FromEngine::Failed {
            source: ErrorSource::Startup,
            message: "device lost".into(),
            backend_lost: true,
        });
        assert_eq!(state.errors[0].message, "device lost");
        assert!(state.backend_lost);
        assert_eq!(state.loading, None);
    }

    #[test]
    fn decoded_frames_keep_the_newest_request_and_failures_stay_apart_from_training() {
        let mut state = EngineState::default();
        let decoded = |seq: u64, byte: u8| FromEngine::Decoded {
            slot: "strip-a".into(),
            seq,
            model: "m".into(),
            pixels: vec![byte; 4],
            inputs: Vec::new(),
            diagnostics: None,
        };
        state.apply(decoded(2, 20));
        state.apply(decoded(1, 10));
        assert_eq!(
            state.decoded["strip-a"].pixels,
            vec![20; 4],
            "an older answer is dropped"
        );
        state.apply(FromEngine::RequestFailed {
            what: "strip-a".into(),
            message: "no such model".into(),
        });
        assert_eq!(state.request_errors["strip-a"], "no such model");
        assert!(
            state.errors.is_empty(),
            "a view's failure is not the page's error"
        );
        assert_eq!(state.run.status, RunStatus::Idle);
        state.apply(decoded(3, 30));
        assert!(state.request_errors.is_empty());
        assert_eq!(state.decoded["strip-a"].seq, 3);
    }

    /// A reading of drawing `seq`, painted as said.
    fn drawing_read(seq: u64, painting: Painting) -> FromEngine {
        FromEngine::DrawingRead(DrawingReading {
            seq,
            autoencoder: "two-layer-d20".into(),
            code: vec![1.0],
            dead: vec![false],
            code_scale: 1.0,
            reconstruction: vec![0; 784],
            classifier: None,
            probabilities: Vec::new(),
            neighbours: Vec::new(),
            painting,
        })
    }

    #[test]
    fn drawing_readings_count_answers_and_keep_the_newest() {
        let reading = |seq| drawing_read(seq, Painting::ByPage);
        let mut state = EngineState::default();
        state.apply(reading(5));
        state.apply(reading(3)); // an older drawing's answer, late
        assert_eq!(state.drawing.as_ref().map(|d| d.seq), Some(5));
        state.apply(FromEngine::RequestFailed {
            what: DRAWING.into(),
            message: "'x' is not a classifier of the model list".into(),
        });
        assert_eq!(state.drawing_answers, 3, "a failure answers too");
        assert!(state.request_errors.contains_key(DRAWING));
        state.apply(FromEngine::RequestFailed {
            what: "strip-a".into(),
            message: "no".into(),
        });
        assert_eq!(state.drawing_answers, 3, "another view's failure does not");
        state.apply(reading(6));
        assert!(!state.request_errors.contains_key(DRAWING));
    }

    #[test]
    fn the_page_paints_the_reconstruction_for_good_once_the_engine_failed_to() {
        let reading = drawing_read;
        let mut state = EngineState::default();
        assert_eq!(
            state.reconstruction_canvas(),
            ReconstructionCanvas::Engine(0)
        );
        state.apply(reading(4, Painting::ByEngine { at: 1.0 }));
        assert_eq!(
            state.reconstruction_canvas(),
            ReconstructionCanvas::Engine(0)
        );
        // The move to WebGPU: a new canvas for the new engine.
        state.handover.phase = HandOverPhase::Done;
        assert_eq!(
            state.reconstruction_canvas(),
            ReconstructionCanvas::Engine(1)
        );
        // A failure counts even in an answer older than the one shown.
        let why = "the page's canvas has no 2d context in the engine";
        state.apply(reading(3, Painting::Failed { why: why.into() }));
        assert_eq!(state.drawing.as_ref().map(|d| d.seq), Some(4));
        assert_eq!(state.drawing_answers, 2);
        assert_eq!(state.reconstruction_painting_failed.as_deref(), Some(why));
        assert_eq!(state.reconstruction_canvas(), ReconstructionCanvas::Page);
        // Later readings come unpainted (the engine let the canvas go): the page keeps painting.
        state.apply(reading(5, Painting::ByPage));
        assert_eq!(state.reconstruction_canvas(), ReconstructionCanvas::Page);
    }

    #[test]
    fn errors_stay_with_their_source_and_only_a_run_s_own_failure_ends_it() {
        let mut state = EngineState::default();
        state.apply(FromEngine::TrainingStarted {
            run_id: "t-run1".into(),
            request: TrainRequest {
                architecture: crate::model::Architecture::TwoLayer,
                latent_dim: 20,
                training: crate::training::TrainingConfig::default(),
                train_images: 100,
                beta: None,
            },
            steps_per_epoch: 2,
        });
        assert_eq!(state.run.status, RunStatus::Running);
        // "Already running" from #/transfer, and a refused upload: the training goes on.
        for source in [
            ErrorSource::request("transfer", None),
            ErrorSource::request("load_file", Some("broken.safetensors")),
            ErrorSource::Message,
            ErrorSource::Transfer,
        ] {
            state.apply(FromEngine::Failed {
                source,
                message: "no".into(),
                backend_lost: false,
            });
            assert_eq!(state.run.status, RunStatus::Running);
        }
        let labels: Vec<String> = state.errors.iter().map(|e| e.source.label()).collect();
        assert_eq!(
            labels,
            [
                "request:transfer",
                "request:load_file:broken.safetensors",
                "message",
                "transfer"
            ]
        );
        state.apply(FromEngine::Failed {
            source: ErrorSource::Training,
            message: "NaN loss".into(),
            backend_lost: false,
        });
        assert_eq!(state.run.status, RunStatus::Failed);
        state.dismiss_error(0);
        assert_eq!(state.errors.len(), 4);
        assert_eq!(
            state.errors[0].source.label(),
            "request:load_file:broken.safetensors"
        );
        // At most MAX_ERRORS are shown, the newest kept.
        for i in 0..10 {
            state.push_error(ErrorSource::Page, format!("e{i}"));
        }
        assert_eq!(state.errors.len(), MAX_ERRORS);
        assert_eq!(state.errors.last().unwrap().message, "e9");
        // A new training clears the old training's errors but not the others'.
        state.push_error(ErrorSource::Training, "old".into());
        state.push_error(ErrorSource::request("train", None), "busy".into());
        state.apply(FromEngine::TrainingStarted {
            run_id: "t-run1".into(),
            request: state.run.request.clone().unwrap(),
            steps_per_epoch: 2,
        });
        assert!(
            state
                .errors
                .iter()
                .all(|e| !matches!(e.source, ErrorSource::Training)
                    && e.source.label() != "request:train")
        );
        assert_eq!(state.errors.len(), MAX_ERRORS - 2);
    }
}
