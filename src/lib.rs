//! Latent Lab: autoencoders on handwritten digits.
//!
//! The core library knows nothing of the browser: models ([`model`]), MNIST data ([`data`]),
//! step-wise training ([`training`]), analyses ([`analysis`]) and weight files ([`weights`]).
//! The native `latent-lab` command and the web page call the same functions.

pub mod analysis;
pub mod backend;
pub mod data;
pub mod engine;
pub mod files;
pub mod model;
pub mod reference;
pub mod results;
pub mod rng;
pub mod training;
pub mod ui;
#[cfg(all(feature = "web", target_arch = "wasm32"))]
pub mod web;
pub mod weights;

pub use backend::BackendKind;
