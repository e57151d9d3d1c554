//! The shallow variant: one convolution each way.
//!
//! Encoder: Conv(1→18, k5, s4) → BN → ReLU → flatten(648) → Linear(648→d) → ReLU.
//! Decoder: Linear(d→648) (no activation, as in the report) → reshape(18,6,6)
//! → ConvT(18→1, k5, s4, op3) → Sigmoid.

use burn::nn::conv::ConvTranspose2d;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{relu, sigmoid};

use super::blocks::{ConvBnRelu, ConvSpec, code_layer, flatten};

const CONV1: ConvSpec = ConvSpec::new(1, 18, 5, 4);
const DECONV1: ConvSpec = ConvSpec::new(18, 1, 5, 4).output_padding(3);
const FEATURES: [usize; 3] = [18, 6, 6];
const FLAT: usize = 18 * 6 * 6;

#[derive(Config, Debug)]
pub struct OneLayerAutoencoderConfig {
    pub latent_dim: usize,
}

impl OneLayerAutoencoderConfig {
    pub fn init(&self, device: &Device) -> OneLayerAutoencoder {
        OneLayerAutoencoder {
            encoder: OneLayerEncoder {
                conv1: ConvBnRelu::new(CONV1, device),
                latent: code_layer(FLAT, self.latent_dim, device),
            },
            decoder: OneLayerDecoder {
                expand: LinearConfig::new(self.latent_dim, FLAT).init(device),
                deconv1: DECONV1.conv_transpose(device),
            },
        }
    }
}

#[derive(Module, Debug)]
pub struct OneLayerEncoder {
    pub conv1: ConvBnRelu,
    pub latent: Linear,
}

impl OneLayerEncoder {
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        relu(self.latent.forward(flatten(self.conv1.forward(images))))
    }
}

#[derive(Module, Debug)]
pub struct OneLayerDecoder {
    pub expand: Linear,
    pub deconv1: ConvTranspose2d,
}

impl OneLayerDecoder {
    pub fn forward(&self, codes: Tensor<2>) -> Tensor<4> {
        let batch = codes.dims()[0];
        let [c, h, w] = FEATURES;
        let x = self.expand.forward(codes).reshape([batch, c, h, w]);
        sigmoid(self.deconv1.forward(x))
    }
}

#[derive(Module, Debug)]
pub struct OneLayerAutoencoder {
    pub encoder: OneLayerEncoder,
    pub decoder: OneLayerDecoder,
}
