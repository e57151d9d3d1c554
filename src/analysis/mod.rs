//! What the trained models say: latent codes, their correlations, interpolations.

mod codes;
mod interpolation;
mod pearson;

pub use codes::{encode_set, reconstruct};
pub use interpolation::{interpolate_codes, interpolation_alphas, interpolation_strip};
pub use pearson::{DecorrelationStats, decorrelation, pearson_matrix};
