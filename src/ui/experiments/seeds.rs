//! Seed studies as data: one model trained from several seeds (`results/seeds/`), and what
//! their spread says about the depth ordering.

use crate::results::{SeedRun, Spread, spread};

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
    for (layers, s, n) in &spreads {
        text.push(format!(
            "{}: test loss {:.4} ± {:.4} over {n} seeds (from {:.4} to {:.4}).",
            crate::ui::format::count(*layers, "layer", "layers"),
            s.mean,
            s.sd,
            s.min,
            s.max
        ));
    }
    if spreads.len() >= 2 {
        let overlap = spreads
            .iter()
            .all(|(_, a, _)| spreads.iter().all(|(_, b, _)| a.overlaps(b)));
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
}
