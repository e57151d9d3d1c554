//! The shape of `results.json`, written by `latent-lab reproduce` and read by the page (which
//! shows the full-MNIST numbers beside its own).

use crate::analysis::{DecorrelationStats, LinearBaselines};
use crate::training::{TrainingConfig, TransferScenario};
use serde::{Deserialize, Serialize};

/// Per-epoch losses of an autoencoder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    /// Eval-mode loss on the whole training set after each epoch.
    pub train: Vec<f32>,
    /// Eval-mode loss on the whole test set after each epoch.
    pub test: Vec<f32>,
    /// Mean of the epoch's batch losses (train mode, as the optimizer saw them).
    pub train_running: Vec<f32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AutoencoderRun {
    pub name: String,
    pub layers: usize,
    pub latent_dim: usize,
    pub params: usize,
    pub train_loss: f32,
    pub test_loss: f32,
    pub curve: Curve,
    pub seconds: f64,
    pub images_per_second: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepEntry {
    pub latent_dim: usize,
    pub params: usize,
    pub train_loss: f32,
    pub test_loss: f32,
    pub curve: Curve,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepthEntry {
    pub layers: usize,
    pub params: usize,
    pub train_loss: f32,
    pub test_loss: f32,
    pub curve: Curve,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterpolationEntry {
    pub pair: [u8; 2],
    pub latent_dim: usize,
    /// Test-set indices of the two images.
    pub indices: [usize; 2],
    pub alphas: Vec<f32>,
    pub png: String,
    /// Per frame, the distance from its code to the nearest code of the first
    /// [`NEAREST_DATA_REFERENCE`] test digits, over their typical nearest-neighbour distance
    /// (empty in results made before it was added, or where the codes cannot say).
    #[serde(default)]
    pub nearest_data: Vec<f32>,
}

impl InterpolationEntry {
    /// The mean distance from the data over the path's inner frames (all but its two ends,
    /// which are real digits); `None` without figures.
    pub fn inner_path_distance(&self) -> Option<f64> {
        let n = self.nearest_data.len();
        if n < 3 {
            return None;
        }
        let inner = &self.nearest_data[1..n - 1];
        Some(inner.iter().map(|&v| f64::from(v)).sum::<f64>() / inner.len() as f64)
    }
}

/// The test digits whose codes an interpolation's frames are measured against: the page's
/// bundled test subset, so the command and the page give the same figures.
pub const NEAREST_DATA_REFERENCE: usize = 2_000;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TransferCurve {
    /// Epochs (1-based) at which the test set was evaluated.
    pub epochs: Vec<usize>,
    /// Mean batch loss of every epoch.
    pub train_running: Vec<f32>,
    pub test_loss: Vec<f32>,
    pub test_accuracy: Vec<f32>,
}

impl TransferCurve {
    /// The lowest test loss scored, with the epoch it was scored at; `None` before any
    /// scoring. A NaN never counts as the lowest.
    pub fn lowest_test_loss(&self) -> Option<(usize, f32)> {
        self.epochs
            .iter()
            .copied()
            .zip(self.test_loss.iter().copied())
            .filter(|(_, loss)| !loss.is_nan())
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The first scored epoch whose test accuracy reaches `accuracy` (a fraction).
    pub fn first_epoch_reaching(&self, accuracy: f32) -> Option<usize> {
        self.epochs
            .iter()
            .zip(&self.test_accuracy)
            .find(|(_, a)| **a >= accuracy)
            .map(|(e, _)| *e)
    }

    /// The first epoch (from 1) whose mean batch loss lies under `level`.
    pub fn first_epoch_under(&self, level: f32) -> Option<usize> {
        self.train_running
            .iter()
            .position(|&loss| loss < level)
            .map(|i| i + 1)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferEntry {
    pub scenario: TransferScenario,
    pub labels: usize,
    pub epochs: usize,
    pub train_loss: f32,
    pub train_accuracy: f32,
    pub test_loss: f32,
    pub test_accuracy: f32,
    pub curve: TransferCurve,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Results {
    pub command: String,
    pub quick: bool,
    pub backend: String,
    pub machine: String,
    pub started_utc: String,
    pub wall_seconds: f64,
    pub train_images: usize,
    pub test_images: usize,
    pub training: TrainingConfig,
    pub latent_sweep: Vec<SweepEntry>,
    pub depth: Vec<DepthEntry>,
    pub interpolation: Vec<InterpolationEntry>,
    pub decorrelation: Vec<DecorrelationStats>,
    pub transfer: Vec<TransferEntry>,
    /// Every autoencoder run in full (timings included).
    pub runs: Vec<AutoencoderRun>,
    /// Part 5, the variational autoencoder beside the plain two-layer one (absent from results
    /// made before it was added).
    #[serde(default)]
    pub variational: Vec<VariationalEntry>,
    /// The latent sweep's baseline: what a linear code of each size (PCA of the training
    /// images) reconstructs, and with no code the mean digit (absent from results made before
    /// it was added; `latent-lab baselines` adds it to such a file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linear_baselines: Option<LinearBaselines>,
}

/// Part 5: a variational autoencoder (two layers, Gaussian code) at one latent size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariationalEntry {
    pub latent_dim: usize,
    /// The KL term's weight.
    pub beta: f32,
    pub params: usize,
    /// Reconstruction error per pixel at the mean code: the plain models' loss, so the two
    /// compare directly.
    pub train_mse: f32,
    pub test_mse: f32,
    /// The VAE's own objective at the mean, MSE + β·KL/784, on the test set.
    pub test_loss: f32,
    pub curve: Curve,
    /// Of the mean codes of the test set.
    pub decorrelation: DecorrelationStats,
    /// The interpolation strips of part 2, with the VAE's mean codes (absent from results made
    /// before they were added).
    #[serde(default)]
    pub interpolation: Vec<InterpolationEntry>,
}

/// One run of `latent-lab seeds` (`results/seeds/*.json` holds a list of these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedRun {
    pub seed: u64,
    pub train_loss: f32,
    pub test_loss: f32,
    /// Code units that never fire on the test set.
    pub dead_units: usize,
    pub seconds: f64,
}

/// One scenario of one seed of `latent-lab seeds --transfer-labels` (its JSON file holds a
/// list of these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferSeedRun {
    pub seed: u64,
    #[serde(flatten)]
    pub entry: TransferEntry,
}

/// An order of the scenarios, best first: each place holds the scenarios that scored the same.
pub type ScenarioOrder = Vec<Vec<TransferScenario>>;

/// The orders in which the scenarios of each seed came, best (highest `score`) first, with how
/// many seeds gave each order; the most frequent order first (among equal counts, the first
/// met). Scenarios with the same score share a place; NaN scores share the last.
pub fn scenario_orders(
    runs: &[TransferSeedRun],
    score: impl Fn(&TransferEntry) -> f32,
) -> Vec<(ScenarioOrder, usize)> {
    let mut seeds: Vec<u64> = Vec::new();
    for run in runs {
        if !seeds.contains(&run.seed) {
            seeds.push(run.seed);
        }
    }
    let mut orders: Vec<(ScenarioOrder, usize)> = Vec::new();
    for seed in seeds {
        let mut of_seed: Vec<&TransferEntry> = runs
            .iter()
            .filter(|r| r.seed == seed)
            .map(|r| &r.entry)
            .collect();
        // Highest first; a NaN score last.
        of_seed.sort_by(|a, b| {
            let (a, b) = (score(a), score(b));
            a.is_nan().cmp(&b.is_nan()).then(b.total_cmp(&a))
        });
        let mut order: ScenarioOrder = Vec::new();
        let mut last: Option<f32> = None;
        for e in of_seed {
            let s = score(e);
            let tied = last.is_some_and(|l| l == s || (l.is_nan() && s.is_nan()));
            match order.last_mut() {
                Some(place) if tied => place.push(e.scenario),
                _ => order.push(vec![e.scenario]),
            }
            last = Some(s);
        }
        match orders.iter_mut().find(|(o, _)| *o == order) {
            Some((_, count)) => *count += 1,
            None => orders.push((order, 1)),
        }
    }
    // A stable sort keeps the first met first among equal counts.
    orders.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    orders
}

/// A set of values in four figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub mean: f64,
    /// The sample standard deviation (0 for one value).
    pub sd: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// The two ranges (min to max) share a value.
    pub fn overlaps(&self, other: &Spread) -> bool {
        self.min <= other.max && other.min <= self.max
    }
}

/// Mean, sample standard deviation, min and max (`None` for no values).
pub fn spread(values: &[f64]) -> Option<Spread> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = if values.len() > 1 {
        values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let min = values.iter().cloned().fold(f64::INFINITY, f64::min);
    let max = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    Some(Spread {
        mean,
        sd: var.sqrt(),
        min,
        max,
    })
}

impl Results {
    /// Parses `results.json`; the error says what is wrong with it.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("results.json is malformed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(scenario: TransferScenario, accuracy: f32) -> TransferEntry {
        TransferEntry {
            scenario,
            labels: 100,
            epochs: 4,
            train_loss: 0.0,
            train_accuracy: 1.0,
            test_loss: 1.0,
            test_accuracy: accuracy,
            curve: TransferCurve::default(),
            seconds: 1.0,
        }
    }

    #[test]
    fn the_lowest_test_loss_and_the_first_epoch_under_a_level() {
        let curve = TransferCurve {
            epochs: vec![2, 4, 6, 8],
            train_running: vec![2.4, 2.31, 2.29, 1.0, 2.5],
            test_loss: vec![1.5, f32::NAN, 0.9, 0.9],
            test_accuracy: vec![0.5; 4],
        };
        // Ties go to the first scored; the NaN is passed over.
        assert_eq!(curve.lowest_test_loss(), Some((6, 0.9)));
        assert_eq!(curve.first_epoch_under(10f32.ln()), Some(3));
        assert_eq!(curve.first_epoch_under(0.5), None);
        let curve = TransferCurve {
            test_accuracy: vec![0.2, 0.49, 0.5, 0.4],
            ..curve
        };
        assert_eq!(curve.first_epoch_reaching(0.5), Some(6));
        assert_eq!(curve.first_epoch_reaching(0.6), None);
        assert_eq!(TransferCurve::default().lowest_test_loss(), None);
    }

    #[test]
    fn scenario_orders_count_the_seeds_that_gave_each() {
        use TransferScenario::{Finetune, Frozen, Scratch};
        let runs: Vec<TransferSeedRun> = [
            (1, [0.7, 0.8, 0.6]),
            (2, [0.9, 0.8, 0.6]),
            (3, [0.7, 0.75, 0.5]),
            (4, [f32::NAN, 0.8, 0.6]),
        ]
        .into_iter()
        .flat_map(|(seed, [frozen, finetune, scratch])| {
            [(Frozen, frozen), (Finetune, finetune), (Scratch, scratch)].map(|(sc, acc)| {
                TransferSeedRun {
                    seed,
                    entry: entry(sc, acc),
                }
            })
        })
        .collect();
        let orders = scenario_orders(&runs, |e| e.test_accuracy);
        assert_eq!(
            orders,
            vec![
                (vec![vec![Finetune], vec![Frozen], vec![Scratch]], 2),
                (vec![vec![Frozen], vec![Finetune], vec![Scratch]], 1),
                (vec![vec![Finetune], vec![Scratch], vec![Frozen]], 1),
            ]
        );
        // The same score shares a place.
        let tied: Vec<TransferSeedRun> = [(Frozen, 0.8), (Finetune, 0.8), (Scratch, 0.6)]
            .map(|(sc, acc)| TransferSeedRun {
                seed: 9,
                entry: entry(sc, acc),
            })
            .into();
        assert_eq!(
            scenario_orders(&tied, |e| e.test_accuracy),
            vec![(vec![vec![Frozen, Finetune], vec![Scratch]], 1)]
        );
    }

    #[test]
    fn spread_of_known_values() {
        let s = spread(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!((s.mean, s.min, s.max), (2.5, 1.0, 4.0));
        assert!((s.sd - 1.290_994_448_7).abs() < 1e-9);
        assert_eq!(spread(&[0.5]).unwrap().sd, 0.0);
        assert_eq!(spread(&[]), None);
    }

    #[test]
    fn ranges_overlap_when_they_share_a_value() {
        let a = spread(&[1.0, 3.0]).unwrap();
        assert!(a.overlaps(&spread(&[3.0, 5.0]).unwrap()), "touching ends");
        assert!(a.overlaps(&spread(&[2.0]).unwrap()), "one inside the other");
        assert!(!a.overlaps(&spread(&[3.5, 4.0]).unwrap()));
        assert!(
            !spread(&[3.5, 4.0]).unwrap().overlaps(&a),
            "either way round"
        );
    }
}
