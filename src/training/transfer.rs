//! Transfer learning: a classifier on the three-layer encoder, in three scenarios.

use std::fmt;
use std::str::FromStr;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use burn::store::{ModuleSnapshot, SafetensorsStore};

use crate::model::{Classifier, ClassifierConfig, ThreeLayerEncoder};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransferScenario {
    /// Pretrained encoder, untouched (no gradients, BatchNorm in eval mode); only the MLP learns.
    Frozen,
    /// Pretrained encoder and MLP both learn.
    Finetune,
    /// Random encoder; everything learns.
    Scratch,
}

impl TransferScenario {
    pub const ALL: [TransferScenario; 3] = [
        TransferScenario::Frozen,
        TransferScenario::Finetune,
        TransferScenario::Scratch,
    ];
}

impl fmt::Display for TransferScenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransferScenario::Frozen => "frozen",
            TransferScenario::Finetune => "finetune",
            TransferScenario::Scratch => "scratch",
        })
    }
}

impl FromStr for TransferScenario {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|sc| sc.to_string() == s)
            .ok_or_else(|| format!("unknown scenario '{s}' (frozen, finetune or scratch)"))
    }
}

/// Builds the classifier for `scenario`. `pretrained` is the three-layer autoencoder's encoder
/// (ignored for `Scratch`, required otherwise).
pub fn transfer_classifier(
    scenario: TransferScenario,
    pretrained: Option<&ThreeLayerEncoder>,
    device: &Device,
) -> Result<Classifier, String> {
    let encoder = match (scenario, pretrained) {
        (TransferScenario::Scratch, _) => None,
        (_, Some(encoder)) => Some(independent_copy(encoder, device)?),
        (_, None) => {
            return Err(format!(
                "the {scenario} scenario needs a pretrained encoder"
            ));
        }
    };
    let latent_dim = encoder
        .as_ref()
        .map_or(20, |e: &ThreeLayerEncoder| e.latent.weight.dims()[1]);
    let config = ClassifierConfig::new().with_latent_dim(latent_dim);
    Ok(match encoder {
        None => config.init(device),
        Some(encoder) => {
            let encoder = match scenario {
                TransferScenario::Frozen => encoder.freeze(),
                _ => encoder,
            };
            config.init_with_encoder(encoder, device)
        }
    })
}

/// A copy of `encoder` on `device` that shares nothing with it. A `clone()` would share the
/// BatchNorm running statistics, so fine-tuning would silently change the autoencoder's too.
fn independent_copy(
    encoder: &ThreeLayerEncoder,
    device: &Device,
) -> Result<ThreeLayerEncoder, String> {
    let fail = |e: String| format!("copying the pretrained encoder failed: {e}");
    let mut store = SafetensorsStore::from_bytes(None);
    encoder
        .save_into(&mut store)
        .map_err(|e| fail(e.to_string()))?;
    let bytes = store.get_bytes().map_err(|e| fail(e.to_string()))?;
    let latent_dim = encoder.latent.weight.dims()[1];
    let mut copy = ThreeLayerEncoder::new(latent_dim, device);
    let mut store = SafetensorsStore::from_bytes(Some(bytes))
        .validate(true)
        .allow_partial(false);
    copy.load_from(&mut store)
        .map_err(|e| fail(e.to_string()))?;
    Ok(copy)
}

/// How many times a transfer run scores the test set.
pub const TRANSFER_EVAL_POINTS: usize = 20;

/// Epochs (1-based) after which a transfer run scores the test set: every epoch of a short
/// run; in a long one, spread evenly on a log scale from the first epoch to the last. A
/// classifier on 100 labels learns most in its first 50 steps and then overfits for 1,950:
/// scorings spread evenly over the run would first look after step 100, past the lowest test
/// loss (`results/seeds/lesson-e/`).
pub fn transfer_eval_epochs(epochs: usize) -> Vec<usize> {
    if epochs <= TRANSFER_EVAL_POINTS {
        return (1..=epochs).collect();
    }
    let ratio = (epochs as f64).powf(1.0 / (TRANSFER_EVAL_POINTS - 1) as f64);
    let mut out: Vec<usize> = (0..TRANSFER_EVAL_POINTS)
        .map(|i| (ratio.powi(i as i32).round() as usize).clamp(1, epochs))
        .collect();
    // Rounding can miss the last epoch by one: the run's end is always scored.
    *out.last_mut().expect("20 points") = epochs;
    out.dedup();
    out
}

/// The exercise's schedule: at least 10 epochs and at least 2,000 optimizer steps, so that
/// small labelled sets still get enough updates.
pub fn transfer_epochs(labels: usize, batch_size: usize) -> usize {
    10.max(2000usize.div_ceil(super::steps_per_epoch(labels, batch_size)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_epochs_spread_and_end_on_the_last() {
        assert_eq!(transfer_eval_epochs(1), vec![1]);
        assert_eq!(transfer_eval_epochs(10), (1..=10).collect::<Vec<_>>());
        assert_eq!(transfer_eval_epochs(20), (1..=20).collect::<Vec<_>>());
        // 1,000 epochs (100 labels): 1000^(i/19), rounded, duplicates dropped.
        assert_eq!(
            transfer_eval_epochs(1000),
            vec![
                1, 2, 3, 4, 6, 9, 13, 18, 26, 38, 55, 78, 113, 162, 234, 336, 483, 695, 1000
            ]
        );
        for epochs in [21, 125, 1000, 2000] {
            let e = transfer_eval_epochs(epochs);
            assert_eq!((e[0], *e.last().unwrap()), (1, epochs), "{e:?}");
            assert!(e.windows(2).all(|w| w[0] < w[1]), "{e:?}");
            assert!(e.len() <= TRANSFER_EVAL_POINTS, "{e:?}");
        }
    }

    #[test]
    fn small_labelled_sets_get_2000_steps() {
        assert_eq!(transfer_epochs(100, 64), 1000);
        assert_eq!(transfer_epochs(1000, 64), 125);
        assert_eq!(transfer_epochs(60_000, 64), 10);
    }
}
