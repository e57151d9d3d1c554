//! `#/experiments` as data, one topic a file: the latent-sweep table (`sweep`), the depth
//! curves and the report's conclusions on depth (`depth`), and the seed studies (`seeds`).

pub mod depth;
pub mod seeds;
pub mod sweep;
pub mod variational;

pub use depth::{Claim, DEPTH_LATENT_DIM, DepthRow, depth_chart, depth_claims, depth_rows};
pub use seeds::{SeedStudy, seed_verdict};
pub use sweep::{
    BrowserRuns, Losses, SweepRow, browser_runs, linear_code_reading, no_code_test_loss,
    report_above_linear, sweep_chart, sweep_csv, sweep_rows,
};
pub use variational::{VariationalRow, variational_rows};

/// A model of the list as the engine describes it, for the tests of the tables that set this
/// browser's runs beside the reproduction's.
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) fn model_info(
    name: &str,
    architecture: crate::model::Architecture,
    latent_dim: usize,
    origin: crate::engine::ModelOrigin,
    test_loss: Option<f32>,
) -> crate::engine::ModelInfo {
    crate::engine::ModelInfo {
        id: format!("test-{name}"),
        name: name.into(),
        spec: crate::weights::ModelSpec::Autoencoder {
            architecture,
            latent_dim,
        },
        origin,
        params: architecture.param_count(latent_dim),
        epochs: Some(2),
        train_images: Some(1000),
        train_loss: test_loss.map(|t| t + 0.001),
        test_loss,
        test_accuracy: None,
        kept: false,
        not_kept: None,
        beta: None,
    }
}
