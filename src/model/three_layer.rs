//! The deep variant: three convolutions each way. Its encoder is also the classifier's.
//!
//! Encoder: Conv(1→9, k3, s2, p1) → BN → ReLU → Conv(9→18, k3, s2, p1) → BN → ReLU
//! → Conv(18→36, k3, s2, p0) → BN → ReLU → flatten(324) → Linear(324→d) → ReLU.
//! Decoder: Linear(d→324) → ReLU → reshape(36,3,3) → ConvT(36→18, k3, s2) → BN → ReLU
//! → ConvT(18→9, k3, s2, p1, op1) → BN → ReLU → ConvT(9→1, k3, s2, p1, op1) → Sigmoid.
//! (The report's padding 1 on the third convolution cannot give 324 features; these values do.)

use burn::nn::conv::ConvTranspose2d;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{relu, sigmoid};

use super::blocks::{ConvBnRelu, ConvSpec, DeconvBnRelu, code_layer, flatten};

const CONV1: ConvSpec = ConvSpec::new(1, 9, 3, 2).padding(1);
const CONV2: ConvSpec = ConvSpec::new(9, 18, 3, 2).padding(1);
const CONV3: ConvSpec = ConvSpec::new(18, 36, 3, 2);
const DECONV1: ConvSpec = ConvSpec::new(36, 18, 3, 2);
const DECONV2: ConvSpec = ConvSpec::new(18, 9, 3, 2).padding(1).output_padding(1);
const DECONV3: ConvSpec = ConvSpec::new(9, 1, 3, 2).padding(1).output_padding(1);
const FEATURES: [usize; 3] = [36, 3, 3];
const FLAT: usize = 36 * 3 * 3;

#[derive(Config, Debug)]
pub struct ThreeLayerAutoencoderConfig {
    pub latent_dim: usize,
}

impl ThreeLayerAutoencoderConfig {
    pub fn init(&self, device: &Device) -> ThreeLayerAutoencoder {
        ThreeLayerAutoencoder {
            encoder: ThreeLayerEncoder::new(self.latent_dim, device),
            decoder: ThreeLayerDecoder {
                expand: LinearConfig::new(self.latent_dim, FLAT).init(device),
                deconv1: DeconvBnRelu::new(DECONV1, device),
                deconv2: DeconvBnRelu::new(DECONV2, device),
                deconv3: DECONV3.conv_transpose(device),
            },
        }
    }
}

#[derive(Module, Debug)]
pub struct ThreeLayerEncoder {
    pub conv1: ConvBnRelu,
    pub conv2: ConvBnRelu,
    pub conv3: ConvBnRelu,
    pub latent: Linear,
}

impl ThreeLayerEncoder {
    pub fn new(latent_dim: usize, device: &Device) -> Self {
        Self {
            conv1: ConvBnRelu::new(CONV1, device),
            conv2: ConvBnRelu::new(CONV2, device),
            conv3: ConvBnRelu::new(CONV3, device),
            latent: code_layer(FLAT, latent_dim, device),
        }
    }

    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let x = self
            .conv3
            .forward(self.conv2.forward(self.conv1.forward(images)));
        relu(self.latent.forward(flatten(x)))
    }
}

#[derive(Module, Debug)]
pub struct ThreeLayerDecoder {
    pub expand: Linear,
    pub deconv1: DeconvBnRelu,
    pub deconv2: DeconvBnRelu,
    pub deconv3: ConvTranspose2d,
}

impl ThreeLayerDecoder {
    pub fn forward(&self, codes: Tensor<2>) -> Tensor<4> {
        let batch = codes.dims()[0];
        let [c, h, w] = FEATURES;
        let x = relu(self.expand.forward(codes)).reshape([batch, c, h, w]);
        let x = self.deconv2.forward(self.deconv1.forward(x));
        sigmoid(self.deconv3.forward(x))
    }
}

#[derive(Module, Debug)]
pub struct ThreeLayerAutoencoder {
    pub encoder: ThreeLayerEncoder,
    pub decoder: ThreeLayerDecoder,
}
