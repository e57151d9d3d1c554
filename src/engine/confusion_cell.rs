//! A confusion-matrix cell opened (issue 20, part 2): the test digits of true class `i` the
//! classifier took for `j`, each with the probability it gave `j`, most confident first: on
//! the diagonal its surest reads, off it its surest mistakes.

use burn::prelude::Device;
use serde::{Deserialize, Serialize};

use super::drawing_reading::softmax;
use crate::data::MnistSet;
use crate::model::{Classifier, NUM_CLASSES};
use crate::training::classifier_logits;

/// Digits a cell shows at most (the count says how many it holds).
pub const CELL_DIGITS_SHOWN: usize = 60;
const BATCH: usize = 500;

/// The test digits of one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellDigits {
    pub model: String,
    pub true_digit: u8,
    pub guess: u8,
    /// How many test digits the cell holds.
    pub count: usize,
    /// The first [`CELL_DIGITS_SHOWN`] of them, most confident first: indices in the bundled
    /// test subset.
    pub indices: Vec<usize>,
    /// The probability the classifier gave `guess`, for each.
    pub probabilities: Vec<f32>,
    /// 784 grey bytes each.
    #[serde(with = "crate::engine::base64::bytes")]
    pub pixels: Vec<u8>,
}

/// The members of cell (`true_digit`, `guess`): each image whose label is `true_digit` and
/// whose largest logit is `guess` (as the matrix counts them), with the softmax probability of
/// `guess`, most probable first (ties by index). `logits` holds 10 per image.
pub fn cell_members(labels: &[u8], logits: &[f32], true_digit: u8, guess: u8) -> Vec<(usize, f32)> {
    let guess = usize::from(guess);
    let mut members: Vec<(usize, f32)> = logits
        .chunks_exact(NUM_CLASSES)
        .zip(labels)
        .enumerate()
        .filter(|(_, (row, label))| **label == true_digit && top_class(row) == guess)
        .map(|(i, (row, _))| (i, softmax(row)[guess]))
        .collect();
    members.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    members
}

/// The class with the largest value; the first of equal ones (as argmax counts the matrix).
fn top_class(row: &[f32]) -> usize {
    row.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &v)| {
            if v > best.1 { (i, v) } else { best }
        })
        .0
}

/// Classifies `set` with `model` (named `name`) and opens cell (`true_digit`, `guess`).
pub async fn confusion_cell_digits(
    name: &str,
    model: &Classifier,
    set: &MnistSet,
    true_digit: u8,
    guess: u8,
    device: &Device,
) -> Result<CellDigits, String> {
    if usize::from(true_digit.max(guess)) >= NUM_CLASSES {
        return Err(format!(
            "a confusion cell names two digits from 0 to 9, not ({true_digit}, {guess})"
        ));
    }
    let logits = classifier_logits(model, set, BATCH, device)
        .await
        .map_err(|e| format!("{name}: {e}"))?;
    if logits.iter().any(|v| !v.is_finite()) {
        return Err(format!("{name} produced a value that is not a number"));
    }
    let labels: Vec<u8> = (0..set.len()).map(|i| set.label(i)).collect();
    let members = cell_members(&labels, &logits, true_digit, guess);
    let shown = &members[..members.len().min(CELL_DIGITS_SHOWN)];
    Ok(CellDigits {
        model: name.to_string(),
        true_digit,
        guess,
        count: members.len(),
        indices: shown.iter().map(|m| m.0).collect(),
        probabilities: shown.iter().map(|m| m.1).collect(),
        pixels: shown.iter().flat_map(|m| set.image(m.0).to_vec()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Logits over 10 classes that give the listed probabilities (the rest share what is left).
    fn logits(rows: &[&[(usize, f32)]]) -> Vec<f32> {
        rows.iter()
            .flat_map(|row| {
                let listed: f32 = row.iter().map(|r| r.1).sum();
                let rest = (1.0 - listed) / (NUM_CLASSES - row.len()) as f32;
                let mut p = vec![rest.max(1e-9).ln(); NUM_CLASSES];
                for &(class, value) in *row {
                    p[class] = value.ln();
                }
                p
            })
            .collect()
    }

    #[test]
    fn a_cell_holds_the_images_of_its_label_and_top_guess_most_confident_first() {
        let labels = [3, 3, 5, 3];
        let l = logits(&[
            &[(5, 0.6), (3, 0.3)], // a 3 taken for a 5
            &[(3, 0.91)],          // a 3 read right
            &[(5, 0.99)],          // a 5: another row
            &[(5, 0.8), (3, 0.1)], // a 3 taken for a 5, more surely
        ]);
        let members = cell_members(&labels, &l, 3, 5);
        assert_eq!(members.iter().map(|m| m.0).collect::<Vec<_>>(), vec![3, 0]);
        assert!((members[0].1 - 0.8).abs() < 1e-5 && (members[1].1 - 0.6).abs() < 1e-5);
        let right = cell_members(&labels, &l, 3, 3);
        assert_eq!(right.len(), 1);
        assert!(right[0].0 == 1 && (right[0].1 - 0.91).abs() < 1e-5);
        assert_eq!(cell_members(&labels, &l, 5, 5).len(), 1);
        assert!(cell_members(&labels, &l, 7, 7).is_empty());
    }

    #[test]
    fn the_top_class_is_the_first_of_the_largest() {
        assert_eq!(top_class(&[0.1, 0.5, 0.5, 0.2]), 1);
        assert_eq!(top_class(&[0.9, 0.05]), 0);
    }
}
