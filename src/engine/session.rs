//! One autoencoder training run in the page, driven one step at a time by the worker.
//!
//! The worker calls [`TrainingSession::step`] in a loop and posts the events it returns,
//! yielding to the browser between calls so pause and cancel messages get through. Loss
//! values are read back only when a progress report is due: every readback waits for the
//! device, which on WebGPU costs far more than the step itself.

use burn::prelude::*;

use super::epoch_recording::{EpochRecording, STEP_SNAPSHOT_EVERY};
use super::pretrained::NO_TRAINING_SUBSET;
use super::progress::{Pausable, ProgressMeter, RunPosition};
use super::protocol::{EpochLoss, FromEngine, InterruptedRun, TrainRequest, TrainingProgress};
use crate::analysis::reconstruct;
use crate::data::{MnistSet, pixels_to_bytes};
use crate::model::{Autoencoder, AutoencoderConfig, param_count};
#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
use crate::training::data_parallel::DataParallel;
use crate::training::{Trainer, TrainingError, evaluate};
use crate::weights::{ModelSpec, WeightsManifest};

/// Images per forward pass when scoring the test subset.
const EVAL_BATCH: usize = 500;
/// Weight of the past in the smoothed loss, per optimiser step: about the last ten steps.
const LOSS_SMOOTHING: f64 = 0.9;

/// How often the session reports, in milliseconds of wall time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportEvery {
    pub progress_ms: f64,
    pub reconstructions_ms: f64,
}

impl Default for ReportEvery {
    fn default() -> Self {
        Self {
            progress_ms: 100.0,
            reconstructions_ms: 1500.0,
        }
    }
}

pub struct TrainingSession {
    request: TrainRequest,
    trainer: Trainer<Autoencoder>,
    device: Device,
    meter: ProgressMeter,
    every: ReportEvery,
    /// Steps done before this session (a resumed run), left out of speed and time left.
    steps_before: usize,
    last_reconstruction_ms: f64,
    samples: Vec<usize>,
    last_test_loss: Option<f32>,
    last_train_loss: Option<f32>,
    /// Every completed epoch's losses, a resumed run's earlier ones included.
    epoch_losses: Vec<EpochLoss>,
    /// Report every step (see [`Self::watch_every_step`]).
    watched: bool,
    /// The test digits' codes before the first step and after every epoch (made at the first
    /// step, which has the test subset).
    recording: Option<EpochRecording>,
}

/// The first test image of each digit 0, 1, …, `count - 1` (at most 10): varied samples
/// that stay the same from one run to the next.
pub fn sample_digits(test: &MnistSet, count: usize) -> Vec<usize> {
    (0..count.min(10) as u8)
        .filter_map(|digit| test.first_of_digit(digit))
        .collect()
}

impl TrainingSession {
    /// Prepares a run on the first `request.train_images` images of `train`; its clock starts
    /// at `now_ms`. `samples` are the test digits whose reconstructions are reported.
    pub fn new(
        request: TrainRequest,
        train: &MnistSet,
        samples: Vec<usize>,
        device: &Device,
        now_ms: f64,
        every: ReportEvery,
    ) -> Result<Self, TrainingError> {
        Self::check(&request, train)?;
        // The seed draws the initial weights as well as the shuffles: one link, one run.
        device.seed(request.training.seed);
        let model = AutoencoderConfig::new(request.architecture, request.latent_dim).init(device);
        let model = match request.beta {
            Some(beta) => model.with_beta(beta),
            None => model,
        };
        Self::start(request, model, 0, samples, device, now_ms, every)
    }

    /// Goes on with a run interrupted after `epochs_done` epochs, from that epoch's model
    /// (a checkpoint); the epochs left are trained on the order the full run would have used.
    #[allow(clippy::too_many_arguments)]
    pub fn from_checkpoint(
        request: TrainRequest,
        model: Autoencoder,
        epochs_done: usize,
        train: &MnistSet,
        samples: Vec<usize>,
        device: &Device,
        now_ms: f64,
        every: ReportEvery,
    ) -> Result<Self, TrainingError> {
        Self::check(&request, train)?;
        if model.architecture() != request.architecture || model.latent_dim() != request.latent_dim
        {
            return Err(TrainingError::InvalidConfig(
                "the checkpoint's model is not the one the run trains".into(),
            ));
        }
        Self::start(request, model, epochs_done, samples, device, now_ms, every)
    }

    fn check(request: &TrainRequest, train: &MnistSet) -> Result<(), TrainingError> {
        crate::model::check_latent_dim(request.latent_dim).map_err(TrainingError::InvalidConfig)?;
        request.training.validate()?;
        if let Some(beta) = request.beta {
            crate::model::check_beta(request.architecture, beta)
                .map_err(TrainingError::InvalidConfig)?;
        }
        if train.is_empty() {
            return Err(TrainingError::InvalidConfig(NO_TRAINING_SUBSET.into()));
        }
        if request.train_images == 0 || request.train_images > train.len() {
            return Err(TrainingError::InvalidConfig(format!(
                "use between 1 and {} training images, not {}",
                train.len(),
                request.train_images
            )));
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn start(
        request: TrainRequest,
        model: Autoencoder,
        epochs_done: usize,
        samples: Vec<usize>,
        device: &Device,
        now_ms: f64,
        every: ReportEvery,
    ) -> Result<Self, TrainingError> {
        let mut trainer = Trainer::new(model, request.train_images, request.training, device)?;
        trainer.skip_epochs(epochs_done)?;
        Ok(Self {
            steps_before: trainer.steps_done(),
            request,
            trainer,
            device: device.clone(),
            meter: ProgressMeter::start(now_ms, LOSS_SMOOTHING),
            every,
            last_reconstruction_ms: f64::NEG_INFINITY,
            samples,
            last_test_loss: None,
            last_train_loss: None,
            epoch_losses: Vec::new(),
            watched: false,
            recording: None,
        })
    }

    /// Computes each step on `copies` copies of the model at once, each on its part of the
    /// batch (data-parallel training, [`crate::training::data_parallel`]): the threaded page's
    /// `?copies=` on its kernel threads.
    #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
    pub fn with_copies(mut self, copies: DataParallel) -> Result<Self, TrainingError> {
        self.trainer = self.trainer.with_copies(copies)?;
        Ok(self)
    }

    /// The codes recorded for the latent map through the epochs, taken out of the run.
    pub fn take_recording(&mut self) -> Option<EpochRecording> {
        self.recording.take()
    }

    /// Watched step by step (a single step, slow motion): every step reads its loss back
    /// and reports progress and reconstructions; unwatched, every `every` milliseconds.
    pub fn watch_every_step(&mut self, watched: bool) {
        self.watched = watched;
    }

    /// The model as it is now, for inference or a checkpoint.
    pub fn model(&self) -> Autoencoder {
        self.trainer.model().valid()
    }

    /// The losses of the epochs a resumed run did before (from its checkpoint).
    pub fn record_past_epochs(&mut self, losses: Vec<EpochLoss>) {
        self.epoch_losses.splice(0..0, losses);
    }

    /// Every completed epoch's losses so far.
    pub fn epoch_losses(&self) -> &[EpochLoss] {
        &self.epoch_losses
    }

    /// The record a checkpoint of the run as it is now carries.
    /// The run as its checkpoint records it; `id` is the run's ([`InterruptedRun::id`]).
    pub fn interrupted_run(&self, id: &str) -> InterruptedRun {
        InterruptedRun {
            id: id.to_string(),
            request: self.request.clone(),
            epochs_done: self.epochs_done(),
            epoch_losses: self.epoch_losses.clone(),
        }
    }

    /// Completed epochs.
    pub fn epochs_done(&self) -> usize {
        self.trainer.epoch()
    }

    pub fn request(&self) -> &TrainRequest {
        &self.request
    }

    pub fn steps_per_epoch(&self) -> usize {
        self.trainer.steps_per_epoch()
    }

    pub fn total_steps(&self) -> usize {
        self.trainer.total_steps()
    }

    pub fn steps_done(&self) -> usize {
        self.trainer.steps_done()
    }

    pub fn is_finished(&self) -> bool {
        self.trainer.is_finished()
    }

    /// The progress figures as of `now_ms`.
    pub fn progress(&self, now_ms: f64) -> TrainingProgress {
        self.meter.progress(now_ms, self.position())
    }

    fn position(&self) -> RunPosition {
        RunPosition::of(&self.trainer, self.steps_before)
    }

    /// Runs one optimizer step on `train` and returns what to tell the page. At the end of an
    /// epoch the test subset is scored. `now` gives the time in milliseconds.
    pub async fn step(
        &mut self,
        train: &MnistSet,
        test: &MnistSet,
        now: impl Fn() -> f64,
    ) -> Result<Vec<FromEngine>, TrainingError> {
        let mut events = Vec::new();
        if self.recording.is_none() && !self.trainer.is_finished() {
            // The map before this run's first step (epoch 0, or where a resumed run starts).
            let mut recording =
                EpochRecording::new(test, self.request.training.epochs, self.request.latent_dim);
            let model = self.trainer.model().valid();
            recording
                .record(
                    self.trainer.epoch(),
                    self.trainer.steps_done(),
                    &model,
                    &self.device,
                )
                .await?;
            self.recording = Some(recording);
        }
        let Some(report) = self.trainer.step(train) else {
            return Ok(events);
        };
        self.meter.count_images(report.batch_len);
        let progress_due = self.watched
            || report.epoch_finished
            || self.meter.is_due(now(), self.every.progress_ms);
        if progress_due && let Some((loss, steps)) = self.trainer.take_recent_loss().await? {
            self.meter.record_loss(loss, steps, report.epoch + 1)?;
        }
        if report.epoch_finished {
            let train_loss = self
                .trainer
                .take_epoch_loss()
                .await?
                .expect("an epoch just finished");
            let test_loss = evaluate(self.trainer.model(), test, EVAL_BATCH, &self.device)
                .await?
                .loss;
            self.last_train_loss = Some(train_loss);
            self.last_test_loss = Some(test_loss);
            if let Some(recording) = &mut self.recording {
                let model = self.trainer.model().valid();
                recording
                    .record(
                        report.epoch + 1,
                        self.trainer.steps_done(),
                        &model,
                        &self.device,
                    )
                    .await?;
            }
            self.epoch_losses.push(EpochLoss {
                epoch: report.epoch + 1,
                train_loss,
                test_loss,
            });
            events.push(FromEngine::EpochDone {
                epoch: report.epoch + 1,
                train_loss,
                test_loss,
            });
        } else if self.watched
            && self
                .trainer
                .steps_done()
                .is_multiple_of(STEP_SNAPSHOT_EVERY)
        {
            // Watched step by step, the map moves between epochs too.
            if let Some(recording) = &mut self.recording {
                let model = self.trainer.model().valid();
                recording
                    .record_between_epochs(
                        report.epoch,
                        self.trainer.steps_done(),
                        &model,
                        &self.device,
                    )
                    .await?;
            }
        }
        let t = now();
        if self.watched
            || report.epoch_finished
            || t - self.last_reconstruction_ms >= self.every.reconstructions_ms
        {
            events.push(self.reconstructions(test).await?);
            self.last_reconstruction_ms = t;
        }
        if progress_due {
            events.push(FromEngine::Progress(self.meter.report(t, self.position())));
        }
        Ok(events)
    }

    /// The sample digits as the model now reconstructs them.
    pub async fn reconstructions(&self, test: &MnistSet) -> Result<FromEngine, TrainingError> {
        let pixels = if self.samples.is_empty() {
            Vec::new()
        } else {
            let model = self.trainer.model().valid();
            pixels_to_bytes(&reconstruct(&model, test, &self.samples, &self.device).await?)
        };
        Ok(FromEngine::Reconstructions {
            step: self.steps_done(),
            pixels,
        })
    }

    /// Ends the run: the model for inference and the manifest its weight file will carry.
    /// A run stopped mid-epoch is scored on the test subset now.
    pub async fn finish(
        self,
        test: &MnistSet,
    ) -> Result<(Autoencoder, WeightsManifest), TrainingError> {
        let mid_epoch = !self
            .trainer
            .steps_done()
            .is_multiple_of(self.trainer.steps_per_epoch())
            || self.last_test_loss.is_none();
        let model = self.model();
        let test_loss = if mid_epoch && self.meter.images_done() > 0 {
            Some(evaluate(&model, test, EVAL_BATCH, &self.device).await?.loss)
        } else {
            self.last_test_loss
        };
        let manifest = self.manifest(&model, test_loss);
        Ok((model, manifest))
    }

    /// The manifest of `model` as this run made it so far.
    pub fn manifest(&self, model: &Autoencoder, test_loss: Option<f32>) -> WeightsManifest {
        let mut manifest = WeightsManifest::new(
            ModelSpec::Autoencoder {
                architecture: model.architecture(),
                latent_dim: model.latent_dim(),
            },
            param_count(model),
        );
        let mut training = self.request.training;
        training.epochs = self.trainer.epoch();
        manifest.training = Some(training);
        manifest.train_images = Some(self.request.train_images);
        manifest.train_loss = self.last_train_loss;
        manifest.test_loss = test_loss;
        // A VAE's objective, its test loss, depends on β: the list and the tables need it.
        manifest.beta = model.beta();
        manifest.notes = Some(format!(
            "trained in Latent Lab's page: {} of {} steps, {} bundled training images",
            self.steps_done(),
            self.total_steps(),
            self.request.train_images
        ));
        manifest
    }

    /// The test loss of the last completed epoch.
    pub fn last_test_loss(&self) -> Option<f32> {
        self.last_test_loss
    }
}

impl Pausable for TrainingSession {
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
