//! The exercise's main architecture: two convolutions each way around a latent code of size d.
//!
//! Encoder: Conv(1→18, k5, s2) → BN → ReLU → Conv(18→36, k3, s2) → BN → ReLU → flatten(900)
//! → Linear(900→d) → ReLU. Decoder: Linear(d→900) → ReLU → reshape(36,5,5)
//! → ConvT(36→18, k3, s2, op1) → BN → ReLU → ConvT(18→1, k5, s2, op1) → Sigmoid.

use burn::nn::conv::ConvTranspose2d;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{relu, sigmoid};

use super::blocks::{ConvBnRelu, ConvSpec, DeconvBnRelu, code_layer, flatten};

const CONV1: ConvSpec = ConvSpec::new(1, 18, 5, 2);
const CONV2: ConvSpec = ConvSpec::new(18, 36, 3, 2);
const DECONV1: ConvSpec = ConvSpec::new(36, 18, 3, 2).output_padding(1);
const DECONV2: ConvSpec = ConvSpec::new(18, 1, 5, 2).output_padding(1);
/// 36 channels of 5×5 between the convolutions and the latent layer.
const FEATURES: [usize; 3] = [36, 5, 5];
const FLAT: usize = 36 * 5 * 5;

#[derive(Config, Debug)]
pub struct TwoLayerAutoencoderConfig {
    pub latent_dim: usize,
}

impl TwoLayerAutoencoderConfig {
    pub fn init(&self, device: &Device) -> TwoLayerAutoencoder {
        TwoLayerAutoencoder {
            encoder: {
                let (conv1, conv2) = encoder_convolutions(device);
                TwoLayerEncoder {
                    conv1,
                    conv2,
                    latent: code_layer(FLAT, self.latent_dim, device),
                }
            },
            decoder: TwoLayerDecoder::new(self.latent_dim, device),
        }
    }
}

#[derive(Module, Debug)]
pub struct TwoLayerEncoder {
    pub conv1: ConvBnRelu,
    pub conv2: ConvBnRelu,
    pub latent: Linear,
}

impl TwoLayerEncoder {
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        relu(
            self.latent
                .forward(features(&self.conv1, &self.conv2, images)),
        )
    }
}

/// The two convolutions' output, flattened: `[B, 1, 28, 28]` → `[B, 900]`. Shared with the
/// variational autoencoder, whose code layers start from the same features.
pub(super) fn features(conv1: &ConvBnRelu, conv2: &ConvBnRelu, images: Tensor<4>) -> Tensor<2> {
    flatten(conv2.forward(conv1.forward(images)))
}

/// The two convolution blocks of the encoder, as the variational autoencoder builds them too.
pub(super) fn encoder_convolutions(device: &Device) -> (ConvBnRelu, ConvBnRelu) {
    (
        ConvBnRelu::new(CONV1, device),
        ConvBnRelu::new(CONV2, device),
    )
}

/// The number of features the code layers read.
pub(super) const FEATURES_FLAT: usize = FLAT;

#[derive(Module, Debug)]
pub struct TwoLayerDecoder {
    pub expand: Linear,
    pub deconv1: DeconvBnRelu,
    pub deconv2: ConvTranspose2d,
}

impl TwoLayerDecoder {
    pub(super) fn new(latent_dim: usize, device: &Device) -> Self {
        Self {
            expand: LinearConfig::new(latent_dim, FLAT).init(device),
            deconv1: DeconvBnRelu::new(DECONV1, device),
            deconv2: DECONV2.conv_transpose(device),
        }
    }

    pub fn forward(&self, codes: Tensor<2>) -> Tensor<4> {
        let batch = codes.dims()[0];
        let [c, h, w] = FEATURES;
        let x = relu(self.expand.forward(codes)).reshape([batch, c, h, w]);
        sigmoid(self.deconv2.forward(self.deconv1.forward(x)))
    }
}

#[derive(Module, Debug)]
pub struct TwoLayerAutoencoder {
    pub encoder: TwoLayerEncoder,
    pub decoder: TwoLayerDecoder,
}
