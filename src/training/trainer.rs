//! The step-wise trainer: one optimizer step per call, reshuffled every epoch.

use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::prelude::*;

#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
use super::data_parallel::DataParallel;
/// The copies of a data-parallel trainer, where there can be some.
#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
type Copies = DataParallel;
#[cfg(not(any(not(target_arch = "wasm32"), feature = "threads")))]
type Copies = std::convert::Infallible;
use super::{Objective, TrainingConfig, TrainingError, adam, read_scalar};
use crate::data::MnistSet;
use crate::rng::SplitMix64;

/// What one step did. `loss` is the batch's loss, still on the device: read it only when it
/// will be shown, since every readback waits for the device.
#[derive(Debug, Clone)]
pub struct StepReport {
    /// Epoch of this step, from 0.
    pub epoch: usize,
    /// Step within the epoch, from 0.
    pub step_in_epoch: usize,
    /// Images in this step's batch.
    pub batch_len: usize,
    /// True when this step was the last of its epoch.
    pub epoch_finished: bool,
    pub loss: Tensor<1>,
}

/// Batch losses summed on the device (each loss × its batch size), with the images and steps
/// they came from: a mean over many steps costs one readback.
#[derive(Default)]
struct LossSum {
    sum: Option<Tensor<1>>,
    images: usize,
    steps: usize,
}

impl LossSum {
    fn add(&mut self, weighted: Tensor<1>, batch_len: usize) {
        self.sum = Some(match self.sum.take() {
            Some(sum) => sum + weighted,
            None => weighted,
        });
        self.images += batch_len;
        self.steps += 1;
    }

    /// The mean loss per image; `None` before a step. Waits for the device.
    async fn mean(self) -> Result<Option<f32>, TrainingError> {
        match self.sum {
            Some(sum) if self.images > 0 => Ok(Some(read_scalar(sum).await? / self.images as f32)),
            _ => Ok(None),
        }
    }
}

/// Separates the noise generator's seed from the shuffle's.
const NOISE_STREAM: u64 = 0x6E6F_6973_6500_0001;

pub struct Trainer<M: Objective> {
    /// Always `Some` between calls; taken while the optimizer consumes it.
    model: Option<M>,
    optim: ModuleOptimizer,
    config: TrainingConfig,
    device: Device,
    rng: SplitMix64,
    /// Draws for models that sample (the VAE's codes); apart from `rng`, so that the shuffle
    /// order is the same for every model.
    noise: SplitMix64,
    order: Vec<usize>,
    epoch: usize,
    cursor: usize,
    step_in_epoch: usize,
    /// This epoch's batch losses, kept on the device.
    epoch_loss: LossSum,
    /// The last finished epoch's, until it is read.
    finished_epoch: Option<LossSum>,
    /// The batch losses since [`Trainer::take_recent_loss`] last read them.
    recent_loss: LossSum,
    /// Copies of the model that compute each batch's gradients together, when asked for
    /// ([`Trainer::with_data_parallel`]).
    #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
    data_parallel: Option<DataParallel>,
}

impl<M: Objective> Trainer<M> {
    /// Prepares to train `model` on the first `data_len` images of the set passed to
    /// [`Trainer::step`]. The model moves to `device` with autodiff enabled.
    pub fn new(
        model: M,
        data_len: usize,
        config: TrainingConfig,
        device: &Device,
    ) -> Result<Self, TrainingError> {
        config.validate()?;
        if data_len == 0 {
            return Err(TrainingError::InvalidConfig(
                "the training set is empty".into(),
            ));
        }
        let device = device.clone().autodiff();
        // Re-root the parameters as fresh autodiff leaves, keeping each one's trainable or
        // frozen setting. A plain `to_device` onto the autodiff device would turn parameters
        // that were already materialised there (read, cloned, evaluated) into outputs of a
        // device-copy operation: burn 0.22 then fails at the second backward pass ("graph
        // tape has already been consumed").
        let model = model.valid().to_device(&device.clone().inner()).train();
        let mut rng = SplitMix64::new(config.seed);
        let mut order: Vec<usize> = (0..data_len).collect();
        rng.shuffle(&mut order);
        Ok(Self {
            model: Some(model),
            optim: adam(&device),
            config,
            device,
            rng,
            noise: SplitMix64::new(config.seed ^ NOISE_STREAM),
            order,
            epoch: 0,
            cursor: 0,
            step_in_epoch: 0,
            epoch_loss: LossSum::default(),
            finished_epoch: None,
            recent_loss: LossSum::default(),
            #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
            data_parallel: None,
        })
    }

    /// Computes each batch's gradients on `copies` copies of the model at once, each on its
    /// part of the batch and a thread of its own (data-parallel training,
    /// [`super::data_parallel`]); the steps are the one-copy steps up to float rounding. One
    /// copy trains as before, on the kernels' pool. Models that sample (the VAE) keep the
    /// one-copy step. Only on flex, the CPU engine: a GPU runs the batch whole.
    #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
    pub fn with_data_parallel(self, copies: usize) -> Result<Self, TrainingError> {
        match copies {
            1 => Ok(self),
            n => self.with_copies(DataParallel::new(n)?),
        }
    }

    /// As [`Trainer::with_data_parallel`], on copies whose threads the caller made (a browser
    /// worker's kernel threads).
    #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
    pub fn with_copies(mut self, copies: DataParallel) -> Result<Self, TrainingError> {
        let several = copies.replicas() > 1;
        if several && self.device.clone().inner() != Device::flex() {
            return Err(TrainingError::InvalidConfig(
                "data-parallel training runs on the flex CPU backend only".into(),
            ));
        }
        self.data_parallel = several.then_some(copies);
        Ok(self)
    }

    pub fn config(&self) -> &TrainingConfig {
        &self.config
    }

    pub fn steps_per_epoch(&self) -> usize {
        super::steps_per_epoch(self.order.len(), self.config.batch_size)
    }

    pub fn total_steps(&self) -> usize {
        self.steps_per_epoch() * self.config.epochs
    }

    pub fn steps_done(&self) -> usize {
        self.epoch * self.steps_per_epoch() + self.step_in_epoch
    }

    /// The epoch the next step belongs to, from 0 (equals `epochs` when finished).
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    pub fn is_finished(&self) -> bool {
        self.epoch >= self.config.epochs
    }

    pub fn model(&self) -> &M {
        self.model.as_ref().expect("model is present between steps")
    }

    pub fn into_model(self) -> M {
        self.model.expect("model is present between steps")
    }

    /// Continues a run whose first `epochs` epochs were done before (a checkpoint): the next
    /// step is the first of epoch `epochs`, over the order an uninterrupted run would have
    /// drawn. Adam's moment estimates start afresh. Only before the first step.
    pub fn skip_epochs(&mut self, epochs: usize) -> Result<(), TrainingError> {
        if self.steps_done() != 0 || epochs > self.config.epochs {
            return Err(TrainingError::InvalidConfig(format!(
                "cannot resume at epoch {epochs} of {} after {} steps",
                self.config.epochs,
                self.steps_done()
            )));
        }
        for _ in 0..epochs {
            self.rng.shuffle(&mut self.order);
        }
        self.epoch = epochs;
        Ok(())
    }

    /// Runs one optimizer step on the next batch of `data`, or returns `None` when every epoch
    /// is done.
    pub fn step(&mut self, data: &MnistSet) -> Option<StepReport> {
        #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
        if let Some(copies) = self.data_parallel.take() {
            // The whole step on the first copy's thread, the optimizer's update too: a pool
            // of several threads woken for the update would spin through the next step's
            // parts and take a core from a copy.
            let report = copies.install(|| self.step_with(data, Some(&copies)));
            self.data_parallel = Some(copies);
            return report;
        }
        self.step_with(data, None)
    }

    fn step_with(&mut self, data: &MnistSet, copies: Option<&Copies>) -> Option<StepReport> {
        if self.is_finished() {
            return None;
        }
        let end = (self.cursor + self.config.batch_size).min(self.order.len());
        let indices = &self.order[self.cursor..end];
        let model = self.model.take().expect("model is present between steps");
        let (loss, grads) =
            Self::gradients(&model, data, indices, &self.device, &mut self.noise, copies);
        self.model = Some(self.optim.step(self.config.learning_rate, model, grads));

        let batch_len = indices.len();
        let loss = loss.detach();
        let weighted = loss.clone().mul_scalar(batch_len as f32);
        self.epoch_loss.add(weighted.clone(), batch_len);
        self.recent_loss.add(weighted, batch_len);

        let report = StepReport {
            epoch: self.epoch,
            step_in_epoch: self.step_in_epoch,
            batch_len,
            epoch_finished: end == self.order.len(),
            loss,
        };
        self.cursor = end;
        self.step_in_epoch += 1;
        if report.epoch_finished {
            self.finished_epoch = Some(std::mem::take(&mut self.epoch_loss));
            self.epoch += 1;
            self.cursor = 0;
            self.step_in_epoch = 0;
            self.rng.shuffle(&mut self.order);
        }
        Some(report)
    }

    /// The loss of `model` on the batch `indices` and its gradients: from the copies where
    /// there are some, else on the kernels' pool.
    fn gradients(
        model: &M,
        data: &MnistSet,
        indices: &[usize],
        device: &Device,
        noise: &mut SplitMix64,
        copies: Option<&Copies>,
    ) -> (Tensor<1>, GradientsParams) {
        #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
        if let Some(copies) = copies
            && !model.samples()
        {
            // A copy fails only where the one-copy step would have panicked too (a bug, not
            // bad input: the batch's indices come from the trainer's own shuffle).
            return copies
                .gradients(model, data, indices, device)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let _ = copies; // a build without threads has none
        let loss = model.training_loss(data, indices, device, noise);
        let grads = GradientsParams::from_grads(loss.backward(), model);
        (loss, grads)
    }

    /// The running mean training loss of the epoch that just finished (the mean of its batch
    /// losses, weighted by batch size). Fails if the loss is NaN or infinite.
    pub async fn take_epoch_loss(&mut self) -> Result<Option<f32>, TrainingError> {
        let Some(finished) = self.finished_epoch.take() else {
            return Ok(None);
        };
        let Some(mean) = finished.mean().await? else {
            return Ok(None);
        };
        if !mean.is_finite() {
            return Err(TrainingError::NonFiniteLoss {
                epoch: self.epoch,
                value: mean,
            });
        }
        Ok(Some(mean))
    }

    /// The mean training loss (weighted by batch size) over the steps since it was last taken,
    /// and how many steps that was; `None` before a step. A progress report reads it, so that
    /// its loss stands for every step since the one before, not for the last batch alone.
    /// Reading it waits for the device.
    pub async fn take_recent_loss(&mut self) -> Result<Option<(f32, usize)>, TrainingError> {
        let recent = std::mem::take(&mut self.recent_loss);
        let steps = recent.steps;
        Ok(recent.mean().await?.map(|mean| (mean, steps)))
    }
}
