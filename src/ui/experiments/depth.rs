//! The depth comparison as data: the one-, two- and three-layer curves, and the report's
//! conclusions on depth checked against the numbers.

use crate::results::DepthEntry;
use crate::ui::chart::{BLUE, ChartSpec, GREEN, ORANGE, Series};

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
