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
            encoder: TwoLayerEncoder {
                conv1: ConvBnRelu::new(CONV1, device),
                conv2: ConvBnRelu::new(CONV2, device),
                latent: code_layer(FLAT, self.latent_dim, device),
            },
            decoder: TwoLayerDecoder {
                expand: LinearConfig::new(self.latent_dim, FLAT).init(device),
                deconv1: DeconvBnRelu::new(DECONV1, device),
                deconv2: DECONV2.conv_transpose(device),
            },
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
        let x = self.conv2.forward(self.conv1.forward(images));
        relu(self.latent.forward(flatten(x)))
    }
}

#[derive(Module, Debug)]
pub struct TwoLayerDecoder {
    pub expand: Linear,
    pub deconv1: DeconvBnRelu,
    pub deconv2: ConvTranspose2d,
}

impl TwoLayerDecoder {
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
