//! `latent-lab seeds --transfer-labels N`: lesson E's three transfer scenarios (the pretrained
//! encoder frozen, fine-tuned, or a random one trained from scratch) from several seeds, on the
//! first N labelled images: which scenario learns fastest and which ends best, and whether
//! that holds for every seed or only for one. Every run is reported; none is picked.

use std::fmt::Write as _;
use std::path::PathBuf;

use latent_lab::BackendKind;
use latent_lab::data::{MnistSet, Split};
use latent_lab::results::{TransferEntry, TransferSeedRun, scenario_orders, spread};
use latent_lab::training::{
    TrainingConfig, TransferScenario, steps_per_epoch, transfer_epochs, transfer_eval_epochs,
};
use latent_lab::weights::load_autoencoder;

use crate::reproduce::{Context, train_classifier};

/// What `latent-lab seeds --transfer-labels` was asked for.
pub(crate) struct TransferStudy {
    pub labels: usize,
    /// The weight file of the pretrained three-layer autoencoder.
    pub encoder: PathBuf,
    pub seeds: Vec<u64>,
    /// `None`: the exercise's transfer schedule ([`transfer_epochs`]).
    pub epochs: Option<usize>,
    pub backend: BackendKind,
    pub data: PathBuf,
    pub out: PathBuf,
}

pub(crate) fn run(study: TransferStudy) -> Result<(), String> {
    let backend = study.backend.init().map_err(|e| e.to_string())?;
    let train = MnistSet::load_dir(&study.data, Split::Train).map_err(|e| e.to_string())?;
    let test = MnistSet::load_dir(&study.data, Split::Test).map_err(|e| e.to_string())?;
    if study.labels == 0 || study.labels > train.len() {
        return Err(format!(
            "--transfer-labels: use between 1 and {} labelled images (the training set in {}), not {}",
            train.len(),
            study.data.display(),
            study.labels
        ));
    }
    let bytes = std::fs::read(&study.encoder)
        .map_err(|e| format!("--encoder {}: {e}", study.encoder.display()))?;
    let (autoencoder, manifest) = load_autoencoder(&bytes, &backend.device)
        .map_err(|e| format!("--encoder {}: {e}", study.encoder.display()))?;
    let encoder = autoencoder
        .three_layer_encoder()
        .ok_or_else(|| {
            format!(
                "--encoder {}: the scenarios start from a three-layer autoencoder's encoder, and this file holds {}",
                study.encoder.display(),
                manifest.model.name()
            )
        })?
        .clone();
    let training = TrainingConfig::default();
    let epochs = study
        .epochs
        .unwrap_or_else(|| transfer_epochs(study.labels, training.batch_size));
    std::fs::create_dir_all(&study.out).map_err(|e| format!("{}: {e}", study.out.display()))?;
    let mut ctx = Context::study(
        backend.device.clone(),
        train,
        test,
        epochs,
        study.out.clone(),
    );
    let mut runs = Vec::new();
    for &seed in &study.seeds {
        ctx.training.seed = seed;
        ctx.training.validate().map_err(|e| e.to_string())?;
        for scenario in TransferScenario::ALL {
            let (entry, _) = train_classifier(&ctx, scenario, &encoder, study.labels, epochs)?;
            runs.push(TransferSeedRun { seed, entry });
        }
    }

    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let md = table(
        &runs,
        &Setting {
            command: &command,
            backend: &backend.description,
            encoder: &study.encoder.display().to_string(),
            labels: study.labels,
            test_images: ctx.test.len(),
            epochs,
            steps_per_epoch: steps_per_epoch(study.labels, ctx.training.batch_size),
        },
    );
    let stem = format!("transfer-{}-labels", study.labels);
    crate::reproduce::write(&study.out.join(format!("{stem}.md")), md.as_bytes())?;
    let json = serde_json::to_string_pretty(&runs).map_err(|e| e.to_string())?;
    crate::reproduce::write(&study.out.join(format!("{stem}.json")), json.as_bytes())?;
    print!("{md}");
    Ok(())
}

struct Setting<'a> {
    command: &'a str,
    backend: &'a str,
    encoder: &'a str,
    labels: usize,
    test_images: usize,
    epochs: usize,
    steps_per_epoch: usize,
}

/// A test accuracy a run has to reach: how fast it learns, read off its scorings.
const HALF_RIGHT: f32 = 0.5;

/// The study as markdown: every run, then each scenario's spread over the seeds and the
/// orders the scenarios came in.
fn table(runs: &[TransferSeedRun], s: &Setting) -> String {
    let uniform_guess = 10f32.ln();
    let steps = |epoch: usize| epoch * s.steps_per_epoch;
    let scored: Vec<String> = transfer_eval_epochs(s.epochs)
        .into_iter()
        .map(|epoch| steps(epoch).to_string())
        .collect();
    let half = |e: &TransferEntry| e.curve.first_epoch_reaching(HALF_RIGHT).map(steps);
    // Who is ahead early: the scoring nearest a twentieth of the run.
    let early_epoch = transfer_eval_epochs(s.epochs)
        .into_iter()
        .min_by_key(|&epoch| steps(epoch).abs_diff(steps(s.epochs) / 20))
        .expect("a run scores at least once");
    let early_step = steps(early_epoch);
    let early = |e: &TransferEntry| {
        let i = e.curve.epochs.iter().position(|&x| x == early_epoch)?;
        e.curve.test_accuracy.get(i).copied()
    };
    let mut md = format!(
        "# Transfer on {labels} labelled images: {seeds} seeds × 3 scenarios\n\n\
         Made by `{command}` on {backend}, from the encoder in `{encoder}` ({labels} labelled \
         training images, {test} test images, {epochs} epochs of {spe} steps of batch 64, Adam \
         at 0.001). The test set is scored after steps {scored}. \"50% at step\" is the first \
         scoring with half the test digits or more read right; \"train loss\" is the loss on \
         the labelled images after the last epoch; \"under ln 10\" is the first step whose \
         epoch's mean batch loss lies under ln 10 = 2.303, a uniform guess's loss.\n\n\
         | seed | scenario | 50% at step | test accuracy at step {early_step} | at the end | lowest test loss (step) | test loss at the end | train loss | under ln 10 at step | seconds |\n\
         |---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        labels = s.labels,
        seeds = runs.len() / TransferScenario::ALL.len(),
        command = s.command,
        backend = s.backend,
        encoder = s.encoder,
        test = s.test_images,
        epochs = s.epochs,
        spe = s.steps_per_epoch,
        scored = scored.join(", "),
    );
    for r in runs {
        let e = &r.entry;
        let lowest = e
            .curve
            .lowest_test_loss()
            .map_or("–".into(), |(epoch, loss)| {
                format!("{loss:.4} ({})", steps(epoch))
            });
        let under = e
            .curve
            .first_epoch_under(uniform_guess)
            .map_or("never".into(), |epoch| steps(epoch).to_string());
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.1}% | {:.1}% | {lowest} | {:.4} | {:.4} | {under} | {:.0} |",
            r.seed,
            e.scenario,
            half(e).map_or("never".into(), |step| step.to_string()),
            early(e).unwrap_or(f32::NAN) * 100.0,
            e.test_accuracy * 100.0,
            e.test_loss,
            e.train_loss,
            e.seconds
        );
    }
    let _ = writeln!(
        md,
        "\n| scenario, over the seeds: mean (min–max) | 50% at step | test accuracy at step {early_step} | at the end | lowest test loss | test loss at the end |\n|---|---:|---:|---:|---:|---:|"
    );
    for scenario in TransferScenario::ALL {
        let of: Vec<_> = runs
            .iter()
            .filter(|r| r.entry.scenario == scenario)
            .map(|r| &r.entry)
            .collect();
        let cell = |values: Vec<f64>, decimals: usize, percent: bool| {
            let scale = if percent { 100.0 } else { 1.0 };
            let unit = if percent { "%" } else { "" };
            match spread(&values) {
                None => "–".to_string(),
                Some(v) => format!(
                    "{:.decimals$}{unit} ({:.decimals$}–{:.decimals$})",
                    v.mean * scale,
                    v.min * scale,
                    v.max * scale
                ),
            }
        };
        let reached: Vec<f64> = of
            .iter()
            .filter_map(|e| half(e))
            .map(|s| s as f64)
            .collect();
        let never = of.len() - reached.len();
        let _ = writeln!(
            md,
            "| {scenario} | {}{} | {} | {} | {} | {} |",
            cell(reached, 0, false),
            if never > 0 {
                format!(", never in {never}")
            } else {
                String::new()
            },
            cell(
                of.iter().filter_map(|e| early(e).map(f64::from)).collect(),
                1,
                true
            ),
            cell(
                of.iter().map(|e| f64::from(e.test_accuracy)).collect(),
                1,
                true
            ),
            cell(
                of.iter()
                    .filter_map(|e| e.curve.lowest_test_loss().map(|(_, l)| f64::from(l)))
                    .collect(),
                3,
                false
            ),
            cell(
                of.iter().map(|e| f64::from(e.test_loss)).collect(),
                3,
                false
            ),
        );
    }
    let orders = |label: &str, score: &dyn Fn(&TransferEntry) -> f32| {
        let list: Vec<String> = scenario_orders(runs, score)
            .into_iter()
            .map(|(order, count)| {
                let places: Vec<String> = order
                    .iter()
                    .map(|place| {
                        let names: Vec<String> = place.iter().map(|s| s.to_string()).collect();
                        names.join(" = ")
                    })
                    .collect();
                format!("{} ({count})", places.join(" > "))
            })
            .collect();
        format!("- {label}: {}\n", list.join(", "))
    };
    md.push_str("\nThe scenarios' order per seed, best first (the number of seeds in brackets):\n");
    md.push_str(&orders("50% test accuracy (earliest first)", &|e| {
        half(e).map_or(f32::NAN, |step| -(step as f32))
    }));
    md.push_str(&orders(
        &format!("test accuracy at step {early_step}"),
        &|e| early(e).unwrap_or(f32::NAN),
    ));
    md.push_str(&orders("test accuracy at the end", &|e| e.test_accuracy));
    md.push_str(&orders("test loss at the end (lowest first)", &|e| {
        -e.test_loss
    }));
    md
}
