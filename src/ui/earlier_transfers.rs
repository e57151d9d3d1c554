//! The transfer results of earlier runs in this browser, kept after the next run takes the
//! table: one row per classifier trained (its scenario, labels, epochs, losses, accuracy), so
//! that a run on 1,000 labels is read beside one on 100, as in the report's table. Their
//! confusion matrices are left out (the run on the table keeps its own, [`super::transfer_state`]).

use serde::{Deserialize, Serialize};

use super::run_state::read_kept;
use crate::engine::transfer_session::TransferResult;

/// Rows kept: when a run adds more, the oldest are forgotten.
pub const MAX_EARLIER_TRANSFER_ROWS: usize = 60;
const EARLIER_TRANSFERS_VERSION: u32 = 1;

/// Earlier transfer results, newest run first, each run's rows in its order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EarlierTransfers {
    rows: Vec<TransferResult>,
}

#[derive(Serialize, Deserialize)]
struct KeptTransfers {
    version: u32,
    rows: Vec<TransferResult>,
}

impl EarlierTransfers {
    pub fn rows(&self) -> &[TransferResult] {
        &self.rows
    }

    /// The rows to list under a table that shows `current` (its own rows are not earlier ones).
    pub fn besides<'a>(
        &'a self,
        current: &'a [TransferResult],
    ) -> impl Iterator<Item = &'a TransferResult> {
        self.rows
            .iter()
            .filter(move |r| !current.iter().any(|c| c.classifier == r.classifier))
    }

    /// Keeps an ended run's rows: a row already kept (the same classifier) is updated where it
    /// stands; new rows go first, in the run's order; a row whose classifier has not joined the
    /// model list yet (no name to know it by) waits until it has.
    pub fn remember(&mut self, results: &[TransferResult]) {
        let mut new = Vec::new();
        for result in results.iter().filter(|r| !r.classifier.is_empty()) {
            let row = TransferResult {
                confusion: Vec::new(),
                ..result.clone()
            };
            match self
                .rows
                .iter_mut()
                .find(|r| r.classifier == row.classifier)
            {
                Some(kept) => *kept = row,
                None => new.push(row),
            }
        }
        self.rows.splice(0..0, new);
        self.rows.truncate(MAX_EARLIER_TRANSFER_ROWS);
    }

    /// Forgets every row but those of `current` (the run on the table).
    pub fn forget_besides(&mut self, current: &[TransferResult]) {
        self.rows
            .retain(|r| current.iter().any(|c| c.classifier == r.classifier));
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&KeptTransfers {
            version: EARLIER_TRANSFERS_VERSION,
            rows: self.rows.clone(),
        })
        .expect("plain data serialises")
    }

    /// The rows an earlier visit kept; an error that says why for a list that cannot be read.
    pub fn from_json(json: &str) -> Result<EarlierTransfers, String> {
        let kept: KeptTransfers = read_kept(
            json,
            "list of earlier transfer results",
            EARLIER_TRANSFERS_VERSION,
            |k: &KeptTransfers| k.version,
        )?;
        Ok(EarlierTransfers { rows: kept.rows })
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::training::TransferScenario;

    fn result(scenario: TransferScenario, labels: usize, run: usize) -> TransferResult {
        TransferResult {
            scenario,
            labels,
            epochs: 2,
            train_loss: 0.5,
            train_accuracy: 0.9,
            test_loss: 1.25,
            test_accuracy: 0.625,
            seconds: 3.5,
            confusion: vec![1; 100],
            cancelled: false,
            classifier: format!("classifier-{scenario} (trained {run})"),
        }
    }

    fn names(rows: &[TransferResult]) -> Vec<String> {
        rows.iter().map(|r| r.classifier.clone()).collect()
    }

    #[test]
    fn runs_are_kept_newest_first_without_their_matrices() {
        use TransferScenario::{Frozen, Scratch};
        let mut kept = EarlierTransfers::default();
        let first = [result(Frozen, 100, 1), result(Scratch, 100, 2)];
        kept.remember(&first);
        let second = [result(Frozen, 1000, 3)];
        kept.remember(&second);
        assert_eq!(
            names(kept.rows()),
            [
                "classifier-frozen (trained 3)",
                "classifier-frozen (trained 1)",
                "classifier-scratch (trained 2)"
            ]
        );
        assert!(kept.rows().iter().all(|r| r.confusion.is_empty()));
        assert_eq!(kept.rows()[0].labels, 1000);
        // Beside the table's own run, the earlier ones.
        let earlier: Vec<TransferResult> = kept.besides(&second).cloned().collect();
        assert_eq!(names(&earlier), names(&kept.rows()[1..]));
        // The same run again (as its classifiers are renamed or it is kept twice): in place.
        let mut again = second.clone();
        again[0].test_accuracy = 0.75;
        kept.remember(&again);
        assert_eq!(kept.rows().len(), 3);
        assert_eq!(kept.rows()[0].test_accuracy, 0.75);
        // A row whose classifier has no name yet waits.
        let mut unnamed = result(Scratch, 100, 4);
        unnamed.classifier.clear();
        kept.remember(&[unnamed]);
        assert_eq!(kept.rows().len(), 3);
        // Forgetting the earlier rows keeps the table's own.
        kept.forget_besides(&second);
        assert_eq!(names(kept.rows()), ["classifier-frozen (trained 3)"]);
    }

    #[test]
    fn the_oldest_rows_go_beyond_the_limit() {
        let mut kept = EarlierTransfers::default();
        for run in 0..MAX_EARLIER_TRANSFER_ROWS + 3 {
            kept.remember(&[result(TransferScenario::Frozen, 100, run)]);
        }
        assert_eq!(kept.rows().len(), MAX_EARLIER_TRANSFER_ROWS);
        assert_eq!(
            kept.rows()[0].classifier,
            format!(
                "classifier-frozen (trained {})",
                MAX_EARLIER_TRANSFER_ROWS + 2
            )
        );
        assert_eq!(
            kept.rows().last().unwrap().classifier,
            "classifier-frozen (trained 3)"
        );
    }

    #[test]
    fn the_list_comes_back_from_its_json_and_refuses_another_version() {
        let mut kept = EarlierTransfers::default();
        let mut diverged = result(TransferScenario::Scratch, 100, 1);
        diverged.test_loss = f32::NAN;
        kept.remember(&[result(TransferScenario::Frozen, 100, 2), diverged]);
        let json = kept.to_json();
        let back = EarlierTransfers::from_json(&json).unwrap();
        assert_eq!(back.rows()[0], kept.rows()[0]);
        assert!(back.rows()[1].test_loss.is_nan());
        assert_eq!(
            EarlierTransfers::from_json(&json.replacen("\"version\":1", "\"version\":2", 1)),
            Err(
                "the kept list of earlier transfer results is of version 2, this page reads 1"
                    .into()
            )
        );
        assert!(
            EarlierTransfers::from_json("{")
                .unwrap_err()
                .starts_with("the kept list of earlier transfer results: ")
        );
    }
}
