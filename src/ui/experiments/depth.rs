//! The depth comparison as data: the one-, two- and three-layer curves, and the report's
//! conclusions on depth checked against the numbers.

use super::sweep::{BrowserRuns, browser_runs};
use crate::engine::ModelInfo;
use crate::model::Architecture;
use crate::results::DepthEntry;
use crate::ui::chart::{BLUE, ChartSpec, GREEN, ORANGE, Series};

/// The latent size of the depth comparison.
pub const DEPTH_LATENT_DIM: usize = 20;

/// One depth of part B: the full-MNIST reproduction's final test loss beside the best run of
/// that model in this browser, so that "Train here" comes back to a figure.
#[derive(Debug, Clone, PartialEq)]
pub struct DepthRow {
    pub layers: usize,
    pub architecture: Architecture,
    pub params: usize,
    pub reproduction_test: Option<f32>,
    pub browser: Option<BrowserRuns>,
}

/// A row per depth (one, two and three convolution layers at latent size 20).
pub fn depth_rows(depth: &[DepthEntry], models: &[ModelInfo]) -> Vec<DepthRow> {
    (1..=3)
        .filter_map(|layers| {
            let architecture = Architecture::from_layers(layers)?;
            Some(DepthRow {
                layers,
                architecture,
                params: architecture.param_count(DEPTH_LATENT_DIM),
                reproduction_test: depth
                    .iter()
                    .find(|e| e.layers == layers)
                    .map(|e| e.test_loss),
                browser: browser_runs(models, architecture, DEPTH_LATENT_DIM),
            })
        })
        .collect()
}

/// The depth curves per epoch: train dashed, test solid, one colour per depth.
pub fn depth_chart(depth: &[DepthEntry]) -> ChartSpec {
    let colours = [GREEN, BLUE, ORANGE];
    let mut series = Vec::new();
    for entry in depth {
        let colour = colours[(entry.layers.max(1) - 1) % colours.len()];
        let label = format!(
            "{} ({} parameters)",
            crate::ui::format::count(entry.layers, "layer", "layers"),
            crate::ui::format::thousands(entry.params)
        );
        let curve = |values: &[f32]| -> Vec<(f64, f64)> {
            values
                .iter()
                .enumerate()
                .map(|(i, &v)| ((i + 1) as f64, f64::from(v)))
                .collect()
        };
        series.push(Series::new(
            format!("{label}, test"),
            curve(&entry.curve.test),
            colour,
        ));
        series.push(
            Series::new(format!("{label}, train"), curve(&entry.curve.train), colour).dashed(),
        );
    }
    ChartSpec {
        series,
        x_label: "epoch".into(),
        y_label: "loss (MSE per pixel)".into(),
        log_x: false,
        log_y: true,
        whole_x: true,
    }
}

/// One of the report's conclusions, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub statement: &'static str,
    pub holds: bool,
    /// The numbers behind the verdict.
    pub evidence: String,
}

/// Whether `values` (ordered by layers 1, 2, 3) fall strictly as layers are added.
fn strictly_falling(values: &[f32]) -> bool {
    values.windows(2).all(|w| w[1] < w[0])
}

fn listing(entries: &[&DepthEntry], value: impl Fn(&DepthEntry) -> String) -> String {
    entries
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                crate::ui::format::count(e.layers, "layer", "layers"),
                value(e)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The report's three conclusions on depth ("as we add more convolution layers we get (1)
/// lower final train and test losses, (2) faster convergence, (3) fewer parameters for better
/// performance"), each checked against `depth`.
pub fn depth_claims(depth: &[DepthEntry]) -> Vec<Claim> {
    let mut entries: Vec<&DepthEntry> = depth.iter().collect();
    entries.sort_by_key(|e| e.layers);
    if entries.len() < 2 {
        return Vec::new();
    }
    let test: Vec<f32> = entries.iter().map(|e| e.test_loss).collect();
    let train: Vec<f32> = entries.iter().map(|e| e.train_loss).collect();
    let first_epoch: Vec<f32> = entries
        .iter()
        .map(|e| e.curve.test.first().copied().unwrap_or(f32::NAN))
        .collect();
    let deepest = entries[entries.len() - 1];
    let best_shallower = entries[..entries.len() - 1]
        .iter()
        .min_by(|a, b| a.test_loss.total_cmp(&b.test_loss))
        .expect("at least one shallower model");
    vec![
        Claim {
            statement: "More layers give lower final train and test losses.",
            holds: strictly_falling(&test) && strictly_falling(&train),
            evidence: format!(
                "final test loss {}",
                listing(&entries, |e| format!("{:.4}", e.test_loss))
            ),
        },
        Claim {
            statement: "More layers converge faster.",
            holds: strictly_falling(&first_epoch),
            evidence: format!(
                "test loss after the first epoch {}",
                listing(&entries, |e| e
                    .curve
                    .test
                    .first()
                    .map_or("–".into(), |v| format!("{v:.4}")))
            ),
        },
        Claim {
            statement: "The deepest model does better with fewer parameters.",
            holds: deepest.params < best_shallower.params
                && deepest.test_loss < best_shallower.test_loss,
            evidence: format!(
                "{} layers: {} parameters, test loss {:.4}; best shallower ({}): {} parameters, test loss {:.4}",
                deepest.layers,
                crate::ui::format::thousands(deepest.params),
                deepest.test_loss,
                crate::ui::format::count(best_shallower.layers, "layer", "layers"),
                crate::ui::format::thousands(best_shallower.params),
                best_shallower.test_loss
            ),
        },
    ]
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::engine::ModelOrigin;
    use crate::results::Curve;

    fn depth(layers: usize, params: usize, first: f32, last: f32) -> DepthEntry {
        DepthEntry {
            layers,
            params,
            train_loss: last + 0.0001,
            test_loss: last,
            curve: Curve {
                train: vec![first + 0.001, last + 0.0001],
                test: vec![first, last],
                train_running: vec![],
            },
        }
    }

    #[test]
    fn depth_claims_follow_the_numbers() {
        // The committed reproduction's shape: two layers end lowest, three converge fastest.
        let entries = [
            depth(1, 27_543, 0.0508, 0.0290),
            depth(2, 49_701, 0.0305, 0.0117),
            depth(3, 28_317, 0.0218, 0.0127),
        ];
        let claims = depth_claims(&entries);
        assert_eq!(claims.len(), 3);
        assert!(!claims[0].holds, "{:?}", claims[0]);
        assert!(claims[0].evidence.contains("3 layers: 0.0127"));
        assert!(claims[1].holds);
        assert!(
            !claims[2].holds,
            "three layers have fewer parameters but a higher loss"
        );

        let better = [
            depth(1, 27_543, 0.05, 0.03),
            depth(2, 49_701, 0.03, 0.012),
            depth(3, 28_317, 0.02, 0.010),
        ];
        assert!(depth_claims(&better).iter().all(|c| c.holds));
        assert!(depth_claims(&better[..1]).is_empty());
    }

    #[test]
    fn depth_rows_put_the_reproduction_beside_this_browsers_runs() {
        let entries = [depth(1, 27_543, 0.05, 0.03), depth(3, 28_317, 0.02, 0.01)];
        let trained = |name: &str, architecture, d, test| {
            crate::ui::experiments::model_info(name, architecture, d, ModelOrigin::Trained, test)
        };
        let models = vec![
            trained(
                "three-layer-d20 (trained 1)",
                Architecture::ThreeLayer,
                20,
                Some(0.04),
            ),
            trained(
                "three-layer-d20 (trained 2)",
                Architecture::ThreeLayer,
                20,
                Some(0.02),
            ),
            // Another latent size and another depth's pretrained model are not these runs.
            trained(
                "three-layer-d5 (trained 3)",
                Architecture::ThreeLayer,
                5,
                Some(0.01),
            ),
            crate::ui::experiments::model_info(
                "one-layer-d20",
                Architecture::OneLayer,
                20,
                ModelOrigin::Pretrained,
                Some(0.02),
            ),
        ];
        let rows = depth_rows(&entries, &models);
        assert_eq!(rows.iter().map(|r| r.layers).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(
            rows.iter().map(|r| r.params).collect::<Vec<_>>(),
            [27_543, 49_701, 28_317]
        );
        assert_eq!(
            rows.iter().map(|r| r.reproduction_test).collect::<Vec<_>>(),
            [Some(0.03), None, Some(0.01)]
        );
        assert!(rows[0].browser.is_none() && rows[1].browser.is_none());
        let three = rows[2].browser.as_ref().unwrap();
        assert_eq!(
            (three.best.as_str(), three.test, three.runs),
            ("three-layer-d20 (trained 2)", 0.02, 2)
        );
        assert_eq!(rows[2].architecture, Architecture::ThreeLayer);
    }

    #[test]
    fn depth_chart_has_train_dashed_and_test_solid() {
        let chart = depth_chart(&[depth(1, 27_543, 0.05, 0.03), depth(3, 28_317, 0.02, 0.01)]);
        assert_eq!(chart.series.len(), 4);
        assert!(!chart.series[0].dashed && chart.series[1].dashed);
        assert!(
            chart.series[0]
                .label
                .starts_with("1 layer (27,543 parameters), test")
        );
        assert_eq!(
            chart.series[2].points,
            vec![(1.0, f64::from(0.02f32)), (2.0, f64::from(0.01f32))]
        );
    }
}
