//! What the trained models say: latent codes, their correlations, interpolations; and what a
//! linear code of the same size would reconstruct.

mod codes;
mod epoch_maps;
mod histogram;
mod interpolation;
mod linear_baseline;
mod nearest_data;
mod pca;
mod pearson;
mod procrustes;

pub(crate) use codes::read_floats;
pub use codes::{encode_set, reconstruct};
pub use epoch_maps::{EpochMaps, StableAxes, epoch_maps};
pub use histogram::{Histogram, coordinate_histograms};
pub use interpolation::{
    interpolate_codes, interpolation_alphas, interpolation_between, interpolation_strip,
};
pub use linear_baseline::{
    LinearBaselineEntry, LinearBaselines, linear_baselines, loss_of_mean_digit, mean_digit,
    mean_digit_loss, symmetric_eigen,
};
pub use nearest_data::{
    alphas_past_ends, is_extrapolation, nearest_data_distances, relative_nearest_data_distances,
    typical_neighbour_distance,
};
pub use pca::{Projection, pca, pca_of_scatter};
pub use pearson::{
    DecorrelationStats, Scatter, decorrelation, decorrelation_of_matrix, pearson_matrix,
    pearson_of_scatter,
};
pub use procrustes::{align_to, mean_displacement, procrustes_rotation};
