//! What the training chart's x axis counts: epochs (the report's axis), images seen or
//! optimiser steps. Runs on different amounts of data or batch sizes compare fairly only by
//! what they have been through: one epoch of 10,000 images is five epochs of 2,000, and one
//! epoch at batch 16 takes four times the steps of one at batch 64.

use super::chart::Colour;
use super::earlier_runs::EarlierRun;
use super::loss_history::LossHistory;
use crate::engine::TrainRequest;
use crate::training;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LossAxis {
    #[default]
    Epochs,
    Images,
    Steps,
}

impl LossAxis {
    pub const ALL: [LossAxis; 3] = [LossAxis::Epochs, LossAxis::Images, LossAxis::Steps];

    /// Its name in a link (`x=images`) and in the page's attributes.
    pub fn key(self) -> &'static str {
        match self {
            LossAxis::Epochs => "epochs",
            LossAxis::Images => "images",
            LossAxis::Steps => "steps",
        }
    }

    pub fn from_key(key: &str) -> Result<LossAxis, String> {
        LossAxis::ALL
            .into_iter()
            .find(|a| a.key() == key.trim())
            .ok_or_else(|| format!("x is epochs, images or steps, not '{}'", key.trim()))
    }

    /// The axis' label under the chart.
    pub fn label(self) -> &'static str {
        match self {
            LossAxis::Epochs => "epoch",
            LossAxis::Images => "training images seen",
            LossAxis::Steps => "optimiser steps",
        }
    }

    /// The choice as the chart's menu offers it.
    pub fn choice(self) -> &'static str {
        match self {
            LossAxis::Epochs => "epochs",
            LossAxis::Images => "images seen",
            LossAxis::Steps => "steps",
        }
    }

    /// Where a run of `shape` stands on this axis after `epochs` epochs (fractional within an
    /// epoch, as the loss history keeps a step: steps done ÷ steps an epoch).
    pub fn x(self, epochs: f64, shape: RunShape) -> f64 {
        let per_epoch = shape.steps_per_epoch();
        // The step the point was made at: the history's x came from a whole number of steps.
        let steps = (epochs * per_epoch as f64).round().max(0.0) as usize;
        match self {
            LossAxis::Epochs => epochs,
            LossAxis::Steps => steps as f64,
            // Every step takes a batch, the last of an epoch what is left of the images.
            LossAxis::Images => {
                let (done, into) = (steps / per_epoch, steps % per_epoch);
                (done * shape.train_images + (into * shape.batch_size).min(shape.train_images))
                    as f64
            }
        }
    }

    /// `points` (x in epochs) along this axis.
    pub fn along(self, points: &[(f64, f64)], shape: RunShape) -> Vec<(f64, f64)> {
        points.iter().map(|&(x, y)| (self.x(x, shape), y)).collect()
    }
}

impl std::fmt::Display for LossAxis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// What decides where a run's points fall on an axis other than epochs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunShape {
    pub train_images: usize,
    pub batch_size: usize,
}

impl RunShape {
    pub fn of(request: &TrainRequest) -> RunShape {
        RunShape {
            train_images: request.train_images,
            batch_size: request.training.batch_size,
        }
    }

    /// As the trainer counts them: the last batch of an epoch may be short.
    pub fn steps_per_epoch(self) -> usize {
        training::steps_per_epoch(self.train_images, self.batch_size)
    }
}

/// An earlier run's lines on the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlierLines {
    pub run_id: String,
    pub colour: Colour,
    pub final_test_loss: Option<f32>,
    /// Its smoothed training loss.
    pub steps: Vec<(f64, f64)>,
    /// Its test loss after each epoch.
    pub test: Vec<(f64, f64)>,
}

/// Every line of the training chart, along one axis.
#[derive(Debug, Clone, PartialEq)]
pub struct LossLines {
    pub axis: LossAxis,
    /// This run's smoothed training loss, its loss per epoch (train, test).
    pub steps: Vec<(f64, f64)>,
    pub train: Vec<(f64, f64)>,
    pub test: Vec<(f64, f64)>,
    /// Where this run will end (its planned epochs): the axis reaches that far from the start.
    pub planned_end: f64,
    pub earlier: Vec<EarlierLines>,
}

impl LossLines {
    /// The lines of this run (`history` of a run of `shape`, `epochs_planned` long; no shape
    /// before the first run) and of the `earlier` runs laid over it, along `axis`.
    pub fn new(
        axis: LossAxis,
        history: &LossHistory,
        shape: Option<RunShape>,
        epochs_planned: usize,
        earlier: &[EarlierRun],
    ) -> LossLines {
        // Before any run nothing is drawn: an axis of one epoch, whatever it counts.
        let shape = shape.unwrap_or(RunShape {
            train_images: 1,
            batch_size: 1,
        });
        let epoch_points =
            |pick: fn(&(f64, f64, f64)) -> (f64, f64)| history.epochs.iter().map(pick).collect();
        let (train, test): (Vec<_>, Vec<_>) =
            (epoch_points(|e| (e.0, e.1)), epoch_points(|e| (e.0, e.2)));
        LossLines {
            axis,
            steps: axis.along(&history.steps, shape),
            train: axis.along(&train, shape),
            test: axis.along(&test, shape),
            planned_end: axis.x(epochs_planned as f64, shape),
            earlier: earlier
                .iter()
                .map(|run| {
                    let shape = RunShape::of(&run.request);
                    EarlierLines {
                        run_id: run.run_id.clone(),
                        colour: run.rgb(),
                        final_test_loss: run.final_test_loss(),
                        steps: axis.along(&run.step_points(), shape),
                        test: axis.along(&run.test_points(), shape),
                    }
                })
                .collect(),
        }
    }

    fn points(&self) -> impl Iterator<Item = &(f64, f64)> {
        let earlier = self
            .earlier
            .iter()
            .flat_map(|e| e.steps.iter().chain(&e.test));
        self.steps
            .iter()
            .chain(&self.train)
            .chain(&self.test)
            .chain(earlier)
    }

    /// How far the axis reaches: the planned end of this run, or the furthest point drawn.
    pub fn x_end(&self) -> f64 {
        self.points()
            .map(|p| p.0)
            .filter(|x| x.is_finite())
            .fold(self.planned_end, f64::max)
    }

    /// The x range (0 to [`Self::x_end`], a little beyond so that the last marker shows whole,
    /// not cut by the chart's edge) and the y range of every value and of the `reference`
    /// line (no code's loss) where there is one, padded; on a log scale the range stays
    /// positive.
    pub fn ranges(&self, log: bool, reference: Option<f64>) -> ((f64, f64), (f64, f64)) {
        let x_end = match self.x_end() {
            x if x > 0.0 => x,
            _ => 1.0,
        };
        let values = self
            .points()
            .map(|p| p.1)
            .chain(reference)
            .filter(|v| v.is_finite() && (!log || *v > 0.0));
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let (lo, hi) = if lo.is_finite() {
            (lo, hi)
        } else {
            (0.01, 0.1)
        };
        let y = if log {
            (lo / 1.2, hi * 1.2)
        } else {
            let pad = ((hi - lo) * 0.08).max(hi.abs() * 0.02).max(1e-4);
            ((lo - pad).max(0.0), hi + pad)
        };
        ((0.0, x_end * 1.03), y)
    }
}

/// Every point of `history`'s chart as CSV: its epoch, and where a run of `shape` has then come
/// in optimiser steps and training images seen (the chart's other axes; empty cells where the
/// run's shape is unknown), so the file says what the chart showed on any axis.
pub fn loss_csv(history: &LossHistory, shape: Option<RunShape>) -> String {
    let mut csv = String::from("series,epoch,step,images,loss\n");
    let mut row = |series: &str, x: f64, loss: f64| {
        let (step, images) = shape.map_or((String::new(), String::new()), |shape| {
            (
                LossAxis::Steps.x(x, shape).to_string(),
                LossAxis::Images.x(x, shape).to_string(),
            )
        });
        csv.push_str(&format!("{series},{x},{step},{images},{loss}\n"));
    };
    for &(x, y) in &history.steps {
        row("train per step (smoothed)", x, y);
    }
    for &(e, train, _) in &history.epochs {
        row("train per epoch", e, train);
    }
    for &(e, _, test) in &history.epochs {
        row("test per epoch", e, test);
    }
    csv
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::engine::protocol::EpochLoss;
    use crate::model::Architecture;
    use crate::training::TrainingConfig;

    const SUBSET: RunShape = RunShape {
        train_images: 2000,
        batch_size: 64,
    };

    #[test]
    fn an_epoch_is_its_images_and_its_steps() {
        // 2,000 images at batch 64: 31 full batches and one of 16, 32 steps an epoch.
        assert_eq!(SUBSET.steps_per_epoch(), 32);
        let at = |axis: LossAxis, epochs: f64| axis.x(epochs, SUBSET);
        assert_eq!(at(LossAxis::Epochs, 1.5), 1.5);
        assert_eq!(at(LossAxis::Steps, 1.0), 32.0);
        assert_eq!(at(LossAxis::Steps, 3.0), 96.0);
        assert_eq!(at(LossAxis::Images, 1.0), 2000.0);
        assert_eq!(at(LossAxis::Images, 2.0), 4000.0);
        // 10 steps into the second epoch: 2,000 + 10 × 64.
        assert_eq!(at(LossAxis::Steps, 42.0 / 32.0), 42.0);
        assert_eq!(at(LossAxis::Images, 42.0 / 32.0), 2640.0);
        // The 31st step has taken 1,984 images, the 32nd the last 16.
        assert_eq!(at(LossAxis::Images, 31.0 / 32.0), 1984.0);
        // A step kept as an f32 (an earlier run's curve) comes back to the same step.
        assert_eq!(
            at(LossAxis::Steps, f64::from((42.0f64 / 32.0) as f32)),
            42.0
        );
        // A batch bigger than the images: one step an epoch, all of them.
        let tiny = RunShape {
            train_images: 50,
            batch_size: 64,
        };
        assert_eq!(
            (tiny.steps_per_epoch(), LossAxis::Images.x(3.0, tiny)),
            (1, 150.0)
        );
    }

    #[test]
    fn axes_read_back_from_their_keys() {
        for axis in LossAxis::ALL {
            assert_eq!(LossAxis::from_key(axis.key()), Ok(axis));
        }
        assert_eq!(LossAxis::from_key(" images "), Ok(LossAxis::Images));
        assert_eq!(
            LossAxis::from_key("pixels"),
            Err("x is epochs, images or steps, not 'pixels'".into())
        );
    }

    fn request(train_images: usize, batch_size: usize, epochs: usize) -> TrainRequest {
        TrainRequest {
            architecture: Architecture::TwoLayer,
            latent_dim: 20,
            training: TrainingConfig {
                epochs,
                batch_size,
                ..TrainingConfig::default()
            },
            train_images,
            beta: None,
        }
    }

    fn earlier_run(train_images: usize, epochs: usize) -> EarlierRun {
        EarlierRun {
            run_id: format!("run-{train_images}"),
            colour: 1,
            request: request(train_images, 100, epochs),
            model: None,
            cancelled: false,
            steps: vec![(0.5, 0.09), (epochs as f32, 0.05)],
            epochs: (1..=epochs)
                .map(|epoch| EpochLoss {
                    epoch,
                    train_loss: 0.06,
                    test_loss: 0.05,
                })
                .collect(),
            shown: true,
        }
    }

    #[test]
    fn each_run_goes_along_the_axis_by_its_own_shape() {
        // This run: 3 epochs planned of 6,000 images, one done; an earlier run of one epoch
        // on 1,000 images, another of 4 on 1,000.
        let mut history = LossHistory::new(60);
        history.push_step(30, 0.1);
        history.push_step(60, 0.08);
        history.push_epoch(1, 0.08, 0.07);
        let shape = Some(RunShape::of(&request(6000, 100, 3)));
        let earlier = [earlier_run(1000, 1), earlier_run(1000, 4)];
        let lines = |axis| LossLines::new(axis, &history, shape, 3, &earlier);

        let by_epoch = lines(LossAxis::Epochs);
        assert_eq!(
            by_epoch.steps,
            vec![(0.5, 0.1f32 as f64), (1.0, 0.08f32 as f64)]
        );
        assert_eq!(by_epoch.test, vec![(1.0, 0.07f32 as f64)]);
        // The 4-epoch run reaches past the 3 epochs planned.
        assert_eq!(by_epoch.x_end(), 4.0);

        let by_images = lines(LossAxis::Images);
        assert_eq!(by_images.steps[1].0, 6000.0);
        assert_eq!(by_images.train, vec![(6000.0, 0.08f32 as f64)]);
        assert_eq!(by_images.planned_end, 18_000.0);
        assert_eq!(by_images.x_end(), 18_000.0);
        // The 4-epoch run has seen 4,000 images: left of this run's first epoch.
        assert_eq!(by_images.earlier[1].test.last().unwrap().0, 4000.0);
        assert_eq!(by_images.earlier[0].steps[0].0, 500.0);
        assert_eq!(by_images.earlier[1].colour, earlier[1].rgb());
        assert_eq!(by_images.earlier[1].final_test_loss, Some(0.05));

        let by_steps = lines(LossAxis::Steps);
        assert_eq!(by_steps.planned_end, 180.0);
        assert_eq!(by_steps.earlier[1].test.last().unwrap().0, 40.0);
    }

    #[test]
    fn ranges_cover_values() {
        let mut h = LossHistory::new(10);
        h.push_step(5, 0.1);
        h.push_epoch(1, 0.06, 0.05);
        let shape = Some(RunShape {
            train_images: 10,
            batch_size: 1,
        });
        let lines =
            |earlier: &[EarlierRun]| LossLines::new(LossAxis::Epochs, &h, shape, 3, earlier);
        let ((x0, x1), (y0, y1)) = lines(&[]).ranges(false, None);
        // The last epoch planned, with room for its marker.
        assert!(x0 == 0.0 && (3.05..3.15).contains(&x1));
        assert!((0.0..0.05).contains(&y0) && y1 > 0.1);
        let (_, (l0, l1)) = lines(&[]).ranges(true, None);
        assert!(l0 > 0.0 && l0 < 0.05 && l1 > 0.1);
        // The reference line is always in view, above the values or below them.
        let (_, (_, r1)) = lines(&[]).ranges(true, Some(0.5));
        assert!(r1 > 0.5);
        let (_, (r0, _)) = lines(&[]).ranges(false, Some(0.01));
        assert!(r0 < 0.01);
        // Nothing yet: a sane default, or around the reference alone.
        let none = |reference| {
            LossLines::new(LossAxis::Images, &LossHistory::new(1), None, 1, &[])
                .ranges(true, reference)
        };
        let ((_, n1), (e0, e1)) = none(None);
        assert!(n1 > 1.0 && e0 > 0.0 && e1 > e0);
        let (_, (e0, e1)) = none(Some(0.067));
        assert!(e0 < 0.067 && 0.067 < e1);
        // An earlier run laid over the chart: longer and lower, it widens both ranges; its
        // unknown and (on a log scale) zero losses do not.
        let mut longer = earlier_run(10, 5);
        longer.steps = vec![(5.0, 0.001), (5.5, f32::NAN)];
        longer.epochs[0].test_loss = 0.0;
        let ((_, o1), (o0, _)) = lines(std::slice::from_ref(&longer)).ranges(true, None);
        assert!(
            (5.6..5.7).contains(&o1) && o0 < 0.001 && o0 > 0.0,
            "{o1} {o0}"
        );
        let (_, (z0, _)) = lines(&[longer]).ranges(false, None);
        assert_eq!(z0, 0.0);
    }

    #[test]
    fn csv_lists_steps_then_epochs_on_every_axis() {
        // 100 images at batch 64: two steps an epoch, the second of 36 images.
        let mut h = LossHistory::new(2);
        h.push_step(1, 0.5);
        h.push_epoch(1, 0.25, 0.125);
        let shape = RunShape {
            train_images: 100,
            batch_size: 64,
        };
        assert_eq!(
            loss_csv(&h, Some(shape)),
            "series,epoch,step,images,loss\n\
             train per step (smoothed),0.5,1,64,0.5\n\
             train per epoch,1,2,100,0.25\n\
             test per epoch,1,2,100,0.125\n"
        );
        assert_eq!(
            loss_csv(&h, None),
            "series,epoch,step,images,loss\n\
             train per step (smoothed),0.5,,,0.5\n\
             train per epoch,1,,,0.25\n\
             test per epoch,1,,,0.125\n"
        );
    }
}
