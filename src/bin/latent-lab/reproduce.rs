//! `latent-lab reproduce`: experiments A–E of the exercise, end to end.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::module::Module;
use burn::prelude::Device;
use clap::Args;
use latent_lab::BackendKind;
use latent_lab::analysis::{
    decorrelation, encode_set, interpolate_codes, interpolation_alphas, interpolation_strip,
    relative_nearest_data_distances,
};
use latent_lab::backend::BackendDevice;
use latent_lab::data::{MnistSet, Split};
use latent_lab::engine::epoch_recording::{EpochRecording, RecordedEpochs};
use latent_lab::engine::pretrained::{EPOCHS_SUFFIX, VARIATIONAL_SIZES};
use latent_lab::model::{
    Architecture, Autoencoder, AutoencoderConfig, DEFAULT_BETA, LATENT_SIZES, param_count,
};
use latent_lab::reference::INTERPOLATION_PAIRS;
use latent_lab::training::{
    Trainer, TrainingConfig, TransferScenario, evaluate, reconstruction_mse, transfer_classifier,
    transfer_epochs, transfer_eval_epochs,
};
use latent_lab::weights::{ModelSpec, WeightsManifest, save_autoencoder, save_classifier};
use pollster::block_on;

use crate::figures;
use crate::progress::Progress;
use crate::report;
use latent_lab::results::*;

/// Labelled-set sizes for transfer learning.
const TRANSFER_LABELS: [usize; 3] = [100, 1_000, 60_000];
/// Evaluation batch: bigger than training's, since no activations are kept for a backward pass.
pub(crate) const EVAL_BATCH: usize = 1_000;
/// Transfer runs evaluate the test set at most this many times (small labelled sets run for
/// hundreds of epochs; testing 10,000 images after each would dominate the run).
/// `--quick` uses this many training and test images.
const QUICK_TRAIN: usize = 2_000;
const QUICK_TEST: usize = 500;

#[derive(Args, Debug)]
pub struct ReproduceArgs {
    /// A small subset and one epoch everywhere: a few minutes, for CI and smoke tests.
    #[arg(long)]
    quick: bool,
    /// Epochs for the autoencoders (default 10, or 1 with --quick).
    #[arg(long)]
    epochs: Option<usize>,
    #[arg(long, default_value = "flex")]
    backend: BackendKind,
    /// Folder with the four MNIST files (gzipped IDX).
    #[arg(long, default_value = "data/mnist")]
    data: PathBuf,
    /// Where results.json, report.md and the figures go.
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// Where to export the trained weights (e.g. public/weights); none if absent.
    #[arg(long)]
    weights_out: Option<PathBuf>,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Train each model as this many copies of it, each on a thread of its own and its part
    /// of every batch (data-parallel, flex only; the VAE trains whole). 1: one copy, its
    /// kernels split across every core.
    #[arg(long, default_value_t = 1)]
    copies: usize,
}

pub(crate) struct Context {
    pub device: Device,
    pub train: MnistSet,
    pub test: MnistSet,
    pub training: TrainingConfig,
    pub quick: bool,
    pub out: PathBuf,
    /// Record the codes of the first test digits before training and after every epoch (the
    /// latent map through the epochs, bundled with the weights).
    pub record_epochs: bool,
    /// Copies of each model that train together ([`Trainer::with_data_parallel`]).
    pub copies: usize,
}

pub fn run(args: ReproduceArgs) -> Result<(), String> {
    let started = Instant::now();
    let started_utc = report::utc_now();
    let backend: BackendDevice = args.backend.init().map_err(|e| e.to_string())?;
    eprintln!("backend: {}", backend.description);
    let (mut train, mut test) = (
        MnistSet::load_dir(&args.data, Split::Train).map_err(|e| e.to_string())?,
        MnistSet::load_dir(&args.data, Split::Test).map_err(|e| e.to_string())?,
    );
    if args.quick {
        train = train.first(QUICK_TRAIN);
        test = test.first(QUICK_TEST);
    }
    let training = TrainingConfig {
        epochs: args.epochs.unwrap_or(if args.quick { 1 } else { 10 }),
        seed: args.seed,
        ..TrainingConfig::default()
    };
    training.validate().map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    eprintln!(
        "data: {} training and {} test images from {}",
        train.len(),
        test.len(),
        args.data.display()
    );
    let ctx = Context {
        device: backend.device.clone(),
        train,
        test,
        training,
        quick: args.quick,
        out: args.out.clone(),
        record_epochs: args.weights_out.is_some(),
        copies: args.copies,
    };

    // A. The latent sweep (two-layer), and B. depth at d = 20 (A's d = 20 is the two-layer run).
    let mut runs = Vec::new();
    let mut models: Vec<Autoencoder> = Vec::new();
    let configs = LATENT_SIZES
        .iter()
        .map(|&d| AutoencoderConfig::new(Architecture::TwoLayer, d))
        .chain([
            AutoencoderConfig::new(Architecture::OneLayer, 20),
            AutoencoderConfig::new(Architecture::ThreeLayer, 20),
        ]);
    for config in configs {
        let (model, run, recording) = train_autoencoder(&ctx, config)?;
        if let (Some(dir), Some(recording)) = (&args.weights_out, recording) {
            write_recording(dir, &run.name, &recording)?;
        }
        runs.push(run);
        models.push(model);
    }
    let find = |arch: Architecture, d: usize| {
        runs.iter()
            .zip(&models)
            .find(|(r, _)| r.layers == arch.layers() && r.latent_dim == d)
            .expect("every configuration was trained")
    };
    let latent_sweep: Vec<SweepEntry> = LATENT_SIZES
        .iter()
        .map(|&d| {
            let (r, _) = find(Architecture::TwoLayer, d);
            SweepEntry {
                latent_dim: d,
                params: r.params,
                train_loss: r.train_loss,
                test_loss: r.test_loss,
                curve: r.curve.clone(),
            }
        })
        .collect();
    // The sweep's baseline: a linear code of each size (no training, seconds).
    eprintln!("A. linear baselines: PCA of the training images");
    let linear_baselines = Some(super::baselines::compute(&ctx.train, &ctx.test));
    let depth: Vec<DepthEntry> = Architecture::DEPTHS
        .iter()
        .map(|&a| {
            let (r, _) = find(a, 20);
            DepthEntry {
                layers: a.layers(),
                params: r.params,
                train_loss: r.train_loss,
                test_loss: r.test_loss,
                curve: r.curve.clone(),
            }
        })
        .collect();

    // C and D from one encoding of the test set per model: the interpolations with the d = 20
    // and d = 100 models (each frame measured against the codes), the decorrelation of every
    // latent-sweep model.
    let mut interpolation = Vec::new();
    let mut decorrelation_stats = Vec::new();
    for &d in &LATENT_SIZES {
        let (_, model) = find(Architecture::TwoLayer, d);
        let codes = block_on(encode_set(model, &ctx.test, EVAL_BATCH, &ctx.device))
            .map_err(|e| e.to_string())?;
        if [20, 100].contains(&d) {
            interpolation.extend(interpolation_strips(&ctx, model, &codes, "")?);
        }
        decorrelation_stats.push(decorrelation(&codes, ctx.test.len(), d));
    }

    // 5. The variational autoencoder at d = 20 and 100, beside the plain two-layer models.
    let mut variational = Vec::new();
    let mut variational_models = Vec::new();
    for d in VARIATIONAL_SIZES {
        let config = AutoencoderConfig::new(Architecture::Vae, d);
        let (model, run, recording) = train_autoencoder(&ctx, config)?;
        if let (Some(dir), Some(recording)) = (&args.weights_out, recording) {
            write_recording(dir, &run.name, &recording)?;
        }
        let mse = |set: &MnistSet| {
            block_on(reconstruction_mse(&model, set, EVAL_BATCH, &ctx.device))
                .map_err(|e| format!("{}: {e}", run.name))
        };
        let (train_mse, test_mse) = (mse(&ctx.train)?, mse(&ctx.test)?);
        let codes = block_on(encode_set(&model, &ctx.test, EVAL_BATCH, &ctx.device))
            .map_err(|e| e.to_string())?;
        eprintln!(
            "{}: test MSE at the mean {test_mse:.4} (objective {:.4})",
            run.name, run.test_loss
        );
        variational.push(VariationalEntry {
            latent_dim: d,
            beta: model.beta().unwrap_or(DEFAULT_BETA),
            params: run.params,
            train_mse,
            test_mse,
            test_loss: run.test_loss,
            curve: run.curve.clone(),
            decorrelation: decorrelation(&codes, ctx.test.len(), d),
            interpolation: interpolation_strips(&ctx, &model, &codes, "vae_")?,
        });
        variational_models.push((run, model));
    }

    // E. Transfer learning from the three-layer encoder.
    let (_, three_layer) = find(Architecture::ThreeLayer, 20);
    let encoder = three_layer
        .three_layer_encoder()
        .expect("the three-layer model has a three-layer encoder")
        .clone();
    let mut transfer = Vec::new();
    let labels: Vec<usize> = TRANSFER_LABELS
        .iter()
        .map(|&n| n.min(ctx.train.len()))
        .collect();
    for &n in &labels {
        for scenario in TransferScenario::ALL {
            let epochs = if ctx.quick {
                ctx.training.epochs
            } else {
                transfer_epochs(n, ctx.training.batch_size)
            };
            let (entry, classifier) = train_classifier(&ctx, scenario, &encoder, n, epochs)?;
            if let Some(dir) = &args.weights_out
                && n == *labels.last().expect("three sizes")
            {
                let mut manifest = WeightsManifest::new(
                    ModelSpec::Classifier { latent_dim: 20 },
                    param_count(&classifier),
                );
                manifest.training = Some(TrainingConfig {
                    epochs: entry.epochs,
                    ..ctx.training
                });
                manifest.train_images = Some(n);
                manifest.train_loss = Some(entry.train_loss);
                manifest.test_loss = Some(entry.test_loss);
                manifest.test_accuracy = Some(entry.test_accuracy);
                manifest.notes = Some(format!("transfer scenario: {scenario}"));
                let bytes = save_classifier(&classifier, &manifest).map_err(|e| e.to_string())?;
                write_weights(dir, &format!("classifier-{scenario}"), &bytes, &manifest)?;
            }
            transfer.push(entry);
        }
    }

    if let Some(dir) = &args.weights_out {
        let all = runs
            .iter()
            .zip(&models)
            .chain(variational_models.iter().map(|(r, m)| (r, m)));
        for (run, model) in all {
            let mut manifest = WeightsManifest::new(
                ModelSpec::Autoencoder {
                    architecture: model.architecture(),
                    latent_dim: run.latent_dim,
                },
                run.params,
            );
            manifest.training = Some(ctx.training);
            manifest.train_images = Some(ctx.train.len());
            manifest.train_loss = Some(run.train_loss);
            manifest.test_loss = Some(run.test_loss);
            manifest.beta = model.beta();
            let bytes = save_autoencoder(model, &manifest).map_err(|e| e.to_string())?;
            write_weights(dir, &run.name, &bytes, &manifest)?;
        }
    }

    let results = Results {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        quick: ctx.quick,
        backend: backend.description.clone(),
        machine: report::machine_description(),
        started_utc,
        wall_seconds: started.elapsed().as_secs_f64(),
        train_images: ctx.train.len(),
        test_images: ctx.test.len(),
        training: ctx.training,
        latent_sweep,
        depth,
        interpolation,
        decorrelation: decorrelation_stats,
        transfer,
        runs: runs
            .into_iter()
            .chain(variational_models.into_iter().map(|(r, _)| r))
            .collect(),
        variational,
        linear_baselines,
    };
    figures::all(&ctx.out, &results)?;
    let json = serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?;
    write(&ctx.out.join("results.json"), json.as_bytes())?;
    write(
        &ctx.out.join("report.md"),
        report::markdown(&results).as_bytes(),
    )?;
    eprintln!(
        "done in {:.0} s: {}",
        results.wall_seconds,
        ctx.out.join("report.md").display()
    );
    Ok(())
}

/// Writes a file whole or not at all (a temporary file renamed over the real name).
impl Context {
    /// A seed study's context: `epochs` of the exercise's training, one copy of the model, no
    /// epochs recorded, files written to `out`.
    pub(crate) fn study(
        device: Device,
        train: MnistSet,
        test: MnistSet,
        epochs: usize,
        out: PathBuf,
    ) -> Self {
        Self {
            device,
            train,
            test,
            training: TrainingConfig {
                epochs,
                ..TrainingConfig::default()
            },
            quick: false,
            out,
            record_epochs: false,
            copies: 1,
        }
    }
}

pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    latent_lab::files::write_atomic(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_weights(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    manifest: &WeightsManifest,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write(&dir.join(format!("{name}.safetensors")), bytes)?;
    let json = serde_json::to_string_pretty(manifest).map_err(|e| e.to_string())?;
    write(&dir.join(format!("{name}.json")), json.as_bytes())
}

/// Trains one autoencoder, evaluating both sets in eval mode after every epoch (and, where
/// the context asks, recording the codes of the first test digits: before the first step and
/// after every epoch).
pub(crate) fn train_autoencoder(
    ctx: &Context,
    config: AutoencoderConfig,
) -> Result<(Autoencoder, AutoencoderRun, Option<EpochRecording>), String> {
    // The device's generator draws the initial weights: seeded for each model (as the page's
    // runs are), so the same seed gives the same run.
    ctx.device.seed(ctx.training.seed);
    let model = config.init(&ctx.device.clone().autodiff());
    let params = param_count(&model);
    let mut trainer = Trainer::new(model, ctx.train.len(), ctx.training, &ctx.device)
        .and_then(|trainer| trainer.with_data_parallel(ctx.copies))
        .map_err(|e| e.to_string())?;
    let progress = Progress::new(&config.name(), trainer.total_steps() as u64);
    let start = Instant::now();
    let mut curve = Curve::default();
    let mut train_seconds = 0.0;
    let mut recording = ctx
        .record_epochs
        .then(|| EpochRecording::new(&ctx.test, ctx.training.epochs, config.latent_dim));
    let record =
        |recording: &mut Option<EpochRecording>, epoch: usize, step: usize, model: &Autoencoder| {
            recording.as_mut().map_or(Ok(()), |r| {
                block_on(r.record(epoch, step, model, &ctx.device))
                    .map_err(|e| format!("{}: recording epoch {epoch}: {e}", config.name()))
            })
        };
    record(&mut recording, 0, 0, &trainer.model().valid())?;
    let mut epoch_start = Instant::now();
    while let Some(step) = trainer.step(&ctx.train) {
        progress.step();
        if !step.epoch_finished {
            continue;
        }
        let epoch_seconds = epoch_start.elapsed().as_secs_f64();
        record(
            &mut recording,
            step.epoch + 1,
            trainer.steps_done(),
            &trainer.model().valid(),
        )?;
        let running = block_on(trainer.take_epoch_loss())
            .map_err(|e| format!("{}: {e}", config.name()))?
            .expect("an epoch just finished");
        train_seconds += epoch_seconds;
        let train_eval = block_on(evaluate(
            trainer.model(),
            &ctx.train,
            EVAL_BATCH,
            &ctx.device,
        ))
        .map_err(|e| e.to_string())?;
        let test_eval = block_on(evaluate(
            trainer.model(),
            &ctx.test,
            EVAL_BATCH,
            &ctx.device,
        ))
        .map_err(|e| e.to_string())?;
        curve.train_running.push(running);
        curve.train.push(train_eval.loss);
        curve.test.push(test_eval.loss);
        let text = format!(
            "{} epoch {}/{}: running {running:.4}, train {:.4}, test {:.4}, {:.0} images/s",
            config.name(),
            step.epoch + 1,
            ctx.training.epochs,
            train_eval.loss,
            test_eval.loss,
            (ctx.train.len() * (step.epoch + 1)) as f64 / train_seconds,
        );
        progress.line(&text);
        progress.message(format!("test {:.4}", test_eval.loss));
        epoch_start = Instant::now();
    }
    progress.finish();
    let run = AutoencoderRun {
        name: config.name(),
        layers: config.architecture.layers(),
        latent_dim: config.latent_dim,
        params,
        train_loss: *curve.train.last().expect("at least one epoch"),
        test_loss: *curve.test.last().expect("at least one epoch"),
        curve,
        seconds: start.elapsed().as_secs_f64(),
        images_per_second: (ctx.train.len() * ctx.training.epochs) as f64 / train_seconds,
    };
    Ok((trainer.into_model(), run, recording))
}

/// Part 2's strips for one model (`prefix` tells its PNGs apart), with each frame's distance
/// from the data: the nearest code among the first [`NEAREST_DATA_REFERENCE`] test digits',
/// over their typical nearest-neighbour distance. `codes`: the model's codes of the test set.
fn interpolation_strips(
    ctx: &Context,
    model: &Autoencoder,
    codes: &[f32],
    prefix: &str,
) -> Result<Vec<InterpolationEntry>, String> {
    let d = model.latent_dim();
    let reference = &codes[..ctx.test.len().min(NEAREST_DATA_REFERENCE) * d];
    let frames = 10;
    let alphas = interpolation_alphas(frames);
    let mut entries = Vec::new();
    for &(a, b) in &INTERPOLATION_PAIRS {
        let (Some(ia), Some(ib)) = (ctx.test.first_of_digit(a), ctx.test.first_of_digit(b)) else {
            eprintln!("skipping interpolation {a}→{b}: the test set lacks one of the digits");
            continue;
        };
        let pixels = block_on(interpolation_strip(
            model,
            &ctx.test,
            ia,
            ib,
            &alphas,
            &ctx.device,
        ))
        .map_err(|e| e.to_string())?;
        let png = format!("{prefix}interp_{a}_{b}_d{d}.png");
        figures::image_strip(&ctx.out.join(&png), &pixels, frames)?;
        let path = interpolate_codes(
            &codes[ia * d..(ia + 1) * d],
            &codes[ib * d..(ib + 1) * d],
            &alphas,
        );
        entries.push(InterpolationEntry {
            pair: [a, b],
            latent_dim: d,
            indices: [ia, ib],
            alphas: alphas.clone(),
            png,
            nearest_data: relative_nearest_data_distances(&path, reference, d).unwrap_or_default(),
        });
    }
    Ok(entries)
}

/// The latent map through the epochs, as the page shows it: `<name>.epochs.json` beside the
/// weights.
fn write_recording(dir: &Path, name: &str, recording: &EpochRecording) -> Result<(), String> {
    let maps = recording
        .maps()
        .ok_or_else(|| format!("{name}: the recorded codes hold a value that is not a number"))?;
    let recorded = RecordedEpochs {
        model: name.to_string(),
        labels: recording.labels(),
        maps,
    };
    let json = serde_json::to_string(&recorded).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write(
        &dir.join(format!("{name}.{EPOCHS_SUFFIX}")),
        json.as_bytes(),
    )
}

/// Trains `scenario` for `epochs` on the first `labels` training images, scoring the test set
/// at [`transfer_eval_epochs`]; the device is seeded with the training seed first, as the page
/// does, so the same seed gives the page's run.
pub(crate) fn train_classifier(
    ctx: &Context,
    scenario: TransferScenario,
    encoder: &latent_lab::model::ThreeLayerEncoder,
    labels: usize,
    epochs: usize,
) -> Result<(TransferEntry, latent_lab::model::Classifier), String> {
    let labelled = ctx.train.first(labels);
    ctx.device.seed(ctx.training.seed);
    let ad = ctx.device.clone().autodiff();
    let classifier = transfer_classifier(scenario, Some(encoder), &ad)?;
    let config = TrainingConfig {
        epochs,
        ..ctx.training
    };
    let mut trainer = Trainer::new(classifier, labelled.len(), config, &ctx.device)
        .and_then(|trainer| trainer.with_data_parallel(ctx.copies))
        .map_err(|e| e.to_string())?;
    let name = format!("{scenario}-{labels}");
    let progress = Progress::new(&name, trainer.total_steps() as u64);
    let start = Instant::now();
    let checkpoints = transfer_eval_epochs(epochs);
    let mut curve = TransferCurve::default();
    while let Some(step) = trainer.step(&labelled) {
        progress.step();
        if !step.epoch_finished {
            continue;
        }
        let running = block_on(trainer.take_epoch_loss())
            .map_err(|e| format!("{name}: {e}"))?
            .expect("an epoch just finished");
        curve.train_running.push(running);
        let epoch = step.epoch + 1;
        if checkpoints.contains(&epoch) {
            let eval = block_on(evaluate(
                trainer.model(),
                &ctx.test,
                EVAL_BATCH,
                &ctx.device,
            ))
            .map_err(|e| e.to_string())?;
            let accuracy = eval.accuracy.expect("classifiers report accuracy");
            curve.epochs.push(epoch);
            curve.test_loss.push(eval.loss);
            curve.test_accuracy.push(accuracy);
            progress.message(format!("test accuracy {:.1}%", accuracy * 100.0));
        }
    }
    progress.finish();
    let classifier = trainer.into_model();
    let train_eval = block_on(evaluate(&classifier, &labelled, EVAL_BATCH, &ctx.device))
        .map_err(|e| e.to_string())?;
    let entry = TransferEntry {
        scenario,
        labels,
        epochs,
        train_loss: train_eval.loss,
        train_accuracy: train_eval.accuracy.unwrap_or(f32::NAN),
        test_loss: *curve.test_loss.last().expect("the last epoch is evaluated"),
        test_accuracy: *curve
            .test_accuracy
            .last()
            .expect("the last epoch is evaluated"),
        curve,
        seconds: start.elapsed().as_secs_f64(),
    };
    progress.line(&format!(
        "transfer {name}: {epochs} epochs, train loss {:.4}, test loss {:.4}, test accuracy {:.2}%",
        entry.train_loss,
        entry.test_loss,
        entry.test_accuracy * 100.0
    ));
    Ok((entry, classifier))
}
