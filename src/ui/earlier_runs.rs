//! Earlier trainings in this browser, kept after the next run takes the chart: each finished
//! or cancelled run's settings and loss curve, so that runs can be laid over one another on the
//! training chart (one learning rate against another, one latent size against another) and
//! compared in a table. The run on the chart itself is kept whole by [`super::run_state`].

use serde::{Deserialize, Serialize};

use super::chart::{Colour, GREEN, PURPLE, csv_field};
use super::format;
use super::run_state::{RunState, read_kept};
use crate::engine::TrainRequest;
use crate::engine::protocol::EpochLoss;
use crate::model::Architecture;

/// Runs kept: when one more finishes, the oldest is forgotten (the list says so).
pub const MAX_EARLIER_RUNS: usize = 30;
/// Points kept of a run's smoothed step curve: its shape on a 640 px chart, in a few KB.
pub const MAX_CURVE_POINTS: usize = 200;
const EARLIER_RUNS_VERSION: u32 = 1;

/// The colours earlier runs are drawn in: none of the chart's own (blue train, orange test,
/// grey no code), each run keeping its colour while others come and go.
pub const RUN_COLOURS: [Colour; 6] = [
    GREEN,
    PURPLE,
    (0, 140, 150),
    (150, 100, 40),
    (200, 60, 130),
    (120, 130, 30),
];

/// One earlier training, as the list and the chart show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarlierRun {
    /// The run's id: the same run kept twice (once as it ends, again as its model joins the
    /// list) stays one entry.
    pub run_id: String,
    /// Its index in [`RUN_COLOURS`].
    pub colour: usize,
    pub request: TrainRequest,
    /// The model it trained, once the model list has it.
    pub model: Option<String>,
    pub cancelled: bool,
    /// (epochs done, smoothed training loss), at most [`MAX_CURVE_POINTS`].
    pub steps: Vec<(f32, f32)>,
    /// Every completed epoch's losses (a diverged one's as `null`).
    pub epochs: Vec<EpochLoss>,
    /// Laid over the chart.
    pub shown: bool,
}

impl EarlierRun {
    /// The run as the list keeps it, drawn in `colour`: `None` while it runs, when it failed,
    /// and for a run that ended before its first step (nothing to compare).
    pub fn of(run: &RunState, colour: usize) -> Option<EarlierRun> {
        let cancelled = run.status.kept_cancelled()?;
        if run.history.steps.is_empty() {
            return None;
        }
        Some(EarlierRun {
            run_id: run.run_id.clone()?,
            colour: colour % RUN_COLOURS.len(),
            request: run.request.clone()?,
            model: run.model.clone(),
            cancelled,
            steps: thin(&run.history.steps, MAX_CURVE_POINTS)
                .into_iter()
                .map(|(x, y)| (x as f32, y as f32))
                .collect(),
            epochs: run.history.epoch_losses(),
            shown: true,
        })
    }

    /// Its settings in words: "two-layer, d = 20, lr 0.001, batch 64, 2,000 images, seed 42"
    /// (and the VAE's β).
    pub fn label(&self) -> String {
        let r = &self.request;
        let t = &r.training;
        let beta = match r.architecture {
            Architecture::Vae => format!(", β {}", r.beta.unwrap_or(1.0)),
            _ => String::new(),
        };
        format!(
            "{}, d = {}{beta}, lr {}, batch {}, {} images, seed {}",
            r.architecture,
            r.latent_dim,
            t.learning_rate,
            t.batch_size,
            format::thousands(r.train_images),
            t.seed
        )
    }

    /// How far it went: "1 of 1 epoch", "1 of 3 epochs, cancelled".
    pub fn extent(&self) -> String {
        let planned = self.request.training.epochs;
        let epochs = if planned == 1 { "epoch" } else { "epochs" };
        let cancelled = if self.cancelled { ", cancelled" } else { "" };
        format!("{} of {planned} {epochs}{cancelled}", self.epochs.len())
    }

    /// The test loss after its last completed epoch.
    pub fn final_test_loss(&self) -> Option<f32> {
        self.epochs.last().map(|e| e.test_loss)
    }

    /// The mean training loss over its last completed epoch: beside the test loss, how much
    /// better it does on the digits it trained on than on new ones.
    pub fn final_train_loss(&self) -> Option<f32> {
        self.epochs.last().map(|e| e.train_loss)
    }

    pub fn rgb(&self) -> Colour {
        RUN_COLOURS[self.colour % RUN_COLOURS.len()]
    }

    /// Its smoothed training loss as chart points (x in epochs).
    pub fn step_points(&self) -> Vec<(f64, f64)> {
        self.steps
            .iter()
            .map(|&(x, y)| (x as f64, y as f64))
            .collect()
    }

    /// Its test loss per epoch as chart points.
    pub fn test_points(&self) -> Vec<(f64, f64)> {
        self.epochs
            .iter()
            .map(|e| (e.epoch as f64, e.test_loss as f64))
            .collect()
    }
}

/// At most `max` of `points`, evenly spread, the first and the last always among them.
fn thin(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max || max < 2 {
        return points.to_vec();
    }
    let last = points.len() - 1;
    (0..max)
        .map(|i| points[(i * last + (max - 1) / 2) / (max - 1)])
        .collect()
}

/// What the person does to an earlier run in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EarlierRunChange {
    /// Lay it over the chart (`true`) or take it off.
    Show(bool),
    /// Take it off the list (its model stays in the model list).
    Forget,
}

/// The earlier runs, newest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EarlierRuns {
    runs: Vec<EarlierRun>,
}

#[derive(Serialize, Deserialize)]
struct KeptRuns {
    version: u32,
    runs: Vec<EarlierRun>,
}

impl EarlierRuns {
    pub fn runs(&self) -> &[EarlierRun] {
        &self.runs
    }

    /// The runs to list under a chart that shows `current` (its own run is not an earlier one).
    pub fn besides<'a>(&'a self, current: Option<&'a str>) -> impl Iterator<Item = &'a EarlierRun> {
        self.runs
            .iter()
            .filter(move |r| Some(r.run_id.as_str()) != current)
    }

    /// The colour for the next run: the one after the newest run's, so that runs made one
    /// after the other never share one.
    pub fn next_colour(&self) -> usize {
        self.runs
            .first()
            .map_or(0, |r| (r.colour + 1) % RUN_COLOURS.len())
    }

    /// Keeps `run`: a run already kept is updated where it stands, keeping its colour and
    /// whether it is shown; a new one goes first, and the oldest beyond [`MAX_EARLIER_RUNS`]
    /// is forgotten.
    pub fn remember(&mut self, run: EarlierRun) {
        match self.runs.iter_mut().find(|r| r.run_id == run.run_id) {
            Some(kept) => {
                *kept = EarlierRun {
                    colour: kept.colour,
                    shown: kept.shown,
                    ..run
                }
            }
            None => {
                self.runs.insert(0, run);
                self.runs.truncate(MAX_EARLIER_RUNS);
            }
        }
    }

    /// Forgets a run; `false` if none has that id.
    pub fn forget(&mut self, run_id: &str) -> bool {
        let before = self.runs.len();
        self.runs.retain(|r| r.run_id != run_id);
        self.runs.len() != before
    }

    /// Shows a run on the chart or takes it off; `false` if none has that id.
    pub fn set_shown(&mut self, run_id: &str, shown: bool) -> bool {
        match self.runs.iter_mut().find(|r| r.run_id == run_id) {
            Some(run) => {
                run.shown = shown;
                true
            }
            None => false,
        }
    }

    /// Makes `change` to the run `run_id`; `false` if none has that id.
    pub fn apply(&mut self, run_id: &str, change: EarlierRunChange) -> bool {
        match change {
            EarlierRunChange::Show(shown) => self.set_shown(run_id, shown),
            EarlierRunChange::Forget => self.forget(run_id),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&KeptRuns {
            version: EARLIER_RUNS_VERSION,
            runs: self.runs.clone(),
        })
        .expect("plain data serialises")
    }

    /// The runs an earlier visit kept; an error that says why for a list that cannot be read
    /// (another version, damaged, a curve that does not run forward, an unknown colour).
    pub fn from_json(json: &str) -> Result<EarlierRuns, String> {
        let kept: KeptRuns = read_kept(
            json,
            "list of earlier runs",
            EARLIER_RUNS_VERSION,
            |k: &KeptRuns| k.version,
        )?;
        for run in &kept.runs {
            let forward = run.steps.windows(2).all(|w| w[0].0 < w[1].0);
            let finite = run.steps.iter().all(|p| p.0.is_finite() && p.1.is_finite());
            if !(forward && finite) || run.colour >= RUN_COLOURS.len() {
                return Err(format!(
                    "the kept earlier run {} is out of shape (its curve or colour)",
                    run.run_id
                ));
            }
        }
        Ok(EarlierRuns { runs: kept.runs })
    }
}

/// Runs as a table (CSV), one row each, in their order: settings, how far each went and its
/// last epoch's losses.
pub fn runs_csv(runs: &[EarlierRun]) -> String {
    let mut csv = String::from(
        "run,architecture,latent_dim,beta,learning_rate,batch_size,train_images,seed,\
         epochs_planned,epochs_done,cancelled,train_loss,test_loss,model\n",
    );
    for r in runs {
        let q = &r.request;
        let last = r.epochs.last();
        let loss = |v: Option<f32>| {
            v.filter(|v| v.is_finite())
                .map_or(String::new(), |v| v.to_string())
        };
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            r.run_id,
            q.architecture,
            q.latent_dim,
            q.beta.map_or(String::new(), |b| b.to_string()),
            q.training.learning_rate,
            q.training.batch_size,
            q.train_images,
            q.training.seed,
            q.training.epochs,
            r.epochs.len(),
            r.cancelled,
            loss(last.map(|e| e.train_loss)),
            loss(last.map(|e| e.test_loss)),
            csv_field(r.model.as_deref().unwrap_or("")),
        ));
    }
    csv
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::training::TrainingConfig;
    use crate::ui::loss_history::LossHistory;
    use crate::ui::run_status::RunStatus;

    fn run(id: &str, status: RunStatus, steps: usize) -> RunState {
        let mut history = LossHistory::new(10);
        for step in 1..=steps {
            history.push_step(step, 1.0 / step as f32);
        }
        for epoch in 1..=steps / 10 {
            history.push_epoch(epoch, 0.5 / epoch as f32, 0.25 / epoch as f32);
        }
        RunState {
            status,
            request: Some(TrainRequest {
                architecture: Architecture::TwoLayer,
                latent_dim: 5,
                training: TrainingConfig {
                    epochs: 3,
                    ..TrainingConfig::default()
                },
                train_images: 2000,
                beta: None,
            }),
            history,
            model: Some("two-layer-d5 (trained 1)".into()),
            run_id: Some(id.into()),
            ..RunState::default()
        }
    }

    #[test]
    fn a_run_is_kept_once_it_has_ended_and_taken_a_step() {
        let kept = EarlierRun::of(&run("t-run1", RunStatus::Cancelled, 25), 7).unwrap();
        assert_eq!(kept.run_id, "t-run1");
        assert_eq!(kept.colour, 1, "7 wraps to the second colour");
        assert!(kept.cancelled && kept.shown);
        assert_eq!(kept.steps.len(), 25);
        assert_eq!(kept.steps[0], (0.1, 1.0));
        assert_eq!(kept.epochs.len(), 2);
        assert_eq!(kept.final_test_loss(), Some(0.125));
        assert_eq!(
            kept.final_train_loss(),
            Some(0.25),
            "epoch 2's, not the first's"
        );
        assert_eq!(kept.test_points(), vec![(1.0, 0.25), (2.0, 0.125)]);
        assert_eq!(kept.extent(), "2 of 3 epochs, cancelled");
        assert_eq!(
            kept.label(),
            "two-layer, d = 5, lr 0.001, batch 64, 2,000 images, seed 42"
        );
        let finished = EarlierRun::of(&run("t-run2", RunStatus::Finished, 30), 0).unwrap();
        assert!(!finished.cancelled);
        assert_eq!(finished.extent(), "3 of 3 epochs");
        for status in [
            RunStatus::Running,
            RunStatus::Paused,
            RunStatus::Failed,
            RunStatus::Idle,
        ] {
            assert_eq!(
                EarlierRun::of(&run("t-run3", status, 20), 0),
                None,
                "{status:?}"
            );
        }
        assert_eq!(
            EarlierRun::of(&run("t-run4", RunStatus::Cancelled, 0), 0),
            None
        );
        let mut no_id = run("", RunStatus::Finished, 20);
        no_id.run_id = None;
        assert_eq!(EarlierRun::of(&no_id, 0), None);
    }

    #[test]
    fn a_variational_run_names_its_beta() {
        let mut vae = run("t-run1", RunStatus::Finished, 10);
        let request = vae.request.as_mut().unwrap();
        request.architecture = Architecture::Vae;
        request.latent_dim = 20;
        request.training.epochs = 1;
        let kept = EarlierRun::of(&vae, 0).unwrap();
        assert_eq!(
            kept.label(),
            "vae, d = 20, β 1, lr 0.001, batch 64, 2,000 images, seed 42"
        );
        assert_eq!(kept.extent(), "1 of 1 epoch");
        vae.request.as_mut().unwrap().beta = Some(0.5);
        assert!(EarlierRun::of(&vae, 0).unwrap().label().contains("β 0.5,"));
    }

    #[test]
    fn a_long_curve_is_thinned_evenly_keeping_both_ends() {
        let points: Vec<(f64, f64)> = (0..1000).map(|i| (i as f64, i as f64)).collect();
        let thinned = thin(&points, 200);
        assert_eq!(thinned.len(), 200);
        assert_eq!((thinned[0], thinned[199]), (points[0], points[999]));
        assert!(thinned.windows(2).all(|w| w[0].0 < w[1].0));
        // Evenly: gaps of 5 or 6 points (999 / 199 = 5.02).
        assert!(
            thinned
                .windows(2)
                .all(|w| (5.0..=6.0).contains(&(w[1].0 - w[0].0)))
        );
        assert_eq!(thin(&points[..3], 200), points[..3].to_vec());
        let long = EarlierRun::of(&run("t-run1", RunStatus::Finished, 1000), 0).unwrap();
        assert_eq!(long.steps.len(), MAX_CURVE_POINTS);
        assert_eq!(long.steps.last(), Some(&(100.0, 0.001)));
    }

    #[test]
    fn remembering_puts_new_runs_first_and_updates_a_known_run_in_place() {
        let mut runs = EarlierRuns::default();
        assert_eq!(runs.next_colour(), 0);
        for i in 1..=3 {
            let colour = runs.next_colour();
            runs.remember(
                EarlierRun::of(&run(&format!("t-run{i}"), RunStatus::Finished, 10), colour)
                    .unwrap(),
            );
        }
        let ids = |r: &EarlierRuns| {
            r.runs()
                .iter()
                .map(|r| r.run_id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&runs), ["t-run3", "t-run2", "t-run1"]);
        assert_eq!(
            runs.runs().iter().map(|r| r.colour).collect::<Vec<_>>(),
            [2, 1, 0]
        );
        // The first run again, now with another model name: where it was, its colour and its
        // hidden state kept.
        assert!(runs.set_shown("t-run1", false));
        let mut again = EarlierRun::of(&run("t-run1", RunStatus::Finished, 10), 5).unwrap();
        again.model = Some("renamed".into());
        runs.remember(again);
        assert_eq!(ids(&runs), ["t-run3", "t-run2", "t-run1"]);
        let first = &runs.runs()[2];
        assert_eq!(
            (first.colour, first.shown, first.model.as_deref()),
            (0, false, Some("renamed"))
        );
        // Beside the chart's own run.
        let besides: Vec<&str> = runs
            .besides(Some("t-run3"))
            .map(|r| r.run_id.as_str())
            .collect();
        assert_eq!(besides, ["t-run2", "t-run1"]);
        assert_eq!(runs.besides(None).count(), 3);
        assert!(runs.forget("t-run2"));
        assert!(!runs.forget("t-run2"));
        assert!(!runs.set_shown("t-run2", true));
        assert_eq!(ids(&runs), ["t-run3", "t-run1"]);
        // The same through the list's changes.
        assert!(runs.apply("t-run3", EarlierRunChange::Show(false)));
        assert!(!runs.runs()[0].shown);
        assert!(runs.apply("t-run3", EarlierRunChange::Forget));
        assert!(!runs.apply("t-run3", EarlierRunChange::Show(true)));
        assert_eq!(ids(&runs), ["t-run1"]);
    }

    #[test]
    fn the_oldest_run_goes_beyond_the_limit() {
        let mut runs = EarlierRuns::default();
        for i in 0..MAX_EARLIER_RUNS + 2 {
            let colour = runs.next_colour();
            runs.remember(
                EarlierRun::of(&run(&format!("t-run{i}"), RunStatus::Finished, 10), colour)
                    .unwrap(),
            );
        }
        assert_eq!(runs.runs().len(), MAX_EARLIER_RUNS);
        assert_eq!(
            runs.runs()[0].run_id,
            format!("t-run{}", MAX_EARLIER_RUNS + 1)
        );
        assert_eq!(runs.runs().last().unwrap().run_id, "t-run2");
        // Neighbours never share a colour.
        assert!(runs.runs().windows(2).all(|w| w[0].colour != w[1].colour));
    }

    #[test]
    fn the_list_comes_back_from_its_json_and_refuses_a_damaged_one() {
        let mut runs = EarlierRuns::default();
        runs.remember(EarlierRun::of(&run("t-run1", RunStatus::Cancelled, 25), 0).unwrap());
        let mut diverged = run("t-run2", RunStatus::Finished, 10);
        diverged.history.push_epoch(2, f32::NAN, f32::NAN);
        runs.remember(EarlierRun::of(&diverged, 1).unwrap());
        let json = runs.to_json();
        let back = EarlierRuns::from_json(&json).unwrap();
        assert_eq!(back.runs()[1], runs.runs()[1]);
        // A diverged epoch comes back as NaN (JSON's null).
        assert!(back.runs()[0].final_test_loss().unwrap().is_nan());
        assert_eq!(back.runs()[0].epochs[0], runs.runs()[0].epochs[0]);
        let err = |json: &str| EarlierRuns::from_json(json).unwrap_err();
        assert!(err("[").starts_with("the kept list of earlier runs: "));
        assert_eq!(
            err(&json.replacen("\"version\":1", "\"version\":9", 1)),
            "the kept list of earlier runs is of version 9, this page reads 1"
        );
        assert_eq!(
            err(&json.replacen("\"colour\":0", "\"colour\":6", 1)),
            "the kept earlier run t-run1 is out of shape (its curve or colour)"
        );
        let backwards = json.replacen("[0.1,1.0],[0.2,0.5]", "[0.2,1.0],[0.1,0.5]", 1);
        assert_ne!(backwards, json, "the test edits the curve");
        // The first run listed (t-run2, newest) is the one edited.
        assert_eq!(
            err(&backwards),
            "the kept earlier run t-run2 is out of shape (its curve or colour)"
        );
        assert_eq!(
            EarlierRuns::from_json(&EarlierRuns::default().to_json()),
            Ok(EarlierRuns::default())
        );
    }

    #[test]
    fn the_table_as_csv_has_a_row_a_run() {
        let mut runs = EarlierRuns::default();
        runs.remember(EarlierRun::of(&run("t-run1", RunStatus::Cancelled, 25), 0).unwrap());
        let mut named = EarlierRun::of(&run("t-run2", RunStatus::Finished, 10), 1).unwrap();
        named.model = Some("my \"best\", so far".into());
        runs.remember(named);
        let csv = runs_csv(runs.runs());
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[1],
            "t-run2,two-layer,5,,0.001,64,2000,42,3,1,false,0.5,0.25,\"my \"\"best\"\", so far\""
        );
        assert_eq!(
            lines[2],
            "t-run1,two-layer,5,,0.001,64,2000,42,3,2,true,0.25,0.125,two-layer-d5 (trained 1)"
        );
        assert_eq!(lines[0].split(',').count(), 14);
    }
}
