//! `#/experiments` as data: the latent-sweep table (the report's numbers, the full-MNIST
//! reproduction's and this browser's runs side by side), the depth curves, and the report's
//! conclusions on depth checked against the numbers.

use super::chart::{BLUE, ChartSpec, GREEN, GREY, ORANGE, Series};
use crate::engine::{ModelInfo, ModelOrigin};
use crate::model::{Architecture, LATENT_SIZES};
use crate::reference::REPORT_LATENT_SWEEP;
use crate::results::{DepthEntry, Results, SeedRun, spread};
use crate::weights::ModelSpec;

/// Final train and test loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Losses {
    pub train: f32,
    pub test: f32,
}

/// The best of this browser's trainings of one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct BrowserRuns {
    /// The model with the lowest test loss.
    pub best: String,
    pub train: Option<f32>,
    pub test: f32,
    /// How many trained models of this configuration the store holds.
    pub runs: usize,
    pub epochs: Option<usize>,
    pub train_images: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow {
    pub latent_dim: usize,
    pub params: usize,
    pub report: Losses,
    pub reproduction: Option<Losses>,
    pub browser: Option<BrowserRuns>,
}

/// The models trained (or loaded) in this browser with the given architecture and latent
/// size that have a test loss: the best one and how many.
pub fn browser_runs(
    models: &[ModelInfo],
    architecture: Architecture,
    latent_dim: usize,
) -> Option<BrowserRuns> {
    let spec = ModelSpec::Autoencoder {
        architecture,
        latent_dim,
    };
    let runs: Vec<&ModelInfo> = models
        .iter()
        .filter(|m| m.origin != ModelOrigin::Pretrained && m.spec == spec)
        .filter(|m| m.test_loss.is_some_and(f32::is_finite))
        .collect();
    let best = runs.iter().min_by(|a, b| {
        a.test_loss
            .unwrap_or(f32::INFINITY)
            .total_cmp(&b.test_loss.unwrap_or(f32::INFINITY))
    })?;
    Some(BrowserRuns {
        best: best.name.clone(),
        train: best.train_loss,
        test: best.test_loss?,
        runs: runs.len(),
        epochs: best.epochs,
        train_images: best.train_images,
    })
}

/// One row per latent size of the exercise.
pub fn sweep_rows(results: Option<&Results>, models: &[ModelInfo]) -> Vec<SweepRow> {
    LATENT_SIZES
        .iter()
        .map(|&d| {
            let report = REPORT_LATENT_SWEEP
                .iter()
                .find(|r| r.0 == d)
                .map(|r| Losses {
                    train: r.2,
                    test: r.3,
                })
                .expect("the report has every latent size");
            let reproduction = results.and_then(|r| {
                r.latent_sweep
                    .iter()
                    .find(|e| e.latent_dim == d)
                    .map(|e| Losses {
                        train: e.train_loss,
                        test: e.test_loss,
                    })
            });
            SweepRow {
                latent_dim: d,
                params: Architecture::TwoLayer.param_count(d),
                report,
                reproduction,
                browser: browser_runs(models, Architecture::TwoLayer, d),
            }
        })
        .collect()
}

/// The sweep table as CSV (empty fields where a figure is missing).
pub fn sweep_csv(rows: &[SweepRow]) -> String {
    let opt = |v: Option<f32>| v.map_or(String::new(), |v| v.to_string());
    let mut csv = String::from(
        "latent_dim,params,report_train,report_test,full_mnist_train,full_mnist_test,browser_train,browser_test,browser_runs\n",
    );
    for r in rows {
        let b = r.browser.as_ref();
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            r.latent_dim,
            r.params,
            r.report.train,
            r.report.test,
            opt(r.reproduction.map(|l| l.train)),
            opt(r.reproduction.map(|l| l.test)),
            opt(b.and_then(|b| b.train)),
            opt(b.map(|b| b.test)),
            b.map_or(0, |b| b.runs),
        ));
    }
    csv
}

/// Test loss against latent size (log x, log y): report, reproduction, this browser.
pub fn sweep_chart(rows: &[SweepRow]) -> ChartSpec {
    let points = |f: &dyn Fn(&SweepRow) -> Option<f32>| -> Vec<(f64, f64)> {
        rows.iter()
            .filter_map(|r| f(r).map(|v| (r.latent_dim as f64, f64::from(v))))
            .collect()
    };
    ChartSpec {
        series: vec![
            Series::new("the report (test)", points(&|r| Some(r.report.test)), GREY).dashed(),
            Series::new(
                "full MNIST reproduction (test)",
                points(&|r| r.reproduction.map(|l| l.test)),
                BLUE,
            ),
            Series::new(
                "trained in this browser (test subset)",
                points(&|r| r.browser.as_ref().map(|b| b.test)),
                ORANGE,
            ),
        ],
        x_label: "latent size".into(),
        y_label: "loss (MSE per pixel)".into(),
        log_x: true,
        log_y: true,
    }
}

/// The depth curves per epoch: train dashed, test solid, one colour per depth.
pub fn depth_chart(depth: &[DepthEntry]) -> ChartSpec {
    let colours = [GREEN, BLUE, ORANGE];
    let mut series = Vec::new();
    for entry in depth {
        let colour = colours[(entry.layers.max(1) - 1) % colours.len()];
        let label = format!(
            "{} layer{} ({} parameters)",
            entry.layers,
            if entry.layers > 1 { "s" } else { "" },
            super::format::thousands(entry.params)
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
                "{} layer{}: {}",
                e.layers,
                if e.layers > 1 { "s" } else { "" },
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
                "{} layers: {} parameters, test loss {:.4}; best shallower ({} layer{}): {} parameters, test loss {:.4}",
                deepest.layers,
                super::format::thousands(deepest.params),
                deepest.test_loss,
                best_shallower.layers,
                if best_shallower.layers > 1 { "s" } else { "" },
                super::format::thousands(best_shallower.params),
                best_shallower.test_loss
            ),
        },
    ]
}

/// Mean, standard deviation, min and max.
type Spread = (f64, f64, f64, f64);

/// One model trained from several seeds (`results/seeds/`).
#[derive(Debug, Clone, PartialEq)]
pub struct SeedStudy {
    pub layers: usize,
    pub runs: Vec<SeedRun>,
}

impl SeedStudy {
    /// Mean, standard deviation, min and max of the test loss.
    pub fn spread(&self) -> Option<Spread> {
        let losses: Vec<f64> = self.runs.iter().map(|r| f64::from(r.test_loss)).collect();
        spread(&losses)
    }

    /// True when the test loss never falls as more code units are dead.
    pub fn loss_follows_dead_units(&self) -> bool {
        let mut runs = self.runs.clone();
        runs.sort_by(|a, b| {
            a.dead_units
                .cmp(&b.dead_units)
                .then(a.test_loss.total_cmp(&b.test_loss))
        });
        runs.windows(2)
            .all(|w| w[1].dead_units == w[0].dead_units || w[1].test_loss >= w[0].test_loss)
    }
}

/// What several seeds per depth say about the depth ordering, computed from the runs.
pub fn seed_verdict(studies: &[SeedStudy]) -> Vec<String> {
    let mut text = Vec::new();
    let mut spreads: Vec<(usize, Spread, usize)> = studies
        .iter()
        .filter_map(|s| s.spread().map(|sp| (s.layers, sp, s.runs.len())))
        .collect();
    spreads.sort_by_key(|s| s.0);
    for &(layers, (mean, sd, min, max), n) in &spreads {
        text.push(format!(
            "{layers} layer{}: test loss {mean:.4} ± {sd:.4} over {n} seeds (from {min:.4} to {max:.4}).",
            if layers > 1 { "s" } else { "" }
        ));
    }
    if spreads.len() >= 2 {
        let overlap = spreads
            .iter()
            .all(|a| spreads.iter().all(|b| a.1.2 <= b.1.3 && b.1.2 <= a.1.3));
        text.push(if overlap {
            "The ranges overlap: one run per depth cannot tell which depth gives the lower loss."
                .into()
        } else {
            "The ranges do not overlap: the ordering holds across these seeds.".into()
        });
    }
    if !studies.is_empty() && studies.iter().all(SeedStudy::loss_follows_dead_units) {
        text.push(
            "In every model the test loss rises with the number of dead code units (ReLUs that never fire): the code's dead units, more than the depth, set the result."
                .into(),
        );
    }
    text
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::results::Curve;

    fn info(name: &str, d: usize, origin: ModelOrigin, test: Option<f32>) -> ModelInfo {
        ModelInfo {
            name: name.into(),
            spec: ModelSpec::Autoencoder {
                architecture: Architecture::TwoLayer,
                latent_dim: d,
            },
            origin,
            params: Architecture::TwoLayer.param_count(d),
            epochs: Some(2),
            train_images: Some(1000),
            train_loss: test.map(|t| t + 0.001),
            test_loss: test,
            test_accuracy: None,
            kept: false,
        }
    }

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
    fn sweep_rows_put_report_reproduction_and_browser_side_by_side() {
        let models = vec![
            info("two-layer-d20", 20, ModelOrigin::Pretrained, Some(0.01)),
            info(
                "two-layer-d20 (trained 1)",
                20,
                ModelOrigin::Trained,
                Some(0.05),
            ),
            info(
                "two-layer-d20 (trained 2)",
                20,
                ModelOrigin::Trained,
                Some(0.03),
            ),
            info("cancelled", 20, ModelOrigin::Trained, None),
        ];
        let rows = sweep_rows(None, &models);
        assert_eq!(rows.len(), 6);
        let d20 = &rows[3];
        assert_eq!((d20.latent_dim, d20.params), (20, 49_701));
        assert_eq!(
            d20.report,
            Losses {
                train: 0.029,
                test: 0.028
            }
        );
        assert_eq!(d20.reproduction, None);
        let browser = d20.browser.as_ref().unwrap();
        assert_eq!(browser.best, "two-layer-d20 (trained 2)");
        assert_eq!((browser.test, browser.runs), (0.03, 2));
        assert!(
            rows[0].browser.is_none(),
            "pretrained models are not browser runs"
        );

        let csv = sweep_csv(&rows);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 7);
        assert_eq!(lines[1], "1,15482,0.062,0.062,,,,,0");
        assert_eq!(lines[4], "20,49701,0.029,0.028,,,0.031,0.03,2");

        let chart = sweep_chart(&rows);
        assert_eq!(chart.series[0].points.len(), 6);
        assert_eq!(chart.series[1].points.len(), 0);
        assert_eq!(chart.series[2].points, vec![(20.0, f64::from(0.03f32))]);
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

    fn run(seed: u64, test_loss: f32, dead_units: usize) -> SeedRun {
        SeedRun {
            seed,
            train_loss: test_loss,
            test_loss,
            dead_units,
            seconds: 1.0,
        }
    }

    #[test]
    fn seed_verdict_reads_the_spread_and_the_dead_units() {
        let three = SeedStudy {
            layers: 3,
            runs: vec![run(1, 0.0108, 5), run(2, 0.0149, 10), run(3, 0.0122, 7)],
        };
        let two = SeedStudy {
            layers: 2,
            runs: vec![run(1, 0.0189, 12), run(2, 0.0105, 5), run(3, 0.0101, 4)],
        };
        let text = seed_verdict(&[three.clone(), two.clone()]);
        assert!(
            text[0].starts_with("2 layers: test loss 0.0132 ± 0.0050 over 3 seeds"),
            "{text:?}"
        );
        assert!(text[1].starts_with("3 layers: test loss 0.0126"));
        assert!(text[2].starts_with("The ranges overlap"));
        assert!(text[3].contains("rises with the number of dead code units"));

        let apart = SeedStudy {
            layers: 1,
            runs: vec![run(1, 0.03, 0), run(2, 0.02, 1)],
        };
        assert!(!apart.loss_follows_dead_units());
        let text = seed_verdict(&[apart, three]);
        assert_eq!(
            text[2],
            "The ranges do not overlap: the ordering holds across these seeds."
        );
        assert_eq!(text.len(), 3);
        assert!(seed_verdict(&[]).is_empty());
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
