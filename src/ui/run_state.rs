//! The training view's run as the page follows it, and the finished run as the page keeps it
//! across reloads: its loss curve, last progress and reconstructions, which the model it
//! trained (kept in the model list) does not hold.

use serde::{Deserialize, Serialize};

use super::format;
use super::loss_history::LossHistory;
use super::run_status::RunStatus;
use crate::engine::TrainRequest;
use crate::engine::protocol::{EpochLoss, TrainingProgress};

/// The training view's run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunState {
    pub status: RunStatus,
    pub request: Option<TrainRequest>,
    pub progress: Option<TrainingProgress>,
    pub history: LossHistory,
    /// Reconstructions of the sample digits (784 bytes each), newest.
    pub reconstructions: Vec<u8>,
    /// The optimiser step they were made after.
    pub reconstructions_step: Option<usize>,
    /// The store name of the model the last run produced.
    pub model: Option<String>,
    /// The run's id (the key of its checkpoint).
    pub run_id: Option<String>,
}

/// A finished (or cancelled) training as the page keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct KeptRun {
    /// [`KEPT_RUN_VERSION`]: a later page that keeps other fields reads an older entry as
    /// unreadable, not as wrong numbers.
    version: u32,
    cancelled: bool,
    request: TrainRequest,
    progress: Option<TrainingProgress>,
    steps_per_epoch: usize,
    /// (optimiser step, smoothed batch loss): the numbers the chart's points were made from,
    /// so that they come back to the last bit (serde_json parses some f64s one bit off).
    steps: Vec<(usize, f32)>,
    /// A diverged epoch's loss is NaN, which JSON cannot hold: `null`, as in a checkpoint.
    epochs: Vec<EpochLoss>,
    reconstructions: Vec<u8>,
    reconstructions_step: Option<usize>,
    model: Option<String>,
    run_id: Option<String>,
}

const KEPT_RUN_VERSION: u32 = 1;

/// Bytes in one reconstruction (28 × 28).
const IMAGE_BYTES: usize = 28 * 28;

/// A kept run's JSON, read as `T` if it is of this page's `version`; an error that names
/// `what` was kept (`the kept {what}: …`) otherwise. A later page that keeps other fields thus
/// reads an older entry as unreadable, not as wrong numbers.
pub(super) fn read_kept<T: serde::de::DeserializeOwned>(
    json: &str,
    what: &str,
    version: u32,
    version_of: impl Fn(&T) -> u32,
) -> Result<T, String> {
    let kept: T = serde_json::from_str(json).map_err(|e| format!("the kept {what}: {e}"))?;
    match version_of(&kept) {
        v if v == version => Ok(kept),
        v => Err(format!(
            "the kept {what} is of version {v}, this page reads {version}"
        )),
    }
}

impl RunState {
    /// The training view's progress line; a run that ended with a model names it, since a
    /// reload shows the last run beside a form that may ask for another.
    pub fn progress_text(&self) -> String {
        let Some(p) = &self.progress else {
            return match self.status {
                RunStatus::Running => "Starting…",
                _ => "Not started.",
            }
            .into();
        };
        let line = format::progress_line(p, self.status);
        match (&self.model, self.status) {
            (Some(model), RunStatus::Finished | RunStatus::Cancelled) => format!("{line}: {model}"),
            _ => line,
        }
    }

    /// The run to keep, as JSON: `None` while it runs, when it failed (the last kept run
    /// stays), or before there is one.
    pub fn to_kept(&self) -> Option<String> {
        let cancelled = self.status.kept_cancelled()?;
        let h = &self.history;
        serde_json::to_string(&KeptRun {
            version: KEPT_RUN_VERSION,
            cancelled,
            request: self.request.clone()?,
            progress: self.progress,
            steps_per_epoch: h.steps_per_epoch(),
            steps: h
                .steps
                .iter()
                .map(|&(x, loss)| {
                    (
                        (x * h.steps_per_epoch() as f64).round() as usize,
                        loss as f32,
                    )
                })
                .collect(),
            epochs: h.epoch_losses(),
            reconstructions: self.reconstructions.clone(),
            reconstructions_step: self.reconstructions_step,
            model: self.model.clone(),
            run_id: self.run_id.clone(),
        })
        .ok()
    }

    /// The run an earlier visit kept, shown as it ended; an error that says why for an entry
    /// that cannot be read (another version, damaged, images or a curve out of shape).
    pub fn from_kept(json: &str) -> Result<RunState, String> {
        let kept: KeptRun = read_kept(json, "training", KEPT_RUN_VERSION, |k: &KeptRun| k.version)?;
        if !kept.reconstructions.len().is_multiple_of(IMAGE_BYTES) {
            return Err(format!(
                "the kept training's reconstructions are {} bytes, not a whole number of 28 × 28 images",
                kept.reconstructions.len()
            ));
        }
        let epochs = kept
            .epochs
            .iter()
            .map(|e| (e.epoch as f64, e.train_loss as f64, e.test_loss as f64))
            .collect();
        // As `LossHistory::push_step` computes them, to the bit.
        let per_epoch = kept.steps_per_epoch.max(1) as f64;
        let steps = kept
            .steps
            .iter()
            .map(|&(step, loss)| (step as f64 / per_epoch, loss as f64))
            .collect();
        let history = LossHistory::from_parts(kept.steps_per_epoch, steps, epochs)
            .ok_or("the kept training's loss curve does not run forward in finite steps")?;
        Ok(RunState {
            status: RunStatus::from_kept(kept.cancelled),
            request: Some(kept.request),
            progress: kept.progress,
            history,
            reconstructions: kept.reconstructions,
            reconstructions_step: kept.reconstructions_step,
            model: kept.model,
            run_id: kept.run_id,
        })
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::model::Architecture;
    use crate::training::TrainingConfig;

    fn finished_run() -> RunState {
        let mut history = LossHistory::new(4);
        history.push_step(2, 0.25);
        history.push_step(4, 0.125);
        history.push_epoch(1, 0.1875, 0.15625);
        RunState {
            status: RunStatus::Finished,
            request: Some(TrainRequest {
                architecture: Architecture::TwoLayer,
                latent_dim: 5,
                training: TrainingConfig::default(),
                train_images: 256,
                beta: None,
            }),
            progress: Some(TrainingProgress {
                epoch: 1,
                epochs: 1,
                step: 4,
                total_steps: 4,
                loss: 0.1,
                smoothed_loss: 0.125,
                images_per_second: 900.0,
                elapsed_seconds: 0.25,
                seconds_left: Some(0.0),
                paused: false,
            }),
            history,
            reconstructions: (0..2 * IMAGE_BYTES).map(|i| (i % 251) as u8).collect(),
            reconstructions_step: Some(4),
            model: Some("two-layer-d5 (trained 1)".into()),
            run_id: Some("tab-run1".into()),
        }
    }

    #[test]
    fn a_finished_run_is_kept_and_comes_back_as_it_ended() {
        let run = finished_run();
        let kept = run.to_kept().expect("a finished run is kept");
        assert_eq!(RunState::from_kept(&kept), Ok(run.clone()));
        // A cancelled run comes back cancelled, curve and all.
        let cancelled = RunState {
            status: RunStatus::Cancelled,
            ..run.clone()
        };
        assert_eq!(
            RunState::from_kept(&cancelled.to_kept().unwrap()),
            Ok(cancelled)
        );
        // Nothing to keep while it runs, when it failed, or before there is a run.
        for status in [
            RunStatus::Running,
            RunStatus::Paused,
            RunStatus::Failed,
            RunStatus::Idle,
        ] {
            let state = RunState {
                status,
                ..run.clone()
            };
            assert_eq!(state.to_kept(), None, "{status:?}");
        }
        assert_eq!(RunState::default().to_kept(), None);
    }

    #[test]
    fn the_progress_line_names_the_model_a_run_ended_with() {
        let run = finished_run();
        assert_eq!(
            run.progress_text(),
            "Epoch 1/1 · step 4/4 · loss 0.1250 · 900 images/s · 0.2 s elapsed \
             · finished: two-layer-d5 (trained 1)"
        );
        let running = RunState {
            status: RunStatus::Running,
            ..run.clone()
        };
        assert!(running.progress_text().ends_with("0.0 s left"));
        let starting = RunState {
            progress: None,
            ..running
        };
        assert_eq!(starting.progress_text(), "Starting…");
        assert_eq!(RunState::default().progress_text(), "Not started.");
    }

    #[test]
    fn a_curve_comes_back_to_the_last_bit() {
        // Losses with long decimals, at steps that are no round share of an epoch: one bit off
        // showed as a changed chart.
        let mut run = finished_run();
        run.history = LossHistory::new(3);
        for step in 1..=40 {
            run.history
                .push_step(step, 0.235_915_35 / step as f32 + 1e-7);
        }
        run.history.push_epoch(1, 0.235_481_47, 0.221_546_66);
        let back = RunState::from_kept(&run.to_kept().unwrap()).unwrap();
        let bits = |h: &LossHistory| {
            h.steps
                .iter()
                .map(|p| (p.0.to_bits(), p.1.to_bits()))
                .collect::<Vec<_>>()
        };
        assert_eq!(bits(&back.history), bits(&run.history));
        assert_eq!(back, run);
    }

    #[test]
    fn a_diverged_epoch_is_kept_as_null_and_comes_back_as_nan() {
        let mut run = finished_run();
        run.history.push_epoch(2, f32::NAN, f32::INFINITY);
        let kept = run.to_kept().unwrap();
        assert!(kept.contains(r#"{"epoch":2,"train_loss":null,"test_loss":null}"#));
        let back = RunState::from_kept(&kept).unwrap();
        let (epoch, train, test) = back.history.epochs[1];
        assert!(epoch == 2.0 && train.is_nan() && test.is_nan());
        assert_eq!(back.history.epochs[0], run.history.epochs[0]);
    }

    #[test]
    fn an_unreadable_kept_run_is_refused_with_its_reason() {
        let kept = finished_run().to_kept().unwrap();
        let err = |json: &str| RunState::from_kept(json).unwrap_err();
        assert!(err("{").starts_with("the kept training: "));
        assert!(
            err(&kept.replacen("\"request\"", "\"requested\"", 1))
                .starts_with("the kept training: missing field `request`")
        );
        assert_eq!(
            err(&kept.replacen("\"version\":1", "\"version\":2", 1)),
            "the kept training is of version 2, this page reads 1"
        );
        let mut short = finished_run();
        short.reconstructions.pop();
        assert_eq!(
            err(&short.to_kept().unwrap()),
            "the kept training's reconstructions are 1567 bytes, not a whole number of 28 × 28 images"
        );
        let backwards = kept.replacen("[2,0.25],[4,0.125]", "[4,0.25],[2,0.125]", 1);
        assert_ne!(backwards, kept, "the test edits the curve");
        assert_eq!(
            err(&backwards),
            "the kept training's loss curve does not run forward in finite steps"
        );
    }
}
