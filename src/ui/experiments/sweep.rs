//! The latent-sweep table as data: the report's numbers, the full-MNIST reproduction's and
//! this browser's runs side by side, per latent size; its CSV and chart.

use crate::engine::{ModelInfo, ModelOrigin};
use crate::model::{Architecture, LATENT_SIZES};
use crate::reference::REPORT_LATENT_SWEEP;
use crate::results::Results;
use crate::ui::chart::{BLUE, ChartSpec, GREY, ORANGE, Series};
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
        whole_x: false,
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

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
        assert_eq!(lines[1], "1,15482,0.062,0.062,,,,,0");
        assert_eq!(lines[4], "20,49701,0.029,0.028,,,0.031,0.03,2");

        let chart = sweep_chart(&rows);
        assert_eq!(chart.series[0].points.len(), 6);
        assert_eq!(chart.series[1].points.len(), 0);
        assert_eq!(chart.series[2].points, vec![(20.0, f64::from(0.03f32))]);
    }
}
