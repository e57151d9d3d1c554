//! `#/report`: the exercise retold part by part — the question, the report's claim (quoted from
//! `shared/seed/report.txt`, with its numbers from `reference.rs`), what this lab measured
//! (read from `results/` when the page runs, so a new reproduction updates the text), where the
//! report was wrong or incomplete and the evidence, and links to try it. Every number in the
//! text is computed here from the data; only the quotes are fixed.

use std::collections::BTreeMap;

use crate::analysis::DecorrelationStats;
use crate::engine::ModelInfo;
use crate::engine::classifier_evaluation::ClassifierEvaluation;
use crate::reference::{REPORT_DEPTH_PARAMS, REPORT_LATENT_SWEEP, REPORT_TRANSFER};
use crate::results::{Results, TransferEntry};
use crate::ui::experiments::{
    SeedStudy, SweepRow, depth_claims, no_code_test_loss, report_above_linear, seed_verdict,
    sweep_rows,
};
use crate::ui::format;

/// One part of the exercise, as the report view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportPart {
    /// "A" … "E".
    pub part: &'static str,
    pub title: &'static str,
    pub question: &'static str,
    /// The report's own words.
    pub claim: &'static str,
    /// The report's numbers, one line each.
    pub report_numbers: Vec<String>,
    /// What the full-MNIST reproduction measured.
    pub measured: Vec<String>,
    /// Where the report was wrong or incomplete, with the evidence.
    pub corrections: Vec<String>,
    /// (label, `#/view?choices`).
    pub try_it: Vec<(String, String)>,
}

const NOT_LOADED: &str =
    "The reproduction's numbers (results/results.json) are not loaded, so this part has none.";

/// ln 10: the cross-entropy of a uniform guess over ten digits.
pub fn uniform_guess_loss() -> f64 {
    10f64.ln()
}

/// The lowest cross-entropy a classifier can reach when its scores pass through a softmax
/// before the loss's own: scores in [0, 1], at best 1 for the right digit and 0 for nine others.
pub fn double_softmax_floor() -> f64 {
    let e = 1f64.exp();
    -(e / (e + 9.0)).ln()
}

fn loss(v: f32) -> String {
    format::loss(Some(v))
}

pub fn report_parts(results: Option<&Results>, seeds: &[SeedStudy]) -> Vec<ReportPart> {
    vec![
        latent_size(results),
        depth(results, seeds),
        interpolation(results),
        decorrelation(results),
        transfer(results),
    ]
}

fn latent_size(results: Option<&Results>) -> ReportPart {
    let report_numbers = REPORT_LATENT_SWEEP
        .iter()
        .map(|(d, params, train, test)| {
            format!("d = {d}: {params} parameters, train loss {train}, test loss {test}")
        })
        .collect();
    let (mut measured, mut corrections) = (Vec::new(), Vec::new());
    match results {
        None => measured.push(NOT_LOADED.into()),
        Some(r) => {
            let mut sweep: Vec<_> = r.latent_sweep.iter().collect();
            sweep.sort_by_key(|e| e.latent_dim);
            for e in &sweep {
                measured.push(format!(
                    "d = {}: {} parameters, train loss {}, test loss {}",
                    e.latent_dim,
                    e.params,
                    loss(e.train_loss),
                    loss(e.test_loss)
                ));
            }
            let rises: Vec<String> = sweep
                .windows(2)
                .filter(|w| w[1].test_loss >= w[0].test_loss)
                .map(|w| format!("d = {} → {}", w[0].latent_dim, w[1].latent_dim))
                .collect();
            measured.push(if rises.is_empty() {
                "The claim holds here too: the test loss falls at every larger latent size.".into()
            } else {
                format!(
                    "The test loss does not fall at every step: it rises or stays from {}.",
                    rises.join(", ")
                )
            });
            let same_params = sweep
                .iter()
                .filter(|e| {
                    REPORT_LATENT_SWEEP
                        .iter()
                        .any(|(d, p, ..)| *d == e.latent_dim && *p == e.params)
                })
                .count();
            measured.push(format!(
                "{same_params} of {} parameter counts are the report's.",
                sweep.len()
            ));
            let at = |d: usize| sweep.iter().find(|e| e.latent_dim == d);
            if let (Some(d1), Some(d20), Some(d100)) = (at(1), at(20), at(100)) {
                let (first, then) = (d1.test_loss - d20.test_loss, d20.test_loss - d100.test_loss);
                corrections.push(format!(
                    "Incomplete: what each number of the code buys. From d = 1 to 20 the test loss falls by {} (from {} to {}); from 20 to 100, with {:.1}× the parameters, by {} (to {}){}.",
                    loss(first),
                    loss(d1.test_loss),
                    loss(d20.test_loss),
                    d100.params as f64 / d20.params as f64,
                    loss(then),
                    loss(d100.test_loss),
                    if then < first { ": the gain shrinks" } else { "" },
                ));
            }
            corrections.extend(linear_code_correction(r));
            let dead: Vec<String> = r
                .decorrelation
                .iter()
                .filter(|s| s.dead_units > 0)
                .map(|s| {
                    format!(
                        "{} of {} at d = {}",
                        s.dead_units, s.latent_dim, s.latent_dim
                    )
                })
                .collect();
            corrections.push(if dead.is_empty() {
                "Not in the report: the ReLU on the code can switch a unit off for good (a dead unit). This lab starts the code layer's bias at +1 to keep units firing, and in this reproduction no code unit is dead (docs/dead-units.md).".into()
            } else {
                format!(
                    "Not in the report: the ReLU on the code can switch a unit off for good. Dead code units in this reproduction, even with the code layer's bias started at +1: {} (docs/dead-units.md).",
                    dead.join(", ")
                )
            });
        }
    }
    ReportPart {
        part: "A",
        title: "How wide must the code be?",
        question: "One architecture, latent sizes 1, 5, 10, 20, 50 and 100: how does the width of the code change how well a digit comes back?",
        claim: "“as we increase the latent space dimension, we get lower train and test losses. This can be explained as bigger latent space dimension enable each encoded vector to captures more details of its original image.”",
        report_numbers,
        measured,
        corrections,
        try_it: vec![
            (
                "Train d = 5 for one epoch".into(),
                "#/train?arch=two-layer&d=5&epochs=1&images=2000&seed=1".into(),
            ),
            (
                "Draw for the d = 1 model".into(),
                "#/draw?model=two-layer-d1".into(),
            ),
            (
                "The sweep beside a linear code".into(),
                "#/experiments".into(),
            ),
        ],
    }
}

/// Part A against its missing baseline: the report's and this lab's test losses beside the best
/// linear code of each size (PCA on the reproduction's training images), and no code at all
/// (the mean digit). `None` where the reproduction has no baselines.
fn linear_code_correction(results: &Results) -> Option<String> {
    let rows = sweep_rows(Some(results), &[]);
    let with_linear: Vec<(&SweepRow, f32)> = rows
        .iter()
        .filter_map(|r| Some((r, r.linear?.test)))
        .collect();
    let (first, last) = (with_linear.first()?, with_linear.last()?);
    let train_images = results.linear_baselines.as_ref()?.train_images;
    let mut text = format!(
        "Not in the report: a baseline. A linear code of the same size (PCA of the {} training \
         images) rebuilds the test digits with a loss of {} at d = {} down to {} at d = {}",
        format::thousands(train_images),
        loss(first.1),
        first.0.latent_dim,
        loss(last.1),
        last.0.latent_dim,
    );
    if let Some(none) = no_code_test_loss(Some(results)) {
        text.push_str(&format!(
            ", and no code at all (the mean digit) scores {}",
            loss(none)
        ));
    }
    text.push('.');
    let report_above = report_above_linear(&rows);
    let ratio = |(r, linear): &(&SweepRow, f32)| r.report.test / linear;
    let worst = report_above
        .iter()
        .max_by(|a, b| ratio(a).total_cmp(&ratio(b)));
    match worst {
        None => text.push_str(&format!(
            " The report's test losses are at or below the linear code's at all {} sizes.",
            with_linear.len()
        )),
        Some(&(r, linear)) => text.push_str(&format!(
            " The report's test losses are above it at {} of {} sizes (d = {}): there its \
             autoencoders rebuilt digits worse than a linear code of the same size (at d = {}, {} \
             against {}, {:.1}×).",
            report_above.len(),
            with_linear.len(),
            report_above
                .iter()
                .map(|(r, _)| r.latent_dim.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            r.latent_dim,
            r.report.test,
            loss(linear),
            r.report.test / linear,
        )),
    }
    let ratios: Vec<f32> = with_linear
        .iter()
        .filter_map(|(r, linear)| Some(linear / r.reproduction?.test))
        .collect();
    if !ratios.is_empty() {
        let below = ratios.iter().filter(|ratio| **ratio > 1.0).count();
        let (low, high) = ratios.iter().fold((f32::INFINITY, 0f32), |(lo, hi), r| {
            (lo.min(*r), hi.max(*r))
        });
        text.push_str(&format!(
            " This lab's autoencoder comes in under it at {below} of {} sizes (the linear code's \
             loss is {:.1}× to {:.1}× the autoencoder's).",
            ratios.len(),
            low,
            high
        ));
    }
    Some(text)
}

fn layers_count(layers: usize) -> String {
    format::count(layers, "layer", "layers")
}

fn depth(results: Option<&Results>, seeds: &[SeedStudy]) -> ReportPart {
    let report_numbers = REPORT_DEPTH_PARAMS
        .iter()
        .map(|(layers, params)| format!("{}: {params} parameters", layers_count(*layers)))
        .chain(std::iter::once(
            "Its losses per depth were a figure that did not survive the scan.".to_string(),
        ))
        .collect();
    let (mut measured, mut corrections) = (Vec::new(), Vec::new());
    match results {
        None => measured.push(NOT_LOADED.into()),
        Some(r) => {
            let mut depth = r.depth.clone();
            depth.sort_by_key(|e| e.layers);
            for e in &depth {
                measured.push(format!(
                    "{}: {} parameters, train loss {}, test loss {}",
                    layers_count(e.layers),
                    e.params,
                    loss(e.train_loss),
                    loss(e.test_loss)
                ));
            }
            for claim in depth_claims(&depth) {
                let verdict = if claim.holds {
                    "Holds"
                } else {
                    "Does not hold"
                };
                corrections.push(format!(
                    "{verdict}: {} ({})",
                    claim.statement, claim.evidence
                ));
            }
            let differing: Vec<String> = depth
                .iter()
                .filter_map(|e| {
                    let (_, theirs) = REPORT_DEPTH_PARAMS.iter().find(|(l, _)| *l == e.layers)?;
                    (*theirs != e.params).then(|| {
                        format!(
                            "{}: {} here, {theirs} in the report",
                            layers_count(e.layers),
                            e.params
                        )
                    })
                })
                .collect();
            if !differing.is_empty() {
                corrections.push(format!(
                    "Parameter counts that differ from the report's: {}.",
                    differing.join("; ")
                ));
            }
        }
    }
    corrections.extend(seed_verdict(seeds));
    ReportPart {
        part: "B",
        title: "Does depth help?",
        question: "One, two and three convolution layers, all with a code of 20 numbers: does a deeper autoencoder rebuild digits better, faster, with fewer parameters?",
        claim: "“as we add more convolutions layers, we got a better module in terms of: (1) Lower final train and test losses results (2) Faster convergence (3) Using less parameters for better performance”",
        report_numbers,
        measured,
        corrections,
        try_it: vec![
            ("The depth curves".into(), "#/experiments".into()),
            (
                "Train three layers for one epoch".into(),
                "#/train?arch=three-layer&d=20&epochs=1&images=2000&seed=1".into(),
            ),
        ],
    }
}

fn interpolation(results: Option<&Results>) -> ReportPart {
    let (mut measured, mut corrections) = (Vec::new(), Vec::new());
    let mut try_it = vec![(
        "Interpolate with latent 20 and 100".to_string(),
        "#/interpolate?a=two-layer-d20&b=two-layer-d100".to_string(),
    )];
    match results {
        None => measured.push(NOT_LOADED.into()),
        Some(r) => {
            let pairs: Vec<String> = r
                .interpolation
                .iter()
                .filter(|e| e.latent_dim == 20)
                .map(|e| format!("{} → {}", e.pair[0], e.pair[1]))
                .collect();
            measured.push(format!(
                "The reproduction decoded the report's pairs ({}) at latent 20 and 100; the strips are below.",
                pairs.join(", ")
            ));
            let at = |d: usize| r.latent_sweep.iter().find(|e| e.latent_dim == d);
            if let (Some(d20), Some(d100)) = (at(20), at(100)) {
                corrections.push(format!(
                    "Incomplete: “sharper” was judged by eye on the end frames, which are reconstructions: their error is the test loss, {} at latent 20 and {} at latent 100. What an interpolation shows is the frames between; whether those look like digits is not measured by the report. Compare each strip with the pixel blend in the view.",
                    loss(d20.test_loss),
                    loss(d100.test_loss)
                ));
            }
            if let Some(first) = r.interpolation.first() {
                try_it[0].1 = format!(
                    "#/interpolate?a=two-layer-d20&b=two-layer-d100&from={}&to={}",
                    first.indices[0], first.indices[1]
                );
                try_it[0].0 = format!(
                    "Interpolate {} → {} with latent 20 and 100",
                    first.pair[0], first.pair[1]
                );
            }
        }
    }
    ReportPart {
        part: "C",
        title: "Walking between two digits",
        question: "Encode two digits, mix their codes, decode the mixes: what lies between a 3 and a 5 for a code of 20 numbers, and for one of 100?",
        claim: "“the bigger latent space dimension we use, the decoder produce more \"sharper\" images that look more realistic. This is because a bigger latent space dimension enables us to encode more details of the image.”",
        report_numbers: vec!["Its strips did not survive the scan.".into()],
        measured,
        corrections,
        try_it,
    }
}

fn decorrelation(results: Option<&Results>) -> ReportPart {
    let (mut measured, mut corrections) = (Vec::new(), Vec::new());
    match results {
        None => measured.push(NOT_LOADED.into()),
        Some(r) => {
            let mut stats: Vec<&DecorrelationStats> = r
                .decorrelation
                .iter()
                .filter(|s| s.mean_abs_pearson.is_some())
                .collect();
            stats.sort_by_key(|s| s.latent_dim);
            let show = |v: Option<f64>| v.map_or("undefined".into(), |v| format!("{v:.3}"));
            for s in &stats {
                measured.push(format!(
                    "d = {}: mean |r| {} (undefined pairs as 0), {} (defined pairs only), {}",
                    s.latent_dim,
                    show(s.mean_abs_pearson),
                    show(s.mean_abs_pearson_defined),
                    format::count(s.dead_units, "dead unit", "dead units")
                ));
            }
            if let (Some(first), Some(last)) = (stats.first(), stats.last()) {
                let falls =
                    |a: Option<f64>, b: Option<f64>| matches!((a, b), (Some(a), Some(b)) if b < a);
                measured.push(format!(
                    "From d = {} to {} the mean |r| {} with the report's convention and {} over defined pairs only.",
                    first.latent_dim,
                    last.latent_dim,
                    if falls(first.mean_abs_pearson, last.mean_abs_pearson) { "falls" } else { "does not fall" },
                    if falls(first.mean_abs_pearson_defined, last.mean_abs_pearson_defined) { "falls" } else { "does not fall" },
                ));
                let dead: usize = stats.iter().map(|s| s.dead_units).sum();
                corrections.push(format!(
                    "Incomplete: a correlation is undefined (NaN) when a coordinate never varies: a dead unit, switched off by the ReLU on the code. Counting those pairs as 0, as the report did, reads “never fires” as “uncorrelated” and pulls the mean down wherever units die ({} over these models here). The two conventions side by side show how much of the trend that is.",
                    format::count(dead, "dead unit", "dead units")
                ));
            }
            corrections.push(
                "Incomplete: a mean over all pairs hides its spread; the heatmap shows which coordinates move together.".into(),
            );
        }
    }
    ReportPart {
        part: "D",
        title: "Do the coordinates say different things?",
        question: "If two coordinates of the code always move together, one is wasted. How correlated are the coordinates, and how does that change with the latent size?",
        claim: "“as the we increase the latent space dimension, we get a smaller correlation between different coordinates.” … “Some pairs of the Pearson correlation resulted in NAN. To overcome this, I replaced them with zeros to not influence the mean.”",
        report_numbers: vec![
            "Its plot of mean |r| against the latent size did not survive the scan.".into(),
        ],
        measured,
        corrections,
        try_it: vec![
            (
                "The d = 20 heatmap".into(),
                "#/decorrelation?model=two-layer-d20".into(),
            ),
            (
                "The d = 100 heatmap".into(),
                "#/decorrelation?model=two-layer-d100".into(),
            ),
        ],
    }
}

fn transfer(results: Option<&Results>) -> ReportPart {
    let report_numbers = REPORT_TRANSFER
        .iter()
        .map(|(scenario, train, test)| format!("{scenario}: train loss {train}, test loss {test}"))
        .collect();
    let (mut measured, mut corrections) = (Vec::new(), Vec::new());
    corrections.push(format!(
        "Wrong: a loss of ln 10 = {:.3} is what a uniform guess over ten digits scores. The report's classifiers learnt nothing, and neither scenario can be said to beat the other.",
        uniform_guess_loss()
    ));
    corrections.push(format!(
        "One cause the report itself shows: its MLP ends with a SoftMax and is trained with cross-entropy, which applies its own softmax. The scores the loss sees are squeezed into [0, 1], so it cannot go below {:.2} and its gradients are small. This lab trains cross-entropy on the MLP's raw scores (logits).",
        double_softmax_floor()
    ));
    match results {
        None => measured.push(NOT_LOADED.into()),
        Some(r) => {
            for e in &r.transfer {
                measured.push(format!(
                    "{}, {} labelled images: test loss {}, test accuracy {:.1}%",
                    e.scenario,
                    e.labels,
                    loss(e.test_loss),
                    e.test_accuracy * 100.0
                ));
            }
            measured.extend(transfer_verdict(&r.transfer));
        }
    }
    ReportPart {
        part: "E",
        title: "An encoder for a classifier",
        question: "The pretrained encoder turns a digit into 20 numbers. With an MLP on top, frozen or fine-tuned, do they make a good classifier?",
        claim: "“Scenario 1: train loss=2.303, test loss=2.304. Scenario 2: train loss=2.300, test loss=2.300.” … “I got losses values that is not make sense. I didn't succeed to debug the problem.”",
        report_numbers,
        measured,
        corrections,
        try_it: vec![
            (
                "Train the three scenarios on 100 labels".into(),
                "#/transfer?labels=100".into(),
            ),
            (
                "Read your drawing with the fine-tuned classifier".into(),
                "#/draw?classifier=classifier-finetune".into(),
            ),
        ],
    }
}

/// Whether the reproduction's classifiers learnt, judged as the report's could not be: a
/// classifier learnt when it fits its own training digits (training loss under ln 10, where
/// the report's stayed) and beats chance on the test digits. Its test loss alone cannot say:
/// cross-entropy grows without bound on a confident mistake, so a classifier trained long on
/// few labels can end above ln 10 on the test digits while reading most of them right.
fn transfer_verdict(entries: &[TransferEntry]) -> Vec<String> {
    if entries.is_empty() {
        return Vec::new();
    }
    let chance = 0.1;
    let learnt = |e: &&TransferEntry| {
        f64::from(e.train_loss) < uniform_guess_loss() && e.test_accuracy > chance
    };
    let count = entries.iter().filter(learnt).count();
    let mut lines = vec![format!(
        "{count} of {} classifiers here learnt: their training loss ends under ln 10 and their test accuracy above chance (10%).",
        entries.len()
    )];
    let above: Vec<&TransferEntry> = entries
        .iter()
        .filter(learnt)
        .filter(|e| f64::from(e.test_loss) >= uniform_guess_loss())
        .collect();
    if let Some(least) = above
        .iter()
        .map(|e| e.test_accuracy)
        .min_by(|a, b| a.total_cmp(b))
    {
        lines.push(format!(
            "{} of them still end with a test loss above ln 10, while reading at least {:.1}% of the test digits right: sure of their mistakes (cross-entropy grows without bound on a confident wrong answer), so a test loss alone does not say whether a classifier learnt.",
            above.len(),
            least * 100.0
        ));
    }
    lines
}

/// The bundled classifiers (the three transfer scenarios on full MNIST), measured live in
/// part E of the report.
pub const BUNDLED_CLASSIFIERS: [&str; 3] = [
    "classifier-frozen",
    "classifier-finetune",
    "classifier-scratch",
];

/// One bundled classifier in the report's live figure: what this page measured on the test
/// subset beside what its weight file says the reproduction measured.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveClassifierRow {
    pub name: &'static str,
    /// Loss and accuracy computed here; `None` until the evaluation is done.
    pub here: Option<(f32, f32)>,
    /// From the weight file's manifest (the reproduction on the full test set).
    pub reproduction: Option<(f32, f32)>,
    /// How many times below ln 10 (a uniform guess, the report's 2.30) the loss here is.
    pub below_uniform: Option<f64>,
}

/// The live rows of part E, for the bundled classifiers the model list holds.
pub fn live_classifier_rows(
    models: &[ModelInfo],
    evaluations: &BTreeMap<String, ClassifierEvaluation>,
) -> Vec<LiveClassifierRow> {
    BUNDLED_CLASSIFIERS
        .iter()
        .filter_map(|&name| {
            let info = models.iter().find(|m| m.name == name)?;
            let here = evaluations.get(name).map(|e| (e.loss, e.accuracy));
            Some(LiveClassifierRow {
                name,
                here,
                reproduction: info.test_loss.zip(info.test_accuracy),
                below_uniform: here
                    .filter(|(loss, _)| *loss > 0.0)
                    .map(|(loss, _)| uniform_guess_loss() / f64::from(loss)),
            })
        })
        .collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::results::{Curve, DepthEntry, SweepEntry};
    use crate::training::{TrainingConfig, TransferScenario};
    use crate::ui::view_links::link_notices;

    fn results() -> Results {
        let sweep = |latent_dim, params, test_loss| SweepEntry {
            latent_dim,
            params,
            train_loss: test_loss,
            test_loss,
            curve: Curve::default(),
        };
        let depth = |layers, params, test_loss| DepthEntry {
            layers,
            params,
            train_loss: test_loss,
            test_loss,
            curve: Curve {
                test: vec![test_loss * 2.0, test_loss],
                train: vec![test_loss * 2.0, test_loss],
                train_running: vec![],
            },
        };
        let stats = |latent_dim, all, defined, dead_units| DecorrelationStats {
            latent_dim,
            mean_abs_pearson: Some(all),
            mean_abs_pearson_defined: Some(defined),
            dead_units,
        };
        Results {
            variational: Vec::new(),
            linear_baselines: None,
            command: "test".into(),
            quick: true,
            backend: "flex".into(),
            machine: "test".into(),
            started_utc: String::new(),
            wall_seconds: 0.0,
            train_images: 0,
            test_images: 0,
            training: TrainingConfig::default(),
            latent_sweep: vec![
                sweep(20, 49_701, 0.010),
                sweep(1, 15_482, 0.050),
                sweep(100, 193_781, 0.008),
            ],
            depth: vec![depth(1, 27_543, 0.02), depth(3, 28_000, 0.03)],
            interpolation: vec![],
            decorrelation: vec![stats(20, 0.20, 0.25, 2), stats(100, 0.10, 0.12, 10)],
            transfer: vec![TransferEntry {
                scenario: TransferScenario::Frozen,
                labels: 100,
                epochs: 10,
                train_loss: 0.5,
                train_accuracy: 0.9,
                test_loss: 0.6,
                test_accuracy: 0.85,
                curve: Default::default(),
                seconds: 1.0,
            }],
            runs: vec![],
        }
    }

    #[test]
    fn the_texts_numbers_come_from_the_results() {
        let r = results();
        let parts = report_parts(Some(&r), &[]);
        assert_eq!(
            parts.iter().map(|p| p.part).collect::<Vec<_>>(),
            ["A", "B", "C", "D", "E"]
        );
        let a = &parts[0];
        assert_eq!(a.report_numbers.len(), 6);
        assert_eq!(
            a.measured[0],
            "d = 1: 15482 parameters, train loss 0.0500, test loss 0.0500"
        );
        assert!(
            a.measured.contains(
                &"The claim holds here too: the test loss falls at every larger latent size."
                    .to_string()
            )
        );
        assert!(
            a.measured
                .contains(&"3 of 3 parameter counts are the report's.".to_string())
        );
        // 0.05 → 0.01 falls by 0.04; 0.010 → 0.008 by 0.002; 193781 / 49701 = 3.9.
        assert!(
            a.corrections[0].contains("falls by 0.0400 (from 0.0500 to 0.0100)")
                && a.corrections[0]
                    .contains("3.9× the parameters, by 0.0020 (to 0.0080): the gain shrinks"),
            "{}",
            a.corrections[0]
        );
        assert!(a.corrections[1].contains("2 of 20 at d = 20, 10 of 100 at d = 100"));

        let b = &parts[1];
        assert!(
            b.corrections.iter().any(|c| c.starts_with("Does not hold")),
            "{:?}",
            b.corrections
        );
        assert!(
            b.corrections
                .iter()
                .any(|c| c.contains("3 layers: 28000 here, 28317 in the report"))
        );

        let d = &parts[3];
        assert!(d.measured.iter().any(|m| m == "From d = 20 to 100 the mean |r| falls with the report's convention and falls over defined pairs only."), "{:?}", d.measured);
        assert!(d.corrections[0].contains("12 dead units"));

        let e = &parts[4];
        assert!(e.corrections[0].contains("ln 10 = 2.303"));
        assert!(e.corrections[1].contains("below 1.46"));
        assert!(
            e.measured.contains(
                &"1 of 1 classifiers here learnt: their training loss ends under ln 10 and their test accuracy above chance (10%)."
                    .to_string()
            ),
            "{:?}",
            e.measured
        );
        assert!(
            !e.measured.iter().any(|m| m.contains("still end with")),
            "no classifier of the fixture ends above ln 10"
        );

        // A new reproduction changes the text.
        let mut worse = r.clone();
        worse.latent_sweep[2].test_loss = 0.02;
        let a2 = &report_parts(Some(&worse), &[])[0];
        assert!(
            a2.measured
                .iter()
                .any(|m| m.contains("rises or stays from d = 20 → 100")),
            "{:?}",
            a2.measured
        );
    }

    fn with_baselines(r: &Results, linear: [(usize, f32); 4]) -> Results {
        use crate::analysis::{LinearBaselineEntry, LinearBaselines};
        let mut r = r.clone();
        r.linear_baselines = Some(LinearBaselines {
            train_images: 4,
            test_images: 2,
            entries: linear
                .into_iter()
                .map(|(latent_dim, test_loss)| LinearBaselineEntry {
                    latent_dim,
                    train_loss: test_loss,
                    test_loss,
                })
                .collect(),
        });
        r
    }

    #[test]
    fn part_a_sets_both_sweeps_beside_a_linear_code() {
        let r = results();
        // Without baselines, nothing is said about them.
        let a = &report_parts(Some(&r), &[])[0];
        assert!(!a.corrections.iter().any(|c| c.contains("linear code")));
        assert!(a.try_it.iter().any(|(_, hash)| hash == "#/experiments"));

        // The report's d = 1, 20, 100: 0.062, 0.028, 0.019; the lab's 0.05, 0.010, 0.008.
        let r = with_baselines(&r, [(0, 0.07), (1, 0.06), (20, 0.025), (100, 0.0185)]);
        let a = &report_parts(Some(&r), &[])[0];
        let said = a
            .corrections
            .iter()
            .find(|c| c.starts_with("Not in the report: a baseline"))
            .expect("part A names its baseline");
        assert!(
            said.contains(
                "(PCA of the 4 training images) rebuilds the test digits with a loss of 0.0600 at \
                 d = 1 down to 0.0185 at d = 100"
            ),
            "{said}"
        );
        assert!(
            said.contains("no code at all (the mean digit) scores 0.0700"),
            "{said}"
        );
        // Above at all three; the widest gap is d = 20's, 0.028 / 0.025 = 1.12.
        assert!(
            said.contains("above it at 3 of 3 sizes (d = 1, 20, 100)")
                && said.contains("(at d = 20, 0.028 against 0.0250, 1.1×)"),
            "{said}"
        );
        // 0.06 / 0.05 = 1.2, 0.025 / 0.010 = 2.5, 0.0185 / 0.008 = 2.3.
        assert!(
            said.contains("under it at 3 of 3 sizes (the linear code's loss is 1.2× to 2.5×"),
            "{said}"
        );

        // Where the report beats the linear code (0.062 under 0.065), that size is not named.
        let r = with_baselines(&r, [(0, 0.07), (1, 0.065), (20, 0.025), (100, 0.0185)]);
        let a = &report_parts(Some(&r), &[])[0];
        assert!(
            a.corrections
                .iter()
                .any(|c| c.contains("above it at 2 of 3 sizes (d = 20, 100)")),
            "{:?}",
            a.corrections
        );
        let r = with_baselines(&r, [(0, 0.07), (1, 0.065), (20, 0.03), (100, 0.02)]);
        let a = &report_parts(Some(&r), &[])[0];
        assert!(
            a.corrections
                .iter()
                .any(|c| c.contains("at or below the linear code's at all 3 sizes")),
            "{:?}",
            a.corrections
        );
    }

    #[test]
    fn without_results_every_part_says_so_and_links_still_work() {
        for part in report_parts(None, &[]) {
            assert_eq!(part.measured, vec![NOT_LOADED.to_string()], "{}", part.part);
            assert!(!part.try_it.is_empty());
            for (_, hash) in part.try_it {
                assert!(link_notices(&hash).is_empty(), "{hash}");
            }
        }
        assert!(
            (uniform_guess_loss().exp() - 10.0).abs() < 1e-9,
            "e^loss is the ten classes"
        );
        assert!((double_softmax_floor() - 1.4611).abs() < 1e-4);
    }

    #[test]
    fn the_live_classifier_rows_pair_this_page_with_the_weight_files() {
        use crate::engine::ModelOrigin;
        use crate::weights::ModelSpec;
        let info = |name: &str, loss: Option<f32>, accuracy: Option<f32>| ModelInfo {
            id: name.into(),
            name: name.into(),
            spec: ModelSpec::Classifier { latent_dim: 20 },
            origin: ModelOrigin::Pretrained,
            params: 21_220,
            epochs: Some(10),
            train_images: Some(60_000),
            train_loss: None,
            test_loss: loss,
            test_accuracy: accuracy,
            kept: false,
            not_kept: None,
            beta: None,
        };
        let models = vec![
            info("classifier-scratch", Some(0.05), Some(0.985)),
            info("classifier-frozen", Some(0.0857), Some(0.9728)),
            info("classifier-frozen (trained 1)", Some(2.3), Some(0.1)),
        ];
        let mut evaluations = BTreeMap::new();
        evaluations.insert(
            "classifier-frozen".to_string(),
            ClassifierEvaluation {
                model: "classifier-frozen".into(),
                images: 10_000,
                loss: 0.23025851,
                accuracy: 0.9728,
            },
        );
        let rows = live_classifier_rows(&models, &evaluations);
        assert_eq!(
            rows.iter().map(|r| r.name).collect::<Vec<_>>(),
            vec!["classifier-frozen", "classifier-scratch"],
            "the bundled ones the list holds, in scenario order; a trained one is not bundled"
        );
        assert_eq!(rows[0].here, Some((0.23025851, 0.9728)));
        assert_eq!(rows[0].reproduction, Some((0.0857, 0.9728)));
        let below = rows[0].below_uniform.unwrap();
        assert!(
            (below - 10.0).abs() < 1e-5,
            "ln 10 / (ln 10 / 10) = 10, got {below}"
        );
        assert_eq!(
            (rows[1].here, rows[1].below_uniform),
            (None, None),
            "not measured yet"
        );
    }

    fn transfer_entry(train_loss: f32, test_loss: f32, test_accuracy: f32) -> TransferEntry {
        TransferEntry {
            scenario: TransferScenario::Scratch,
            labels: 100,
            epochs: 1000,
            train_loss,
            train_accuracy: 1.0,
            test_loss,
            test_accuracy,
            curve: Default::default(),
            seconds: 1.0,
        }
    }

    #[test]
    fn a_classifier_learnt_by_its_training_loss_and_accuracy_not_by_its_test_loss_alone() {
        // Figures of `latent-lab seeds --transfer-labels 100` (results/seeds/lesson-e): the
        // scratch network of seed 42 ends at a test loss of 2.76, above ln 10, with 59.1% of
        // the test digits right; the report's classifiers, at 2.30 on both sets.
        let entries = [
            transfer_entry(0.0003, 2.1339, 0.685),
            transfer_entry(0.0, 2.7646, 0.591),
            transfer_entry(0.0, 2.3500, 0.620),
            transfer_entry(2.303, 2.304, 0.11),
            transfer_entry(0.01, 0.2, 0.09),
        ];
        let lines = transfer_verdict(&entries);
        assert_eq!(
            lines[0],
            "3 of 5 classifiers here learnt: their training loss ends under ln 10 and their test accuracy above chance (10%).",
            "the report's 2.303 on its training digits and a test accuracy under chance do not count"
        );
        assert!(
            lines[1].starts_with("2 of them still end with a test loss above ln 10, while reading at least 59.1% of the test digits right"),
            "{}",
            lines[1]
        );
        assert_eq!(lines.len(), 2);
        assert!(transfer_verdict(&[]).is_empty());
    }
}
