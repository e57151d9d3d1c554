//! A variational autoencoder on the exercise's two-layer architecture (issue 20): the classic
//! next lesson after a plain autoencoder whose latent space interpolates badly in places.
//!
//! Encoder: the two-layer model's convolutions → flatten(900) → two Linear(900→d), the mean μ
//! and the log-variance log σ² of a Gaussian over the code (no ReLU: a Gaussian code has both
//! signs). Training decodes z = μ + σ·ε with ε ~ N(0, I) (the reparameterisation trick);
//! evaluation and every view use μ as the code. Decoder: the two-layer model's.
//!
//! The loss per image, divided by its 784 pixels so that the reconstruction term stays the
//! exercise's per-pixel MSE: `MSE + β · KL(N(μ, σ²) ‖ N(0, I)) / 784`. With β = 1 that is the
//! negative evidence lower bound (up to a constant) of a decoder whose pixels are Gaussian with
//! variance ½, per pixel.

use burn::nn::loss::{MseLoss, Reduction};
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;

use super::blocks::ConvBnRelu;
use super::two_layer::{FEATURES_FLAT, TwoLayerDecoder, encoder_convolutions, features};

/// Pixels per image: the KL term is divided by it to sit beside a per-pixel MSE.
const PIXELS: usize = 28 * 28;

/// The KL weight β of a new model.
pub const DEFAULT_BETA: f32 = 1.0;

#[derive(Config, Debug)]
pub struct VariationalAutoencoderConfig {
    pub latent_dim: usize,
    #[config(default = 1.0)]
    pub beta: f32,
}

impl VariationalAutoencoderConfig {
    pub fn init(&self, device: &Device) -> VariationalAutoencoder {
        let (conv1, conv2) = encoder_convolutions(device);
        VariationalAutoencoder {
            encoder: GaussianEncoder {
                conv1,
                conv2,
                mean: LinearConfig::new(FEATURES_FLAT, self.latent_dim).init(device),
                log_variance: LinearConfig::new(FEATURES_FLAT, self.latent_dim).init(device),
            },
            decoder: TwoLayerDecoder::new(self.latent_dim, device),
            beta: self.beta,
        }
    }
}

#[derive(Module, Debug)]
pub struct GaussianEncoder {
    pub conv1: ConvBnRelu,
    pub conv2: ConvBnRelu,
    pub mean: Linear,
    pub log_variance: Linear,
}

impl GaussianEncoder {
    /// `[B, 1, 28, 28]` images → the code's mean and log-variance, each `[B, d]`.
    pub fn forward(&self, images: Tensor<4>) -> (Tensor<2>, Tensor<2>) {
        let x = features(&self.conv1, &self.conv2, images);
        (self.mean.forward(x.clone()), self.log_variance.forward(x))
    }
}

#[derive(Module, Debug)]
pub struct VariationalAutoencoder {
    pub encoder: GaussianEncoder,
    pub decoder: TwoLayerDecoder,
    /// The KL term's weight β (a constant of the module: not a parameter, not in the file's
    /// tensors; the manifest's training settings carry it).
    pub beta: f32,
}

impl VariationalAutoencoder {
    /// The loss on `images` with the codes drawn as μ + σ·`noise` (`noise`: `[B, d]` standard
    /// normal draws), or at the mean μ itself without noise (evaluation).
    pub fn loss(&self, images: Tensor<4>, noise: Option<Tensor<2>>) -> Tensor<1> {
        let (mean, log_variance) = self.encoder.forward(images.clone());
        let codes = match noise {
            Some(noise) => mean.clone() + log_variance.clone().mul_scalar(0.5).exp() * noise,
            None => mean.clone(),
        };
        let reconstruction = self.decoder.forward(codes);
        vae_loss(reconstruction, images, mean, log_variance, self.beta)
    }
}

/// KL(N(μ, diag σ²) ‖ N(0, I)) per row: `−½ Σⱼ (1 + log σⱼ² − μⱼ² − σⱼ²)`, `[B, d]` → `[B]`.
pub fn gaussian_kl(mean: Tensor<2>, log_variance: Tensor<2>) -> Tensor<1> {
    let batch = mean.dims()[0];
    let terms = log_variance.clone().add_scalar(1.0) - mean.powi_scalar(2) - log_variance.exp();
    terms.sum_dim(1).reshape([batch]).mul_scalar(-0.5)
}

/// Per-pixel MSE of the reconstruction plus β × the batch's mean KL per pixel (a one-element
/// tensor).
pub fn vae_loss(
    reconstruction: Tensor<4>,
    images: Tensor<4>,
    mean: Tensor<2>,
    log_variance: Tensor<2>,
    beta: f32,
) -> Tensor<1> {
    let mse = MseLoss::new()
        .forward(reconstruction, images, Reduction::Mean)
        .reshape([1]);
    let kl = gaussian_kl(mean, log_variance).mean();
    mse + kl.mul_scalar(beta / PIXELS as f32)
}

/// `count` draws of a standard normal (Box–Muller on the lab's seeded generator): the same
/// draws natively and in the browser, on every backend.
pub fn standard_normal(rng: &mut crate::rng::SplitMix64, count: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(count + 1);
    while out.len() < count {
        // Uniforms in (0, 1]: 53 random bits, never 0, so the logarithm is finite.
        let u1 = ((rng.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64;
        let u2 = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let radius = (-2.0 * u1.ln()).sqrt();
        let angle = std::f64::consts::TAU * u2;
        out.push((radius * angle.cos()) as f32);
        out.push((radius * angle.sin()) as f32);
    }
    out.truncate(count);
    out
}
