//! Transfer learning: the three-layer encoder followed by an MLP that outputs ten logits.
//!
//! MLP: Linear(d→50) → ReLU → Linear(50→100) → ReLU → Linear(100→10). No softmax here: the
//! loss is cross-entropy on logits (a softmax before it is what kept the report at 2.30).

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;

use super::three_layer::ThreeLayerEncoder;

pub const NUM_CLASSES: usize = 10;

#[derive(Config, Debug)]
pub struct ClassifierConfig {
    #[config(default = 20)]
    pub latent_dim: usize,
}

impl ClassifierConfig {
    /// A classifier with a freshly initialised encoder.
    pub fn init(&self, device: &Device) -> Classifier {
        self.init_with_encoder(ThreeLayerEncoder::new(self.latent_dim, device), device)
    }

    /// A classifier on top of an existing (pretrained) encoder.
    pub fn init_with_encoder(&self, encoder: ThreeLayerEncoder, device: &Device) -> Classifier {
        Classifier {
            encoder,
            head: MlpHead {
                hidden1: LinearConfig::new(self.latent_dim, 50).init(device),
                hidden2: LinearConfig::new(50, 100).init(device),
                output: LinearConfig::new(100, NUM_CLASSES).init(device),
            },
        }
    }
}

#[derive(Module, Debug)]
pub struct MlpHead {
    pub hidden1: Linear,
    pub hidden2: Linear,
    pub output: Linear,
}

impl MlpHead {
    pub fn forward(&self, codes: Tensor<2>) -> Tensor<2> {
        let x = relu(self.hidden1.forward(codes));
        let x = relu(self.hidden2.forward(x));
        self.output.forward(x)
    }
}

#[derive(Module, Debug)]
pub struct Classifier {
    pub encoder: ThreeLayerEncoder,
    pub head: MlpHead,
}

impl Classifier {
    /// `[B, 1, 28, 28]` → `[B, 10]` logits.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        self.head.forward(self.encoder.forward(images))
    }
}
