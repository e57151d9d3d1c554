//! The latent-sweep table as data: the report's numbers, the full-MNIST reproduction's and
//! this browser's runs side by side, per latent size; its CSV and chart.

use crate::engine::{ModelInfo, ModelOrigin};
use crate::model::{Architecture, LATENT_SIZES};
use crate::reference::REPORT_LATENT_SWEEP;
use crate::results::Results;
use crate::ui::chart::{BLUE, ChartSpec, GREEN, GREY, ORANGE, Series};
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
    /// A linear code of this size on the reproduction's images: PCA's train and test loss.
    pub linear: Option<Losses>,
    pub browser: Option<BrowserRuns>,
}

impl BrowserRuns {
    /// Which model the figure is and what stands behind it, e.g. `two-layer-d20 (trained 2)
    /// (2 runs; 1 epoch on 2,000 images)`: the cell's title.
    pub fn describe(&self) -> String {
        use crate::ui::format::{count, thousands};
        format!(
            "{} ({}; {} on {} images)",
            self.best,
            count(self.runs, "run", "runs"),
            self.epochs
                .map_or("? epochs".into(), |e| count(e, "epoch", "epochs")),
            self.train_images.map_or("?".into(), thousands)
        )
    }
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
    best_run(models, |m| m.spec == spec)
}

/// The best (lowest test loss) of this browser's models that `matching` accepts, and how
/// many there are: trained or loaded here, not bundled, with a finite test loss.
pub fn best_run(
    models: &[ModelInfo],
    matching: impl Fn(&ModelInfo) -> bool,
) -> Option<BrowserRuns> {
    let runs: Vec<&ModelInfo> = models
        .iter()
        .filter(|m| m.origin != ModelOrigin::Pretrained && matching(m))
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
            let linear = results
                .and_then(|r| r.linear_baselines.as_ref())
                .and_then(|b| b.at(d))
                .map(|e| Losses {
                    train: e.train_loss,
                    test: e.test_loss,
                });
            SweepRow {
                linear,
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
        "latent_dim,params,report_train,report_test,full_mnist_train,full_mnist_test,browser_train,browser_test,browser_runs,pca_train,pca_test\n",
    );
    for r in rows {
        let b = r.browser.as_ref();
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            r.latent_dim,
            r.params,
            r.report.train,
            r.report.test,
            opt(r.reproduction.map(|l| l.train)),
            opt(r.reproduction.map(|l| l.test)),
            opt(b.and_then(|b| b.train)),
            opt(b.map(|b| b.test)),
            b.map_or(0, |b| b.runs),
            opt(r.linear.map(|l| l.train)),
            opt(r.linear.map(|l| l.test)),
        ));
    }
    csv
}

/// The test loss with no code at all (the mean training digit), where the reproduction has it.
pub fn no_code_test_loss(results: Option<&Results>) -> Option<f32> {
    results
        .and_then(|r| r.linear_baselines.as_ref())
        .and_then(|b| b.at(0))
        .map(|e| e.test_loss)
}

/// The sweep read against its linear baseline, in a sentence: how many times lower the
/// autoencoder's full-MNIST test loss is than the best linear code of the same size, from the
/// smallest size to the largest, and where the gap is widest. `None` without the baselines.
pub fn linear_code_reading(rows: &[SweepRow]) -> Option<String> {
    let ratios: Vec<(usize, f32)> = rows
        .iter()
        .filter_map(|r| Some((r.latent_dim, r.linear?.test / r.reproduction?.test)))
        .collect();
    let (first, last) = (ratios.first()?, ratios.last()?);
    let widest = ratios.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let beats = ratios.iter().filter(|(_, ratio)| *ratio > 1.0).count();
    let mut text = format!(
        "The autoencoder beats the best linear code of its size at {beats} of {} sizes: its test loss is \
         {:.1}× lower at d = {}, {:.1}× at d = {}, widest at d = {} ({:.1}×).",
        ratios.len(),
        first.1,
        first.0,
        last.1,
        last.0,
        widest.0,
        widest.1,
    );
    // The report's own autoencoders against the same reference.
    let with_linear = rows.iter().filter(|r| r.linear.is_some()).count();
    let report_worse: Vec<String> = report_above_linear(rows)
        .iter()
        .map(|(r, _)| r.latent_dim.to_string())
        .collect();
    if !report_worse.is_empty() {
        text.push_str(&format!(
            " The report's test losses are above the linear code's at {} of {} sizes (d = {}): there a \
             linear code reconstructs better than the report's autoencoders did.",
            report_worse.len(),
            with_linear,
            report_worse.join(", ")
        ));
    }
    Some(text)
}

/// The rows where the report's own test loss (as it printed it, to three decimals) is above
/// the linear code's of the same size, with the linear code's test loss.
pub fn report_above_linear(rows: &[SweepRow]) -> Vec<(&SweepRow, f32)> {
    rows.iter()
        .filter_map(|r| Some((r, r.linear?.test)))
        .filter(|(r, linear)| r.report.test > *linear)
        .collect()
}

/// The label of the sweep chart's line for a linear code.
pub const LINEAR_CODE: &str = "a linear code of the same size (PCA, full MNIST test)";
/// The label of its line for no code at all.
pub const NO_CODE: &str = "no code: the mean training digit (full MNIST test)";

/// Test loss against latent size (log x, log y): report, reproduction, this browser; and, where
/// the reproduction has them, a linear code of each size (PCA) and no code at all (the mean
/// digit, flat across the sizes): the two references an autoencoder has to come in under.
pub fn sweep_chart(rows: &[SweepRow], no_code_test_loss: Option<f32>) -> ChartSpec {
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
            Series::new(LINEAR_CODE, points(&|r| r.linear.map(|l| l.test)), GREEN).dashed(),
            Series::new(
                NO_CODE,
                match (no_code_test_loss, rows.first(), rows.last()) {
                    (Some(y), Some(first), Some(last)) => vec![
                        (first.latent_dim as f64, f64::from(y)),
                        (last.latent_dim as f64, f64::from(y)),
                    ],
                    _ => Vec::new(),
                },
                GREY,
            ),
        ],
        x_label: "latent size".into(),
        y_label: "loss (MSE per pixel)".into(),
        log_x: true,
        log_y: true,
        whole_x: false,
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::analysis::{LinearBaselineEntry, LinearBaselines};

    fn info(name: &str, d: usize, origin: ModelOrigin, test: Option<f32>) -> ModelInfo {
        super::super::model_info(name, Architecture::TwoLayer, d, origin, test)
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
        assert_eq!(
            browser.describe(),
            "two-layer-d20 (trained 2) (2 runs; 2 epochs on 1,000 images)"
        );
        assert!(
            rows[0].browser.is_none(),
            "pretrained models are not browser runs"
        );

        let csv = sweep_csv(&rows);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 7);
        assert_eq!(lines[1], "1,15482,0.062,0.062,,,,,0,,");
        assert_eq!(lines[4], "20,49701,0.029,0.028,,,0.031,0.03,2,,");

        let chart = sweep_chart(&rows, None);
        assert_eq!(chart.series[0].points.len(), 6);
        assert_eq!(chart.series[1].points.len(), 0);
        assert_eq!(chart.series[2].points, vec![(20.0, f64::from(0.03f32))]);
        // Without the baselines, no linear code and no flat line, and nothing to read.
        assert!(chart.series[3].points.is_empty() && chart.series[4].points.is_empty());
        assert_eq!(linear_code_reading(&rows), None);
    }

    /// Results with the reproduction's sweep and linear baselines at two sizes.
    fn results_with_baselines() -> Results {
        let mut r = Results::from_json(include_str!("../../../results/results.json"))
            .expect("the committed results read");
        r.latent_sweep
            .retain(|e| e.latent_dim == 1 || e.latent_dim == 20);
        r.latent_sweep[0].test_loss = 0.05;
        r.latent_sweep[1].test_loss = 0.01;
        r.linear_baselines = Some(LinearBaselines {
            train_images: 4,
            test_images: 2,
            entries: [(0, 0.07), (1, 0.06), (20, 0.025)]
                .into_iter()
                .map(|(latent_dim, test_loss)| LinearBaselineEntry {
                    latent_dim,
                    train_loss: test_loss - 0.001,
                    test_loss,
                })
                .collect(),
        });
        r
    }

    #[test]
    fn the_linear_baseline_stands_beside_the_sweep() {
        let results = results_with_baselines();
        let rows = sweep_rows(Some(&results), &[]);
        assert_eq!(
            rows[0].linear,
            Some(Losses {
                train: 0.059,
                test: 0.06
            })
        );
        assert_eq!(rows[1].linear, None, "no baseline at d = 5 here");
        let csv = sweep_csv(&rows);
        assert!(csv.lines().next().unwrap().ends_with(",pca_train,pca_test"));
        assert!(
            csv.lines().nth(1).unwrap().ends_with(",0.059,0.06"),
            "{csv}"
        );

        assert_eq!(no_code_test_loss(Some(&results)), Some(0.07));
        assert_eq!(no_code_test_loss(None), None);
        let chart = sweep_chart(&rows, no_code_test_loss(Some(&results)));
        let linear = &chart.series[3];
        assert_eq!(linear.label, LINEAR_CODE);
        assert_eq!(
            linear.points,
            vec![(1.0, f64::from(0.06f32)), (20.0, f64::from(0.025f32))]
        );
        // No code: one flat line across the sweep's sizes, 1 to 100.
        let flat = &chart.series[4];
        assert_eq!(flat.label, NO_CODE);
        assert_eq!(
            flat.points,
            vec![(1.0, f64::from(0.07f32)), (100.0, f64::from(0.07f32))]
        );

        // 0.06 / 0.05 = 1.2 at d = 1; 0.025 / 0.01 = 2.5 at d = 20, the widest.
        assert_eq!(
            linear_code_reading(&rows).as_deref(),
            Some(
                "The autoencoder beats the best linear code of its size at 2 of 2 sizes: its test loss is \
                 1.2× lower at d = 1, 2.5× at d = 20, widest at d = 20 (2.5×). The report's test losses are \
                 above the linear code's at 2 of 2 sizes (d = 1, 20): there a linear code reconstructs better \
                 than the report's autoencoders did."
            )
        );
        // Where the report beats the linear code (0.028 under 0.03 at d = 20), it is not named.
        let mut rows = rows;
        rows[3].linear = Some(Losses {
            train: 0.03,
            test: 0.03,
        });
        let reading = linear_code_reading(&rows).unwrap();
        assert!(
            reading.ends_with(
                "above the linear code's at 1 of 2 sizes (d = 1): there a linear code \
                 reconstructs better than the report's autoencoders did."
            ),
            "{reading}"
        );
    }
}
