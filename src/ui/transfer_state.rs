//! `#/transfer` as data: the state of a transfer run from the engine's messages, its curves,
//! and the full-MNIST rows shown beside the browser's.

use serde::{Deserialize, Serialize};

use super::chart::{BLUE, ChartSpec, GREEN, GREY, ORANGE, Series};
use super::report::uniform_guess_loss;
use super::run_state::read_kept;
use super::run_status::RunStatus;
use crate::engine::protocol::TrainingProgress;
use crate::engine::transfer_session::{TransferPoint, TransferRequest, TransferResult};
use crate::results::{Results, TransferEntry};
use crate::training::TransferScenario;

/// A transfer run as the page follows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TransferState {
    pub status: RunStatus,
    pub request: Option<TransferRequest>,
    /// The scenario that runs and its progress.
    pub current: Option<(TransferScenario, TrainingProgress)>,
    pub points: Vec<TransferPoint>,
    pub results: Vec<TransferResult>,
}

/// A finished (or cancelled) transfer run as the page keeps it across reloads: its table, its
/// curves and its confusion matrices, which the models it trained (kept in the model list) do
/// not hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct KeptTransfer {
    /// [`KEPT_TRANSFER_VERSION`]: a later page that keeps other fields reads an older entry
    /// as unreadable, not as wrong numbers.
    version: u32,
    cancelled: bool,
    request: Option<TransferRequest>,
    current: Option<(TransferScenario, TrainingProgress)>,
    points: Vec<TransferPoint>,
    results: Vec<TransferResult>,
}

const KEPT_TRANSFER_VERSION: u32 = 1;

impl TransferState {
    /// The run to keep, as JSON: `None` while it runs, when it failed (the last kept run
    /// stays), or before it has a result.
    pub fn to_kept(&self) -> Option<String> {
        let cancelled = self.status.kept_cancelled()?;
        if self.results.is_empty() {
            return None;
        }
        serde_json::to_string(&KeptTransfer {
            version: KEPT_TRANSFER_VERSION,
            cancelled,
            request: self.request.clone(),
            current: self.current,
            points: self.points.clone(),
            results: self.results.clone(),
        })
        .ok()
    }

    /// The run an earlier visit kept, shown as it ended; an error that says why for an entry
    /// that cannot be read (another version, damaged, a confusion matrix of the wrong size).
    pub fn from_kept(json: &str) -> Result<TransferState, String> {
        let kept: KeptTransfer = read_kept(
            json,
            "transfer run",
            KEPT_TRANSFER_VERSION,
            |k: &KeptTransfer| k.version,
        )?;
        if let Some(r) = kept.results.iter().find(|r| r.confusion.len() != 100) {
            return Err(format!(
                "the kept transfer run's {} confusion matrix has {} cells, not 100",
                r.scenario,
                r.confusion.len()
            ));
        }
        if kept.results.is_empty() {
            return Err("the kept transfer run has no result".into());
        }
        Ok(TransferState {
            status: RunStatus::from_kept(kept.cancelled),
            request: kept.request,
            current: kept.current,
            points: kept.points,
            results: kept.results,
        })
    }
}

pub fn scenario_colour(scenario: TransferScenario) -> (u8, u8, u8) {
    match scenario {
        TransferScenario::Frozen => BLUE,
        TransferScenario::Finetune => ORANGE,
        TransferScenario::Scratch => GREEN,
    }
}

/// What each scenario means, in a few words.
pub fn scenario_text(scenario: TransferScenario) -> &'static str {
    match scenario {
        TransferScenario::Frozen => {
            "pretrained encoder frozen (BatchNorm in eval mode); only the MLP learns"
        }
        TransferScenario::Finetune => "pretrained encoder and MLP both learn",
        TransferScenario::Scratch => "the same classifier from random weights",
    }
}

fn curve(
    points: &[TransferPoint],
    scenario: TransferScenario,
    value: fn(&TransferPoint) -> f32,
) -> Vec<(f64, f64)> {
    points
        .iter()
        .filter(|p| p.scenario == scenario)
        .map(|p| (p.epoch as f64, f64::from(value(p))))
        .collect()
}

/// The label of the loss chart's reference line.
pub const UNIFORM_GUESS: &str = "a uniform guess over ten digits (ln 10 = 2.30)";

/// Test loss (solid) and mean training batch loss (dashed) per scenario, log scale, beside a
/// grey dashed line at ln 10: the loss of a uniform guess, where the report's classifiers
/// stayed, so the chart shows when (and whether) a scenario learns past it. The epochs run on
/// a log scale too, as the scorings are spread ([`crate::training::transfer_eval_epochs`]):
/// a long run's first steps, where it learns most, get as much width as its last.
pub fn loss_chart(points: &[TransferPoint]) -> ChartSpec {
    let mut series = Vec::new();
    for scenario in TransferScenario::ALL {
        if points.iter().all(|p| p.scenario != scenario) {
            continue;
        }
        let colour = scenario_colour(scenario);
        series.push(Series::new(
            format!("{scenario}, test"),
            curve(points, scenario, |p| p.test_loss),
            colour,
        ));
        series.push(
            Series::new(
                format!("{scenario}, train (batch mean)"),
                curve(points, scenario, |p| p.train_loss),
                colour,
            )
            .dashed(),
        );
    }
    if let Some((first, last)) = epoch_span(points) {
        let y = uniform_guess_loss();
        series.push(Series::new(UNIFORM_GUESS, vec![(first, y), (last, y)], GREY).dashed());
    }
    ChartSpec {
        series,
        x_label: "epoch (log scale)".into(),
        y_label: "cross-entropy".into(),
        log_x: true,
        log_y: true,
        whole_x: true,
    }
}

/// The label of the accuracy chart's reference line.
pub const CHANCE_ACCURACY: &str = "chance: a guess among ten digits (10 %)";

/// The first and last epoch scored, if any.
fn epoch_span(points: &[TransferPoint]) -> Option<(f64, f64)> {
    let epochs = points.iter().map(|p| p.epoch as f64);
    let (first, last) = epochs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), e| {
        (lo.min(e), hi.max(e))
    });
    (first <= last).then_some((first, last))
}

/// Test accuracy per scenario, in percent, beside a grey dashed line at 10 %: what guessing
/// scores, the accuracy of the report's classifiers stuck at ln 10. The axis then runs from
/// chance up, so a curve's height reads as how far above guessing a scenario is.
pub fn accuracy_chart(points: &[TransferPoint]) -> ChartSpec {
    let mut series: Vec<Series> = TransferScenario::ALL
        .into_iter()
        .filter(|s| points.iter().any(|p| p.scenario == *s))
        .map(|s| {
            Series::new(
                format!("{s}, test accuracy"),
                curve(points, s, |p| p.test_accuracy * 100.0),
                scenario_colour(s),
            )
        })
        .collect();
    if let Some((first, last)) = epoch_span(points) {
        series.push(Series::new(CHANCE_ACCURACY, vec![(first, 10.0), (last, 10.0)], GREY).dashed());
    }
    ChartSpec {
        series,
        x_label: "epoch (log scale)".into(),
        y_label: "test accuracy (%)".into(),
        log_x: true,
        log_y: false,
        whole_x: true,
    }
}

/// The reproduction's rows with this many labels, or every row when it has none.
pub fn reproduction_rows(results: Option<&Results>, labels: Option<usize>) -> Vec<TransferEntry> {
    let Some(r) = results else {
        return Vec::new();
    };
    let same: Vec<TransferEntry> = r
        .transfer
        .iter()
        .filter(|e| Some(e.labels) == labels)
        .cloned()
        .collect();
    if same.is_empty() {
        r.transfer.clone()
    } else {
        same
    }
}

/// Row-normalised shares of a `10 × 10` confusion matrix (each true digit's row sums to 1;
/// an empty row stays 0).
pub fn confusion_shares(counts: &[u32]) -> Vec<f32> {
    counts
        .chunks(10)
        .flat_map(|row| {
            let total: u32 = row.iter().sum();
            row.iter().map(move |&c| {
                if total == 0 {
                    0.0
                } else {
                    c as f32 / total as f32
                }
            })
        })
        .collect()
}

/// Each true digit's accuracy: the diagonal count over its row's total (`None` for a digit
/// with no test image), from a row-major `10 × 10` confusion matrix.
pub fn per_class_accuracy(counts: &[u32]) -> Vec<Option<f32>> {
    counts
        .chunks(10)
        .enumerate()
        .map(|(digit, row)| {
            let total: u32 = row.iter().sum();
            (total > 0).then(|| row.get(digit).copied().unwrap_or(0) as f32 / total as f32)
        })
        .collect()
}

/// A confusion matrix as CSV: one row per true digit, one column per prediction.
pub fn confusion_csv(counts: &[u32]) -> String {
    let mut csv = String::from("true\\predicted,0,1,2,3,4,5,6,7,8,9\n");
    for (digit, row) in counts.chunks(10).enumerate() {
        let cells: Vec<String> = row.iter().map(u32::to_string).collect();
        csv.push_str(&format!("{digit},{}\n", cells.join(",")));
    }
    csv
}

/// The reproduction's rows as CSV.
pub fn reproduction_csv(rows: &[TransferEntry]) -> String {
    let mut csv = String::from(
        "scenario,labels,epochs,train_loss,train_accuracy,test_loss,test_accuracy,seconds\n",
    );
    for e in rows {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{:.1}\n",
            e.scenario,
            e.labels,
            e.epochs,
            e.train_loss,
            e.train_accuracy,
            e.test_loss,
            e.test_accuracy,
            e.seconds
        ));
    }
    csv
}

/// The results as CSV.
pub fn results_csv(results: &[TransferResult]) -> String {
    let mut csv = String::from(
        "scenario,labels,epochs,train_loss,train_accuracy,test_loss,test_accuracy,seconds,cancelled\n",
    );
    for r in results {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{:.1},{}\n",
            r.scenario,
            r.labels,
            r.epochs,
            r.train_loss,
            r.train_accuracy,
            r.test_loss,
            r.test_accuracy,
            r.seconds,
            r.cancelled
        ));
    }
    csv
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn point(scenario: TransferScenario, epoch: usize, acc: f32) -> TransferPoint {
        TransferPoint {
            scenario,
            epoch,
            train_loss: 1.0 / epoch as f32,
            test_loss: 2.0 / epoch as f32,
            test_accuracy: acc,
        }
    }

    #[test]
    fn charts_have_one_colour_per_scenario_and_only_scenarios_that_ran() {
        let points = [
            point(TransferScenario::Frozen, 1, 0.5),
            point(TransferScenario::Frozen, 2, 0.75),
            point(TransferScenario::Scratch, 1, 0.25),
        ];
        let loss = loss_chart(&points);
        // Two lines a scenario, then the uniform guess's.
        assert_eq!(loss.series.len(), 5);
        assert_eq!(loss.series[0].points, vec![(1.0, 2.0), (2.0, 1.0)]);
        assert!(loss.series[1].dashed);
        assert_eq!(loss.series[2].colour, GREEN);
        let acc = accuracy_chart(&points);
        // A line a scenario, then chance's.
        assert_eq!(acc.series.len(), 3);
        assert_eq!(acc.series[0].points, vec![(1.0, 50.0), (2.0, 75.0)]);
        let chance = &acc.series[2];
        assert_eq!(chance.label, CHANCE_ACCURACY);
        assert!(chance.dashed && chance.colour == GREY);
        assert_eq!(chance.points, vec![(1.0, 10.0), (2.0, 10.0)]);
        assert!(accuracy_chart(&[]).series.is_empty());
        let uniform = &loss.series[4];
        assert_eq!(uniform.label, UNIFORM_GUESS);
        assert!(uniform.dashed && uniform.colour == GREY);
        let ln10 = 10f64.ln();
        assert_eq!(uniform.points, vec![(1.0, ln10), (2.0, ln10)]);
        // Nothing run, nothing drawn: not even the reference line.
        assert!(loss_chart(&[]).series.is_empty());
        // Scored per epoch: the axis is marked at whole epochs only, on a log scale as the
        // scorings are spread.
        assert!(loss.whole_x && acc.whole_x);
        assert!(loss.log_x && acc.log_x);
    }

    fn result(scenario: TransferScenario, confusion: Vec<u32>) -> TransferResult {
        TransferResult {
            scenario,
            labels: 100,
            epochs: 2,
            train_loss: 0.5,
            train_accuracy: 0.9,
            test_loss: 1.25,
            test_accuracy: 0.625,
            seconds: 3.5,
            confusion,
            cancelled: false,
            classifier: format!("classifier-{scenario} (trained 1)"),
        }
    }

    fn finished_run() -> TransferState {
        TransferState {
            status: RunStatus::Finished,
            request: Some(TransferRequest {
                scenarios: vec![TransferScenario::Frozen],
                labels: 100,
                epochs: Some(2),
                batch_size: 64,
                learning_rate: 1e-3,
            }),
            current: Some((
                TransferScenario::Frozen,
                TrainingProgress {
                    epoch: 2,
                    epochs: 2,
                    step: 4,
                    total_steps: 4,
                    loss: 0.5,
                    smoothed_loss: 0.75,
                    images_per_second: 900.0,
                    elapsed_seconds: 0.25,
                    seconds_left: Some(0.0),
                    paused: false,
                },
            )),
            points: vec![
                point(TransferScenario::Frozen, 1, 0.5),
                point(TransferScenario::Frozen, 2, 0.625),
            ],
            results: vec![result(TransferScenario::Frozen, (0..100).collect())],
        }
    }

    #[test]
    fn a_finished_run_is_kept_and_comes_back_as_it_ended() {
        let run = finished_run();
        let kept = run.to_kept().expect("a finished run with a result is kept");
        assert_eq!(TransferState::from_kept(&kept), Ok(run.clone()));
        // A cancelled run comes back cancelled.
        let cancelled = TransferState {
            status: RunStatus::Cancelled,
            ..run.clone()
        };
        let back = TransferState::from_kept(&cancelled.to_kept().unwrap()).unwrap();
        assert_eq!(back.status, RunStatus::Cancelled);
        // Nothing to keep while it runs, when it failed, or before a result.
        for status in [
            RunStatus::Running,
            RunStatus::Paused,
            RunStatus::Failed,
            RunStatus::Idle,
        ] {
            assert_eq!(
                TransferState {
                    status,
                    ..run.clone()
                }
                .to_kept(),
                None
            );
        }
        let no_result = TransferState {
            results: Vec::new(),
            ..run
        };
        assert_eq!(no_result.to_kept(), None);
    }

    #[test]
    fn an_unreadable_kept_run_is_refused_with_its_reason() {
        let kept = finished_run().to_kept().unwrap();
        let err = |json: &str| TransferState::from_kept(json).unwrap_err();
        assert!(err("{").starts_with("the kept transfer run: "));
        let other = kept.replacen("\"version\":1", "\"version\":2", 1);
        assert_eq!(
            err(&other),
            "the kept transfer run is of version 2, this page reads 1"
        );
        let mut small = finished_run();
        small.results[0].confusion.truncate(99);
        let small = serde_json::to_string(&KeptTransfer {
            version: KEPT_TRANSFER_VERSION,
            cancelled: false,
            request: None,
            current: None,
            points: small.points,
            results: small.results,
        })
        .unwrap();
        assert_eq!(
            err(&small),
            "the kept transfer run's frozen confusion matrix has 99 cells, not 100"
        );
        let empty = kept.replacen(
            &serde_json::to_string(&finished_run().results).unwrap(),
            "[]",
            1,
        );
        assert_eq!(err(&empty), "the kept transfer run has no result");
    }

    #[test]
    fn per_class_accuracy_is_the_diagonal_over_the_row() {
        let mut counts = vec![0u32; 100];
        counts[0] = 9; // 0 read as 0
        counts[7] = 1; // 0 read as 7
        counts[3 * 10 + 3] = 2;
        counts[3 * 10 + 5] = 6;
        let accuracy = per_class_accuracy(&counts);
        assert_eq!(accuracy.len(), 10);
        assert_eq!(accuracy[0], Some(0.9));
        assert_eq!(accuracy[3], Some(0.25));
        assert_eq!(accuracy[1], None, "no test image of 1");
    }

    #[test]
    fn confusion_rows_are_shares_of_each_true_digit() {
        let mut counts = vec![0u32; 100];
        counts[0] = 3; // true 0 predicted 0
        counts[6] = 1; // true 0 predicted 6
        let shares = confusion_shares(&counts);
        assert_eq!(shares[0], 0.75);
        assert_eq!(shares[6], 0.25);
        assert_eq!(
            shares[10..20].iter().sum::<f32>(),
            0.0,
            "a digit never seen stays 0"
        );
    }

    #[test]
    fn reproduction_rows_match_the_label_count() {
        let results = Results::from_json(include_str!("../../results/results.json")).unwrap();
        let rows = reproduction_rows(Some(&results), Some(1000));
        assert_eq!(rows.len(), 3);
        let csv = reproduction_csv(&rows);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[1].starts_with("frozen,1000,125,"), "{}", lines[1]);
        // No run with 10,000 labels: every row is shown.
        assert_eq!(reproduction_rows(Some(&results), Some(10_000)).len(), 9);
        assert!(reproduction_rows(None, Some(1000)).is_empty());
    }
}
