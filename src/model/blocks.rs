//! The layers every architecture repeats: convolution → BatchNorm → ReLU, and its transpose.

use burn::module::Param;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::relu;

use crate::training::data_parallel::batch_norm;

/// Shape of one (transposed) convolution: channels, square kernel, stride and padding.
#[derive(Debug, Clone, Copy)]
pub struct ConvSpec {
    pub channels_in: usize,
    pub channels_out: usize,
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
    /// Extra rows and columns on one side of a transposed convolution's output.
    pub output_padding: usize,
}

impl ConvSpec {
    pub const fn new(
        channels_in: usize,
        channels_out: usize,
        kernel: usize,
        stride: usize,
    ) -> Self {
        Self {
            channels_in,
            channels_out,
            kernel,
            stride,
            padding: 0,
            output_padding: 0,
        }
    }

    pub const fn padding(mut self, padding: usize) -> Self {
        self.padding = padding;
        self
    }

    pub const fn output_padding(mut self, output_padding: usize) -> Self {
        self.output_padding = output_padding;
        self
    }

    pub fn conv(&self, device: &Device) -> Conv2d {
        let p = self.padding;
        Conv2dConfig::new(
            [self.channels_in, self.channels_out],
            [self.kernel, self.kernel],
        )
        .with_stride([self.stride, self.stride])
        .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
        .init(device)
    }

    pub fn conv_transpose(&self, device: &Device) -> ConvTranspose2d {
        ConvTranspose2dConfig::new(
            [self.channels_in, self.channels_out],
            [self.kernel, self.kernel],
        )
        .with_stride([self.stride, self.stride])
        .with_padding([self.padding, self.padding])
        .with_padding_out([self.output_padding, self.output_padding])
        .init(device)
    }
}

/// Conv2d → BatchNorm2d → ReLU.
#[derive(Module, Debug)]
pub struct ConvBnRelu {
    pub conv: Conv2d,
    pub norm: BatchNorm,
}

impl ConvBnRelu {
    pub fn new(spec: ConvSpec, device: &Device) -> Self {
        Self {
            conv: spec.conv(device),
            norm: BatchNormConfig::new(spec.channels_out).init(device),
        }
    }

    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        relu(batch_norm(&self.norm, self.conv.forward(x)))
    }
}

/// ConvTranspose2d → BatchNorm2d → ReLU.
#[derive(Module, Debug)]
pub struct DeconvBnRelu {
    pub deconv: ConvTranspose2d,
    pub norm: BatchNorm,
}

impl DeconvBnRelu {
    pub fn new(spec: ConvSpec, device: &Device) -> Self {
        Self {
            deconv: spec.conv_transpose(device),
            norm: BatchNormConfig::new(spec.channels_out).init(device),
        }
    }

    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        relu(batch_norm(&self.norm, self.deconv.forward(x)))
    }
}

/// `[B, C, H, W]` → `[B, C·H·W]`, channel-major as in PyTorch.
pub fn flatten(x: Tensor<4>) -> Tensor<2> {
    x.flatten(1, 3)
}

/// Initial bias of every code unit (the Linear just before the code's ReLU). burn's default,
/// like PyTorch's, draws it from ±1/√fan_in; with Adam at 1e-3 the first steps then push many
/// code units below zero for every image, where a ReLU gets no gradient and stays dead: the
/// latent size 1 model output one mean digit in 2 of 3 seeds, and 4 to 12 of 20 units died at
/// latent size 20 (`results/seeds/`). Starting every unit at +1 keeps them firing (0 of 6
/// seeds dead at latent size 1 on a short run; see `docs/dead-units.md`).
pub const CODE_BIAS_INIT: f32 = 1.0;

/// The Linear that makes the code (a ReLU follows it), with the bias at [`CODE_BIAS_INIT`].
pub fn code_layer(features: usize, latent_dim: usize, device: &Device) -> Linear {
    let mut layer = LinearConfig::new(features, latent_dim).init(device);
    layer.bias = Some(Param::from_tensor(Tensor::full(
        [latent_dim],
        CODE_BIAS_INIT,
        device,
    )));
    layer
}
