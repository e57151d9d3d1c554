//! `latent-lab seeds`: one autoencoder trained from several seeds, to see how much a result
//! owes to luck (at latent size 1 a single ReLU code unit can die at initialisation or early in
//! training, and then the decoder can only output one image). Every seed is reported; none is
//! picked. With `--transfer-labels`, lesson E's three transfer scenarios instead
//! ([`crate::transfer_seeds`]).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use latent_lab::BackendKind;
use latent_lab::analysis::{decorrelation, encode_set};
use latent_lab::data::{MnistSet, Split};
use latent_lab::model::{Architecture, AutoencoderConfig, check_latent_dim};
use latent_lab::results::{SeedRun, spread};
use pollster::block_on;

use crate::reproduce::{Context, EVAL_BATCH, train_autoencoder};
use crate::transfer_seeds::TransferStudy;

#[derive(Args, Debug)]
pub struct SeedsArgs {
    #[arg(long, default_value = "two-layer")]
    architecture: Architecture,
    #[arg(long, default_value_t = 1)]
    latent_dim: usize,
    /// Seeds for the weights' initialisation and the shuffling, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,2,3,4,5")]
    seeds: Vec<u64>,
    /// Epochs (default 10; with --transfer-labels, the exercise's transfer schedule: at least
    /// 10 epochs and 2,000 steps).
    #[arg(long)]
    epochs: Option<usize>,
    /// Instead of an autoencoder, train the three transfer scenarios (frozen, finetune,
    /// scratch) on the first N labelled training images, from the encoder in --encoder.
    #[arg(long, conflicts_with_all = ["architecture", "latent_dim", "train_images"])]
    transfer_labels: Option<usize>,
    /// The pretrained three-layer autoencoder whose encoder the transfer scenarios start from.
    #[arg(
        long,
        default_value = "public/weights/three-layer-d20.safetensors",
        requires = "transfer_labels"
    )]
    encoder: PathBuf,
    /// Use only the first N training images (all by default).
    #[arg(long)]
    train_images: Option<usize>,
    #[arg(long, default_value = "flex")]
    backend: BackendKind,
    #[arg(long, default_value = "data/mnist")]
    data: PathBuf,
    /// Where the table (markdown) and the figures (JSON) go.
    #[arg(long, default_value = "results/seeds")]
    out: PathBuf,
}

pub fn run(args: SeedsArgs) -> Result<(), String> {
    if args.seeds.is_empty() {
        return Err("give at least one seed".into());
    }
    if let Some(labels) = args.transfer_labels {
        return crate::transfer_seeds::run(TransferStudy {
            labels,
            encoder: args.encoder,
            seeds: args.seeds,
            epochs: args.epochs,
            backend: args.backend,
            data: args.data,
            out: args.out,
        });
    }
    let epochs = args.epochs.unwrap_or(10);
    check_latent_dim(args.latent_dim).map_err(|e| format!("--latent-dim: {e}"))?;
    let backend = args.backend.init().map_err(|e| e.to_string())?;
    let mut train = MnistSet::load_dir(&args.data, Split::Train).map_err(|e| e.to_string())?;
    let test = MnistSet::load_dir(&args.data, Split::Test).map_err(|e| e.to_string())?;
    if let Some(n) = args.train_images {
        train = train.first(n.min(train.len()));
    }
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let config = AutoencoderConfig::new(args.architecture, args.latent_dim);
    let mut ctx = Context::study(
        backend.device.clone(),
        train,
        test,
        epochs,
        args.out.clone(),
    );
    let mut runs = Vec::new();
    for &seed in &args.seeds {
        // The device's generator draws the initial weights; the config's seed, the shuffles.
        ctx.device.seed(seed);
        ctx.training.seed = seed;
        ctx.training.validate().map_err(|e| e.to_string())?;
        let (model, result, _) = train_autoencoder(&ctx, config)?;
        let codes = block_on(encode_set(&model, &ctx.test, EVAL_BATCH, &ctx.device))
            .map_err(|e| e.to_string())?;
        let stats = decorrelation(&codes, ctx.test.len(), args.latent_dim);
        eprintln!(
            "seed {seed}: test loss {:.4}, {} dead code unit(s)",
            result.test_loss, stats.dead_units
        );
        runs.push(SeedRun {
            seed,
            train_loss: result.train_loss,
            test_loss: result.test_loss,
            dead_units: stats.dead_units,
            seconds: result.seconds,
        });
    }

    let name = config.name();
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let mut md = format!(
        "# {name}: {} seeds\n\nMade by `{command}` on {} ({} training and {} test images, {} epochs).\n\n\
         | seed | train loss | test loss | dead code units | seconds |\n|---:|---:|---:|---:|---:|\n",
        runs.len(),
        backend.description,
        ctx.train.len(),
        ctx.test.len(),
        epochs
    );
    for r in &runs {
        let _ = writeln!(
            md,
            "| {} | {:.4} | {:.4} | {} | {:.0} |",
            r.seed, r.train_loss, r.test_loss, r.dead_units, r.seconds
        );
    }
    let losses: Vec<f64> = runs.iter().map(|r| r.test_loss as f64).collect();
    let s = spread(&losses).ok_or("no seed was run")?;
    let (mean, sd, min, max) = (s.mean, s.sd, s.min, s.max);
    let dead = runs.iter().filter(|r| r.dead_units > 0).count();
    let _ = writeln!(
        md,
        "\nTest loss: mean {mean:.4}, standard deviation {sd:.4}, min {min:.4}, max {max:.4}. \
         Runs with a dead code unit: {dead} of {}.",
        runs.len()
    );
    let stem = format!("seeds-{name}");
    let md_path = args.out.join(format!("{stem}.md"));
    crate::reproduce::write(&md_path, md.as_bytes())?;
    let json_path = args.out.join(format!("{stem}.json"));
    let json = serde_json::to_string_pretty(&runs).map_err(|e| e.to_string())?;
    crate::reproduce::write(&json_path, json.as_bytes())?;
    print!("{md}");
    Ok(())
}
