//! Part 5 as data: the variational autoencoder beside the plain two-layer model of the same
//! latent size, from the full-MNIST reproduction, and the best VAE of that size and β
//! trained in this browser.

use super::sweep::{BrowserRuns, best_run};
use crate::engine::ModelInfo;
use crate::model::Architecture;
use crate::results::{InterpolationEntry, Results};
use crate::weights::ModelSpec;

/// One latent size: the VAE's figures and the plain model's beside them.
#[derive(Debug, Clone, PartialEq)]
pub struct VariationalRow {
    pub latent_dim: usize,
    pub beta: f32,
    pub params: usize,
    /// Test MSE per pixel at the mean code (the plain models' loss).
    pub vae_test_mse: f32,
    pub plain_test_mse: Option<f32>,
    /// The VAE's own objective on the test set, MSE + β·KL/784.
    pub objective: f32,
    /// Mean |r| over defined pairs of coordinates.
    pub vae_mean_r: Option<f64>,
    pub plain_mean_r: Option<f64>,
    pub vae_dead: usize,
    pub plain_dead: Option<usize>,
    /// The interpolation paths' mean distance from the data over their inner frames,
    /// averaged over the digit pairs.
    pub vae_path: Option<f64>,
    pub plain_path: Option<f64>,
    /// This browser's VAEs of this latent size and β: the best objective (on the bundled
    /// test subset), comparable with `objective` only at the same β.
    pub browser: Option<BrowserRuns>,
}

/// The mean, over the digit pairs of `entries` at latent size `d`, of each path's mean
/// distance from the data over its inner frames (`None` without such figures).
fn mean_path_distance(entries: &[InterpolationEntry], d: usize) -> Option<f64> {
    let paths: Vec<f64> = entries
        .iter()
        .filter(|e| e.latent_dim == d)
        .filter_map(InterpolationEntry::inner_path_distance)
        .collect();
    (!paths.is_empty()).then(|| paths.iter().sum::<f64>() / paths.len() as f64)
}

/// A row per latent size of part 5 (none for results made before it).
pub fn variational_rows(results: Option<&Results>, models: &[ModelInfo]) -> Vec<VariationalRow> {
    let Some(r) = results else {
        return Vec::new();
    };
    r.variational
        .iter()
        .map(|v| {
            let d = v.latent_dim;
            let plain = r.latent_sweep.iter().find(|e| e.latent_dim == d);
            let plain_stats = r.decorrelation.iter().find(|e| e.latent_dim == d);
            VariationalRow {
                latent_dim: d,
                beta: v.beta,
                params: v.params,
                vae_test_mse: v.test_mse,
                plain_test_mse: plain.map(|e| e.test_loss),
                objective: v.test_loss,
                vae_mean_r: v.decorrelation.mean_abs_pearson_defined,
                plain_mean_r: plain_stats.and_then(|e| e.mean_abs_pearson_defined),
                vae_dead: v.decorrelation.dead_units,
                plain_dead: plain_stats.map(|e| e.dead_units),
                vae_path: mean_path_distance(&v.interpolation, d),
                plain_path: mean_path_distance(&r.interpolation, d),
                browser: best_run(models, |m| {
                    m.spec
                        == ModelSpec::Autoencoder {
                            architecture: Architecture::Vae,
                            latent_dim: d,
                        }
                        && m.beta == Some(v.beta)
                }),
            }
        })
        .collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn each_vae_stands_beside_the_plain_model_of_its_size() {
        let json = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/results/results.json"))
            .expect("the committed results");
        let results: Results = serde_json::from_slice(&json).unwrap();
        let rows = variational_rows(Some(&results), &[]);
        assert_eq!(
            rows.iter().map(|r| r.latent_dim).collect::<Vec<_>>(),
            vec![20, 100]
        );
        let row = &rows[0];
        let plain = results
            .latent_sweep
            .iter()
            .find(|e| e.latent_dim == 20)
            .unwrap();
        assert_eq!(row.plain_test_mse, Some(plain.test_loss));
        assert_eq!(row.params, 13_681 + 2_702 * 20);
        // By hand: each d = 20 path's inner frames (1 to 8 of 10), averaged, then over the pairs.
        let by_hand = |entries: &[InterpolationEntry]| {
            let paths: Vec<f64> = entries
                .iter()
                .filter(|e| e.latent_dim == 20)
                .map(|e| {
                    e.nearest_data[1..9]
                        .iter()
                        .map(|&v| f64::from(v))
                        .sum::<f64>()
                        / 8.0
                })
                .collect();
            paths.iter().sum::<f64>() / paths.len() as f64
        };
        let vae_path = by_hand(&results.variational[0].interpolation);
        assert!((row.vae_path.unwrap() - vae_path).abs() < 1e-9);
        assert!((row.plain_path.unwrap() - by_hand(&results.interpolation)).abs() < 1e-9);
        assert_eq!(variational_rows(None, &[]), vec![]);
        assert!(rows.iter().all(|r| r.browser.is_none()));
    }

    #[test]
    fn a_browser_vae_stands_in_the_row_of_its_size_and_beta() {
        let json = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/results/results.json"))
            .expect("the committed results");
        let results: Results = serde_json::from_slice(&json).unwrap();
        let vae = |name: &str, d, beta, test| crate::engine::ModelInfo {
            beta,
            ..super::super::model_info(
                name,
                Architecture::Vae,
                d,
                crate::engine::ModelOrigin::Trained,
                Some(test),
            )
        };
        let models = [
            vae("vae-d20 (trained 1)", 20, Some(1.0), 0.05),
            vae("vae-d20 (trained 2)", 20, Some(1.0), 0.04),
            // Another β optimises another objective: not comparable, left out.
            vae("vae-d20 (trained 3)", 20, Some(0.5), 0.01),
            // A plain model of the same size is not a VAE.
            super::super::model_info(
                "two-layer-d20 (trained 4)",
                Architecture::TwoLayer,
                20,
                crate::engine::ModelOrigin::Trained,
                Some(0.001),
            ),
        ];
        let rows = variational_rows(Some(&results), &models);
        assert_eq!((rows[0].latent_dim, rows[0].beta), (20, 1.0));
        let browser = rows[0].browser.as_ref().expect("two β = 1 runs at d = 20");
        assert_eq!(
            (browser.best.as_str(), browser.test, browser.runs),
            ("vae-d20 (trained 2)", 0.04, 2)
        );
        assert_eq!(rows[1].latent_dim, 100);
        assert!(rows[1].browser.is_none());
    }
}
