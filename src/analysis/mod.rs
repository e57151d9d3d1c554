//! What the trained models say: latent codes, their correlations, interpolations.

mod codes;
mod histogram;
mod interpolation;
mod pca;
mod pearson;

pub(crate) use codes::read_floats;
pub use codes::{encode_set, reconstruct};
pub use histogram::{Histogram, coordinate_histograms};
pub use interpolation::{
    interpolate_codes, interpolation_alphas, interpolation_between, interpolation_strip,
};
pub use pca::{Projection, pca, pca_of_scatter};
pub use pearson::{
    DecorrelationStats, Scatter, decorrelation, decorrelation_of_matrix, pearson_matrix,
    pearson_of_scatter,
};
