//! Transfer learning in the page: a classifier (the pretrained three-layer encoder and an
//! MLP) trained on the first labelled images of the bundled subset, one step at a time, like
//! [`super::TrainingSession`] does for autoencoders.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::pretrained::NO_TRAINING_SUBSET;
use super::progress::{Pausable, ProgressMeter, RunPosition, TrainingProgress};
use crate::data::MnistSet;
use crate::model::{Classifier, ThreeLayerEncoder, param_count};
use crate::training::{
    Trainer, TrainingConfig, TrainingError, TransferScenario, confusion_matrix, evaluate,
    transfer_classifier, transfer_epochs, transfer_eval_epochs,
};
use crate::weights::{ModelSpec, WeightsManifest};

const EVAL_BATCH: usize = 500;
/// Weight of the past in the smoothed loss, per optimiser step: about the last ten steps.
const LOSS_SMOOTHING: f64 = 0.9;
/// Milliseconds between two progress reports.
const PROGRESS_MS: f64 = 100.0;

/// What the person asked for: scenarios run one after the other on the same labelled set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferRequest {
    pub scenarios: Vec<TransferScenario>,
    /// The first `labels` images of the bundled training subset, with their labels.
    pub labels: usize,
    /// `None`: the exercise's schedule, at least 10 epochs and 2,000 steps.
    pub epochs: Option<usize>,
    pub batch_size: usize,
    pub learning_rate: f64,
}

impl TransferRequest {
    /// Refuses what a message from a page could carry but no run can do: no scenario, no
    /// labels, a batch of 0 (it would divide by zero), a learning rate that is not a positive
    /// number, 0 epochs.
    pub fn validate(&self, available: usize) -> Result<(), TrainingError> {
        if self.scenarios.is_empty() {
            return Err(TrainingError::InvalidConfig(
                "choose at least one scenario".into(),
            ));
        }
        if available == 0 {
            return Err(TrainingError::InvalidConfig(NO_TRAINING_SUBSET.into()));
        }
        if self.labels == 0 || self.labels > available {
            return Err(TrainingError::InvalidConfig(format!(
                "use between 1 and {available} labelled images, not {}",
                self.labels
            )));
        }
        TrainingConfig {
            epochs: self.epochs.unwrap_or(1),
            batch_size: self.batch_size,
            learning_rate: self.learning_rate,
            ..TrainingConfig::default()
        }
        .validate()
    }

    /// The epochs each scenario trains.
    pub fn epochs(&self) -> usize {
        self.epochs
            .unwrap_or_else(|| transfer_epochs(self.labels, self.batch_size))
    }

    pub fn training(&self) -> TrainingConfig {
        TrainingConfig {
            epochs: self.epochs(),
            batch_size: self.batch_size,
            learning_rate: self.learning_rate,
            ..TrainingConfig::default()
        }
    }
}

/// A scoring of the test subset during a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TransferPoint {
    pub scenario: TransferScenario,
    /// From 1.
    pub epoch: usize,
    /// Mean batch loss of that epoch (train mode).
    pub train_loss: f32,
    pub test_loss: f32,
    pub test_accuracy: f32,
}

/// One scenario's final figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferResult {
    pub scenario: TransferScenario,
    pub labels: usize,
    pub epochs: usize,
    /// Eval mode, over the labelled set. A diverged run's NaN as `null`, as JSON has no NaN
    /// (kept results are read back).
    #[serde(with = "super::progress::nan_as_null")]
    pub train_loss: f32,
    #[serde(with = "super::progress::nan_as_null")]
    pub train_accuracy: f32,
    #[serde(with = "super::progress::nan_as_null")]
    pub test_loss: f32,
    #[serde(with = "super::progress::nan_as_null")]
    pub test_accuracy: f32,
    pub seconds: f64,
    /// `10 × 10` counts on the test subset: rows the true digit, columns the prediction.
    pub confusion: Vec<u32>,
    /// The run was cancelled before its last epoch.
    pub cancelled: bool,
    /// The classifier's name in the model list, once it has joined it (empty before).
    #[serde(default)]
    pub classifier: String,
}

pub struct TransferSession {
    scenario: TransferScenario,
    request: TransferRequest,
    labelled: MnistSet,
    trainer: Trainer<Classifier>,
    device: Device,
    checkpoints: Vec<usize>,
    meter: ProgressMeter,
}

impl TransferSession {
    /// Prepares `scenario` on the first `request.labels` images of `train`. `encoder` is the
    /// pretrained three-layer encoder (copied, never changed); `Scratch` ignores it.
    pub fn new(
        scenario: TransferScenario,
        request: &TransferRequest,
        encoder: Option<&ThreeLayerEncoder>,
        train: &MnistSet,
        device: &Device,
        now_ms: f64,
    ) -> Result<Self, TrainingError> {
        request.validate(train.len())?;
        let labelled = train.first(request.labels);
        let training = request.training();
        // The seed draws the MLP's initial weights (and the scratch encoder's) as well as the
        // shuffles, as `latent-lab reproduce` seeds each scenario: the same request gives the
        // same run, whatever the device drew before.
        device.seed(training.seed);
        let classifier = transfer_classifier(scenario, encoder, &device.clone().autodiff())
            .map_err(TrainingError::InvalidConfig)?;
        let trainer = Trainer::new(classifier, labelled.len(), training, device)?;
        Ok(Self {
            scenario,
            request: request.clone(),
            labelled,
            trainer,
            device: device.clone(),
            checkpoints: transfer_eval_epochs(training.epochs),
            meter: ProgressMeter::start(now_ms, LOSS_SMOOTHING),
        })
    }

    pub fn scenario(&self) -> TransferScenario {
        self.scenario
    }

    pub fn is_finished(&self) -> bool {
        self.trainer.is_finished()
    }

    pub fn progress(&self, now_ms: f64) -> TrainingProgress {
        self.meter.progress(now_ms, self.position())
    }

    /// Where the run stands; a transfer run always starts from its first step.
    fn position(&self) -> RunPosition {
        RunPosition::of(&self.trainer, 0)
    }

    /// One optimizer step. Returns a progress report when one is due and a test-subset
    /// scoring after the epochs the schedule scores.
    pub async fn step(
        &mut self,
        test: &MnistSet,
        now: impl Fn() -> f64,
    ) -> Result<(Option<TrainingProgress>, Option<TransferPoint>), TrainingError> {
        let Some(report) = self.trainer.step(&self.labelled) else {
            return Ok((None, None));
        };
        self.meter.count_images(report.batch_len);
        let progress_due = report.epoch_finished || self.meter.is_due(now(), PROGRESS_MS);
        if progress_due && let Some((loss, steps)) = self.trainer.take_recent_loss().await? {
            self.meter.record_loss(loss, steps, report.epoch + 1)?;
        }
        let mut point = None;
        if report.epoch_finished {
            let running = self
                .trainer
                .take_epoch_loss()
                .await?
                .expect("an epoch just finished");
            let epoch = report.epoch + 1;
            if self.checkpoints.contains(&epoch) {
                let eval = evaluate(self.trainer.model(), test, EVAL_BATCH, &self.device).await?;
                point = Some(TransferPoint {
                    scenario: self.scenario,
                    epoch,
                    train_loss: running,
                    test_loss: eval.loss,
                    test_accuracy: eval.accuracy.unwrap_or(f32::NAN),
                });
            }
        }
        let progress = progress_due.then(|| self.meter.report(now(), self.position()));
        Ok((progress, point))
    }

    /// Scores the model as it is (finished or cancelled) and hands it over with its manifest.
    pub async fn finish(
        self,
        test: &MnistSet,
        now_ms: f64,
    ) -> Result<(Classifier, WeightsManifest, TransferResult), TrainingError> {
        let cancelled = !self.trainer.is_finished();
        let seconds = self.meter.seconds(now_ms);
        let epochs = self.trainer.epoch();
        let model = self.trainer.model().valid();
        let train = evaluate(&model, &self.labelled, EVAL_BATCH, &self.device).await?;
        let test_eval = evaluate(&model, test, EVAL_BATCH, &self.device).await?;
        let confusion = confusion_matrix(&model, test, EVAL_BATCH, &self.device).await?;
        let result = TransferResult {
            scenario: self.scenario,
            labels: self.request.labels,
            epochs,
            train_loss: train.loss,
            train_accuracy: train.accuracy.unwrap_or(f32::NAN),
            test_loss: test_eval.loss,
            test_accuracy: test_eval.accuracy.unwrap_or(f32::NAN),
            seconds,
            confusion,
            cancelled,
            classifier: String::new(),
        };
        let mut manifest = WeightsManifest::new(
            ModelSpec::Classifier { latent_dim: 20 },
            param_count(&model),
        );
        let mut training = self.request.training();
        training.epochs = epochs;
        manifest.training = Some(training);
        manifest.train_images = Some(self.request.labels);
        manifest.train_loss = Some(result.train_loss);
        manifest.test_loss = Some(result.test_loss);
        manifest.test_accuracy = Some(result.test_accuracy);
        manifest.notes = Some(format!(
            "transfer scenario: {} (trained in Latent Lab's page on {} labelled images)",
            self.scenario, self.request.labels
        ));
        Ok((model, manifest, result))
    }
}

impl Pausable for TransferSession {
    fn is_paused(&self) -> bool {
        self.meter.is_paused()
    }

    fn pause(&mut self, now_ms: f64) {
        self.meter.pause(now_ms);
    }

    fn resume(&mut self, now_ms: f64) {
        self.meter.resume(now_ms);
    }
}
