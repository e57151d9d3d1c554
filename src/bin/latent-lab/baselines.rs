//! `latent-lab baselines`: what a linear code of each latent sweep size reconstructs (PCA of
//! the training images), written into a `results.json` beside the sweep it is the baseline of,
//! and its `report.md` and `sweep_losses.png` (the figure that has the baseline's lines)
//! redrawn from it. `reproduce` computes the same as part of part A; this
//! adds it to results made without it, without training anything again.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use latent_lab::analysis::{LinearBaselines, linear_baselines};
use latent_lab::data::{IMAGE_PIXELS, MnistSet, Split, bytes_to_values};
use latent_lab::model::LATENT_SIZES;
use latent_lab::results::Results;

use super::reproduce::write;

#[derive(Args, Debug)]
pub struct BaselinesArgs {
    /// Folder with the MNIST files the results were made on (full MNIST by default).
    #[arg(long, default_value = "data/mnist")]
    data: PathBuf,
    /// The results.json to add the baselines to; its report.md and sweep_losses.png (beside
    /// it) are redrawn.
    #[arg(long, default_value = "results/results.json")]
    results: PathBuf,
}

/// The linear baselines of the latent sweep's sizes on `train`, scored on it and on `test`.
pub fn compute(train: &MnistSet, test: &MnistSet) -> LinearBaselines {
    linear_baselines(
        &bytes_to_values(train.pixels()),
        train.len(),
        &bytes_to_values(test.pixels()),
        test.len(),
        IMAGE_PIXELS,
        &LATENT_SIZES,
    )
}

/// The baselines as a table, a row a size, beside the sweep's autoencoder where it has one.
pub fn table(baselines: &LinearBaselines, results: &Results) -> String {
    let mut s = String::from("latent size   PCA train    PCA test   autoencoder test\n");
    for e in &baselines.entries {
        let ours = results
            .latent_sweep
            .iter()
            .find(|s| s.latent_dim == e.latent_dim)
            .map_or("–".to_string(), |s| format!("{:.4}", s.test_loss));
        s.push_str(&format!(
            "{:>11} {:>11.4} {:>11.4} {:>18}\n",
            e.latent_dim, e.train_loss, e.test_loss, ours
        ));
    }
    s
}

pub fn run(args: BaselinesArgs) -> Result<(), String> {
    let json = std::fs::read_to_string(&args.results)
        .map_err(|e| format!("{}: {e}", args.results.display()))?;
    let mut results =
        Results::from_json(&json).map_err(|e| format!("{}: {e}", args.results.display()))?;
    let train = MnistSet::load_dir(&args.data, Split::Train).map_err(|e| e.to_string())?;
    let test = MnistSet::load_dir(&args.data, Split::Test).map_err(|e| e.to_string())?;
    if (train.len(), test.len()) != (results.train_images, results.test_images) {
        return Err(format!(
            "{} holds {} training and {} test images, but {} was made on {} and {}: \
             the baselines must come from the same images",
            args.data.display(),
            train.len(),
            test.len(),
            args.results.display(),
            results.train_images,
            results.test_images
        ));
    }
    let started = Instant::now();
    eprintln!(
        "PCA of {} training images (784 × 784 covariance, Jacobi rotations)…",
        train.len()
    );
    let baselines = compute(&train, &test);
    eprintln!("done in {:.1} s", started.elapsed().as_secs_f64());
    print!("{}", table(&baselines, &results));
    results.linear_baselines = Some(baselines);
    let json = serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?;
    write(&args.results, json.as_bytes())?;
    let folder = args.results.parent().unwrap_or(Path::new("."));
    let report = folder.join("report.md");
    write(&report, super::report::markdown(&results).as_bytes())?;
    let figure = folder.join("sweep_losses.png");
    super::figures::sweep_losses(&figure, &results)?;
    eprintln!(
        "wrote {}, {} and {}",
        args.results.display(),
        report.display(),
        figure.display()
    );
    Ok(())
}
