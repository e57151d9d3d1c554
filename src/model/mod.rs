//! The exercise's models: three autoencoder architectures and the transfer classifier.

mod blocks;
mod classifier;
mod one_layer;
mod readback;
mod three_layer;
mod two_layer;
mod vae;

use std::fmt;
use std::str::FromStr;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

pub use blocks::CODE_BIAS_INIT;
pub use classifier::{Classifier, ClassifierConfig, MlpHead, NUM_CLASSES};
pub use one_layer::{OneLayerAutoencoder, OneLayerAutoencoderConfig};
pub use readback::copy_to_device_async;
pub use three_layer::{ThreeLayerAutoencoder, ThreeLayerAutoencoderConfig, ThreeLayerEncoder};
pub use two_layer::{TwoLayerAutoencoder, TwoLayerAutoencoderConfig};
pub use vae::{
    DEFAULT_BETA, GaussianEncoder, VariationalAutoencoder, VariationalAutoencoderConfig,
    gaussian_kl, standard_normal, vae_loss,
};

/// Number of learned parameters, as PyTorch's `parameters()` counts them: weights, biases and
/// BatchNorm's γ and β, but not BatchNorm's running statistics (buffers, not parameters), which
/// burn's `num_params` includes.
pub fn param_count<M: Module>(module: &M) -> usize {
    struct Count {
        path: Vec<String>,
        total: usize,
    }
    impl burn::module::ModuleVisitor for Count {
        fn enter_module(&mut self, name: &str, _container_type: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _name: &str, _container_type: &str) {
            self.path.pop();
        }
        fn visit_float<const D: usize>(&mut self, param: &burn::module::Param<Tensor<D>>) {
            let buffer = self
                .path
                .last()
                .is_some_and(|name| name.starts_with("running_"));
            if !buffer {
                self.total += param.lazy_shape().num_elements();
            }
        }
    }
    let mut count = Count {
        path: Vec::new(),
        total: 0,
    };
    module.visit(&mut count);
    count.total
}

/// The largest latent size the lab builds, everywhere: the training form, weight files, stored
/// records, protocol messages and the command's flags. 1,000 is ten times the exercise's
/// largest; past it a model's code layer alone is tens of megabytes.
pub const MAX_LATENT_DIM: usize = 1000;

/// Checks a latent size against the one limit; the error says the accepted range.
pub fn check_latent_dim(latent_dim: usize) -> Result<usize, String> {
    if (1..=MAX_LATENT_DIM).contains(&latent_dim) {
        Ok(latent_dim)
    } else {
        Err(format!(
            "latent size {latent_dim} is out of range: it must be between 1 and {MAX_LATENT_DIM}"
        ))
    }
}

/// The largest KL weight β a run may ask for: far past where the code stops carrying the
/// image (β of a few already blurs every digit to its class mean).
pub const MAX_BETA: f32 = 100.0;

/// Checks a KL weight for `architecture`: only the variational autoencoder has one, and it is
/// a number from 0 to [`MAX_BETA`].
pub fn check_beta(architecture: Architecture, beta: f32) -> Result<f32, String> {
    if !architecture.is_variational() {
        return Err(format!(
            "β weighs the KL term of a variational autoencoder; the {architecture} model has none"
        ));
    }
    if (0.0..=MAX_BETA).contains(&beta) {
        Ok(beta)
    } else {
        Err(format!(
            "β must be a number from 0 to {MAX_BETA}, not {beta}"
        ))
    }
}

/// The latent sizes of the exercise's sweep.
pub const LATENT_SIZES: [usize; 6] = [1, 5, 10, 20, 50, 100];

/// The exercise's autoencoders, by the number of convolution layers on each side of the
/// code, and the variational autoencoder on the two-layer one (issue 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    OneLayer,
    TwoLayer,
    ThreeLayer,
    /// Two convolutions each way around a Gaussian code ([`VariationalAutoencoder`]).
    Vae,
}

impl Architecture {
    /// Every architecture the lab trains.
    pub const ALL: [Architecture; 4] = [
        Architecture::OneLayer,
        Architecture::TwoLayer,
        Architecture::ThreeLayer,
        Architecture::Vae,
    ];

    /// The exercise's depth comparison: plain autoencoders with one, two and three layers.
    pub const DEPTHS: [Architecture; 3] = [
        Architecture::OneLayer,
        Architecture::TwoLayer,
        Architecture::ThreeLayer,
    ];

    /// Convolution layers on each side of the code: 1, 2 or 3 (2 for the VAE).
    pub fn layers(self) -> usize {
        match self {
            Architecture::OneLayer => 1,
            Architecture::TwoLayer | Architecture::Vae => 2,
            Architecture::ThreeLayer => 3,
        }
    }

    /// The plain autoencoder with that many layers.
    pub fn from_layers(layers: usize) -> Option<Self> {
        Self::DEPTHS.into_iter().find(|a| a.layers() == layers)
    }

    /// How the training form names it: "2 convolution layers", "variational, 2 convolution layers".
    pub fn label(self) -> String {
        let layers = self.layers();
        let plural = if layers > 1 { "s" } else { "" };
        let conv = format!("{layers} convolution layer{plural}");
        if self.is_variational() {
            format!("variational, {conv}")
        } else {
            conv
        }
    }

    /// What it is, in words, for a sentence: "two-layer autoencoder", "variational autoencoder"
    /// (its id, "vae", is for names and links).
    pub fn noun(self) -> String {
        if self.is_variational() {
            "variational autoencoder".into()
        } else {
            format!("{self} autoencoder")
        }
    }

    /// True for the variational autoencoder, whose code is a Gaussian's mean.
    pub fn is_variational(self) -> bool {
        self == Architecture::Vae
    }

    /// Parameters as a function of the latent size: `fixed + per_latent · d`, derived by hand
    /// from the layer shapes (weights and biases, BatchNorm's γ and β; not its running stats).
    pub fn param_count(self, latent_dim: usize) -> usize {
        // Each latent coordinate costs one row of the encoder's Linear plus its bias, and one
        // column of the decoder's Linear: 2·flat + 1. The VAE's encoder has two such Linears
        // (mean and log-variance): 3·flat + 2.
        const TWO_LAYER_FIXED: usize = 468 + 36 + 5868 + 72 + 900 + 5850 + 36 + 451;
        let (fixed, per_latent) = match self {
            // conv 468 + bn 36 | decoder bias 648 + convT 451
            Architecture::OneLayer => (468 + 36 + 648 + 451, 2 * 648 + 1),
            // conv 468+5868, bn 36+72 | bias 900, convT 5850+451, bn 36
            Architecture::TwoLayer => (TWO_LAYER_FIXED, 2 * 900 + 1),
            // conv 90+1476+5868, bn 18+36+72 | bias 324, convT 5850+1467+82, bn 36+18
            Architecture::ThreeLayer => (
                90 + 18 + 1476 + 36 + 5868 + 72 + 324 + 5850 + 36 + 1467 + 18 + 82,
                2 * 324 + 1,
            ),
            Architecture::Vae => (TWO_LAYER_FIXED, 3 * 900 + 2),
        };
        fixed + per_latent * latent_dim
    }
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Architecture::OneLayer => "one-layer",
            Architecture::TwoLayer => "two-layer",
            Architecture::ThreeLayer => "three-layer",
            Architecture::Vae => "vae",
        };
        f.write_str(name)
    }
}

impl FromStr for Architecture {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "one-layer" | "1" => Ok(Architecture::OneLayer),
            "two-layer" | "2" => Ok(Architecture::TwoLayer),
            "three-layer" | "3" => Ok(Architecture::ThreeLayer),
            "vae" => Ok(Architecture::Vae),
            other => Err(format!(
                "unknown architecture '{other}' (one-layer, two-layer, three-layer or vae)"
            )),
        }
    }
}

/// Which autoencoder and how wide its code is.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub struct AutoencoderConfig {
    pub architecture: Architecture,
    pub latent_dim: usize,
}

impl AutoencoderConfig {
    pub fn init(&self, device: &Device) -> Autoencoder {
        let d = self.latent_dim;
        match self.architecture {
            Architecture::OneLayer => {
                Autoencoder::OneLayer(OneLayerAutoencoderConfig::new(d).init(device))
            }
            Architecture::TwoLayer => {
                Autoencoder::TwoLayer(TwoLayerAutoencoderConfig::new(d).init(device))
            }
            Architecture::ThreeLayer => {
                Autoencoder::ThreeLayer(ThreeLayerAutoencoderConfig::new(d).init(device))
            }
            Architecture::Vae => {
                Autoencoder::Vae(VariationalAutoencoderConfig::new(d).init(device))
            }
        }
    }

    /// A short stable name such as `two-layer-d20`, used for files.
    pub fn name(&self) -> String {
        format!("{}-d{}", self.architecture, self.latent_dim)
    }
}

/// Any of the autoencoders, so that training, analysis and the page handle them alike.
// The variants differ in size by a few kilobytes of layer handles; a model is built once and
// moved rarely, and boxing would not fit burn's Module derive.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Autoencoder {
    OneLayer(OneLayerAutoencoder),
    TwoLayer(TwoLayerAutoencoder),
    ThreeLayer(ThreeLayerAutoencoder),
    Vae(VariationalAutoencoder),
}

impl Autoencoder {
    /// `[B, 1, 28, 28]` images → `[B, d]` codes (non-negative for the plain autoencoders,
    /// whose encoders end in a ReLU; the VAE's code is its Gaussian's mean).
    pub fn encode(&self, images: Tensor<4>) -> Tensor<2> {
        match self {
            Autoencoder::OneLayer(m) => m.encoder.forward(images),
            Autoencoder::TwoLayer(m) => m.encoder.forward(images),
            Autoencoder::ThreeLayer(m) => m.encoder.forward(images),
            Autoencoder::Vae(m) => m.encoder.forward(images).0,
        }
    }

    /// `[B, d]` codes → `[B, 1, 28, 28]` images in `[0, 1]`.
    pub fn decode(&self, codes: Tensor<2>) -> Tensor<4> {
        match self {
            Autoencoder::OneLayer(m) => m.decoder.forward(codes),
            Autoencoder::TwoLayer(m) => m.decoder.forward(codes),
            Autoencoder::ThreeLayer(m) => m.decoder.forward(codes),
            Autoencoder::Vae(m) => m.decoder.forward(codes),
        }
    }

    pub fn forward(&self, images: Tensor<4>) -> Tensor<4> {
        self.decode(self.encode(images))
    }

    /// The Linear whose output is the code (through a ReLU; the VAE's mean).
    pub fn code_layer(&self) -> &burn::nn::Linear {
        match self {
            Autoencoder::OneLayer(m) => &m.encoder.latent,
            Autoencoder::TwoLayer(m) => &m.encoder.latent,
            Autoencoder::ThreeLayer(m) => &m.encoder.latent,
            Autoencoder::Vae(m) => &m.encoder.mean,
        }
    }

    pub fn architecture(&self) -> Architecture {
        match self {
            Autoencoder::OneLayer(_) => Architecture::OneLayer,
            Autoencoder::TwoLayer(_) => Architecture::TwoLayer,
            Autoencoder::ThreeLayer(_) => Architecture::ThreeLayer,
            Autoencoder::Vae(_) => Architecture::Vae,
        }
    }

    pub fn latent_dim(&self) -> usize {
        // burn's Linear stores its weight as [d_input, d_output].
        self.code_layer().weight.dims()[1]
    }

    pub fn config(&self) -> AutoencoderConfig {
        AutoencoderConfig::new(self.architecture(), self.latent_dim())
    }

    /// The VAE's KL weight β; `None` for the plain autoencoders.
    pub fn beta(&self) -> Option<f32> {
        match self {
            Autoencoder::Vae(m) => Some(m.beta),
            _ => None,
        }
    }

    /// Sets the VAE's KL weight β (the plain autoencoders have none: unchanged).
    pub fn with_beta(self, beta: f32) -> Self {
        match self {
            Autoencoder::Vae(m) => Autoencoder::Vae(VariationalAutoencoder { beta, ..m }),
            other => other,
        }
    }

    /// The encoder of a three-layer model, the one transfer learning starts from.
    pub fn three_layer_encoder(&self) -> Option<&ThreeLayerEncoder> {
        match self {
            Autoencoder::ThreeLayer(m) => Some(&m.encoder),
            _ => None,
        }
    }
}
