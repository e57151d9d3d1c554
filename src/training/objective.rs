//! What each kind of model minimises on a batch, and how it is scored.

use burn::nn::loss::{CrossEntropyLossConfig, MseLoss, Reduction};
use burn::prelude::*;

use crate::data::{MnistSet, images_to_tensor, labels_to_tensor};
use crate::model::{Autoencoder, Classifier};

/// A model that can be trained on MNIST batches.
pub trait Objective: Module + Sized {
    /// Mean loss over the batch `indices` of `set` (a one-element tensor).
    fn batch_loss(&self, set: &MnistSet, indices: &[usize], device: &Device) -> Tensor<1>;

    /// Number of correct predictions in the batch, for models that predict labels.
    fn batch_correct(
        &self,
        _set: &MnistSet,
        _indices: &[usize],
        _device: &Device,
    ) -> Option<Tensor<1, Int>> {
        None
    }
}

/// Autoencoders: mean squared error averaged over every pixel of the batch.
impl Objective for Autoencoder {
    fn batch_loss(&self, set: &MnistSet, indices: &[usize], device: &Device) -> Tensor<1> {
        let images = images_to_tensor(set, indices, device);
        let output = self.forward(images.clone());
        MseLoss::new()
            .forward(output, images, Reduction::Mean)
            .reshape([1])
    }
}

/// Classifiers: cross-entropy on logits.
impl Objective for Classifier {
    fn batch_loss(&self, set: &MnistSet, indices: &[usize], device: &Device) -> Tensor<1> {
        let images = images_to_tensor(set, indices, device);
        let labels = labels_to_tensor(set, indices, device);
        let logits = self.forward(images);
        CrossEntropyLossConfig::new()
            .init(device)
            .forward(logits, labels)
            .reshape([1])
    }

    fn batch_correct(
        &self,
        set: &MnistSet,
        indices: &[usize],
        device: &Device,
    ) -> Option<Tensor<1, Int>> {
        let images = images_to_tensor(set, indices, device);
        let labels = labels_to_tensor(set, indices, device);
        let predicted = self.forward(images).argmax(1).reshape([indices.len()]);
        Some(predicted.equal(labels).int().sum())
    }
}
