//! What each kind of model minimises on a batch, and how it is scored.

use burn::nn::loss::{CrossEntropyLossConfig, MseLoss, Reduction};
use burn::prelude::*;

use crate::data::{MnistSet, images_to_tensor, labels_to_tensor};
use crate::model::{Autoencoder, Classifier, standard_normal};
use crate::rng::SplitMix64;

/// A model that can be trained on MNIST batches.
pub trait Objective: Module + Sized + Sync {
    /// Mean loss over the batch `indices` of `set` (a one-element tensor).
    fn batch_loss(&self, set: &MnistSet, indices: &[usize], device: &Device) -> Tensor<1>;

    /// The loss a training step minimises: [`Objective::batch_loss`], except for models that
    /// sample (the VAE draws its codes with `noise`, the trainer's own seeded generator).
    fn training_loss(
        &self,
        set: &MnistSet,
        indices: &[usize],
        device: &Device,
        noise: &mut SplitMix64,
    ) -> Tensor<1> {
        let _ = noise;
        self.batch_loss(set, indices, device)
    }

    /// Whether [`Objective::training_loss`] draws noise (then it is not
    /// [`Objective::batch_loss`], and a batch split between copies of the model would draw
    /// other noise than the whole batch).
    fn samples(&self) -> bool {
        false
    }

    /// Mean loss over the batch and, for models that predict labels, the number of correct
    /// predictions, from one forward pass (in whatever mode the model is in).
    fn batch_eval(
        &self,
        set: &MnistSet,
        indices: &[usize],
        device: &Device,
    ) -> (Tensor<1>, Option<Tensor<1, Int>>) {
        (self.batch_loss(set, indices, device), None)
    }
}

/// Autoencoders: mean squared error averaged over every pixel of the batch. The VAE adds
/// β × its KL term per pixel ([`crate::model::vae_loss`]); evaluated at the code's mean, and
/// trained on codes sampled by the reparameterisation trick.
impl Objective for Autoencoder {
    fn batch_loss(&self, set: &MnistSet, indices: &[usize], device: &Device) -> Tensor<1> {
        let images = images_to_tensor(set, indices, device);
        if let Autoencoder::Vae(vae) = self {
            return vae.loss(images, None);
        }
        let output = self.forward(images.clone());
        MseLoss::new()
            .forward(output, images, Reduction::Mean)
            .reshape([1])
    }

    fn samples(&self) -> bool {
        matches!(self, Autoencoder::Vae(_))
    }

    fn training_loss(
        &self,
        set: &MnistSet,
        indices: &[usize],
        device: &Device,
        noise: &mut SplitMix64,
    ) -> Tensor<1> {
        let Autoencoder::Vae(vae) = self else {
            return self.batch_loss(set, indices, device);
        };
        let shape = [indices.len(), self.latent_dim()];
        let draws = standard_normal(noise, shape[0] * shape[1]);
        let noise = Tensor::<1>::from_floats(draws.as_slice(), device).reshape(shape);
        vae.loss(images_to_tensor(set, indices, device), Some(noise))
    }
}

/// Classifiers: cross-entropy on logits.
impl Objective for Classifier {
    fn batch_loss(&self, set: &MnistSet, indices: &[usize], device: &Device) -> Tensor<1> {
        let labels = labels_to_tensor(set, indices, device);
        let logits = self.forward(images_to_tensor(set, indices, device));
        cross_entropy(logits, labels, device)
    }

    fn batch_eval(
        &self,
        set: &MnistSet,
        indices: &[usize],
        device: &Device,
    ) -> (Tensor<1>, Option<Tensor<1, Int>>) {
        let labels = labels_to_tensor(set, indices, device);
        let logits = self.forward(images_to_tensor(set, indices, device));
        let predicted = logits.clone().argmax(1).reshape([indices.len()]);
        let correct = predicted.equal(labels.clone()).int().sum();
        (cross_entropy(logits, labels, device), Some(correct))
    }
}

fn cross_entropy(logits: Tensor<2>, labels: Tensor<1, Int>, device: &Device) -> Tensor<1> {
    CrossEntropyLossConfig::new()
        .init(device)
        .forward(logits, labels)
        .reshape([1])
}
