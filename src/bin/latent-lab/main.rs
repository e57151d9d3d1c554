//! `latent-lab`: the native command that reproduces the exercise on full MNIST, prints model
//! sizes, and prepares the files the web page bundles.

#[cfg(not(target_arch = "wasm32"))]
mod analyse;
#[cfg(not(target_arch = "wasm32"))]
mod baselines;
#[cfg(not(target_arch = "wasm32"))]
mod figures;
#[cfg(not(target_arch = "wasm32"))]
mod progress;
#[cfg(not(target_arch = "wasm32"))]
mod report;
#[cfg(not(target_arch = "wasm32"))]
mod reproduce;
#[cfg(not(target_arch = "wasm32"))]
mod seeds;
#[cfg(not(target_arch = "wasm32"))]
mod transfer_seeds;

#[cfg(not(target_arch = "wasm32"))]
use std::path::PathBuf;
#[cfg(not(target_arch = "wasm32"))]
use std::process::ExitCode;

#[cfg(not(target_arch = "wasm32"))]
use clap::{Parser, Subcommand};
#[cfg(not(target_arch = "wasm32"))]
use latent_lab::BackendKind;
#[cfg(not(target_arch = "wasm32"))]
use latent_lab::data::{MnistSet, Split};
#[cfg(not(target_arch = "wasm32"))]
use latent_lab::model::{
    Architecture, AutoencoderConfig, ClassifierConfig, LATENT_SIZES, param_count,
};

#[cfg(not(target_arch = "wasm32"))]
#[derive(Parser)]
#[command(
    name = "latent-lab",
    version,
    about = "Autoencoders on handwritten digits"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[cfg(not(target_arch = "wasm32"))]
#[derive(Subcommand)]
enum Command {
    /// List every model of the exercise with its parameter count.
    Params,
    /// Run the four experiments and write results.json, report.md, figures and weights.
    Reproduce(reproduce::ReproduceArgs),
    /// Train one autoencoder (or, with --transfer-labels, the three transfer scenarios) from
    /// several seeds and report the spread of its test loss.
    Seeds(seeds::SeedsArgs),
    /// Analyse the latent codes of weight files on a test set (what the page's decorrelation
    /// view computes), as JSON.
    Analyse(analyse::AnalyseArgs),
    /// Score linear codes (PCA of the training images) at the latent sweep's sizes and add
    /// them to a results.json as the sweep's baseline (reproduce computes them too).
    Baselines(baselines::BaselinesArgs),
    /// Write the page's bundled MNIST subset (first N train and test images) as gzipped IDX.
    Subset {
        /// Folder with the full MNIST files.
        #[arg(long, default_value = "data/mnist")]
        data: PathBuf,
        /// Where to write the subset.
        #[arg(long, default_value = "public/data")]
        out: PathBuf,
        #[arg(long, default_value_t = 10_000)]
        train: usize,
        #[arg(long, default_value_t = 2_000)]
        test: usize,
    },
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> ExitCode {
    let cli = Cli::parse();
    // Training and analysis run on a thread of the kernels' pool (see on_kernel_threads).
    let outcome = latent_lab::backend::on_kernel_threads(|| match cli.command {
        Command::Params => {
            print_params();
            Ok(())
        }
        Command::Reproduce(args) => reproduce::run(args),
        Command::Seeds(args) => seeds::run(args),
        Command::Analyse(args) => analyse::run(args),
        Command::Baselines(args) => baselines::run(args),
        Command::Subset {
            data,
            out,
            train,
            test,
        } => write_subset(&data, &out, train, test),
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn print_params() {
    let device = BackendKind::Flex
        .init()
        .expect("the CPU backend always starts")
        .device;
    println!("{:<24} {:>10}", "model", "parameters");
    let autoencoders = LATENT_SIZES
        .iter()
        .map(|&d| AutoencoderConfig::new(Architecture::TwoLayer, d))
        .chain([
            AutoencoderConfig::new(Architecture::OneLayer, 20),
            AutoencoderConfig::new(Architecture::ThreeLayer, 20),
            AutoencoderConfig::new(Architecture::Vae, 20),
            AutoencoderConfig::new(Architecture::Vae, 100),
        ])
        .map(|config| (config.name(), param_count(&config.init(&device))));
    let classifier = (
        "classifier-d20".to_string(),
        param_count(&ClassifierConfig::new().init(&device)),
    );
    for (name, params) in autoencoders.chain([classifier]) {
        println!("{name:<24} {params:>10}");
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn write_subset(
    data: &std::path::Path,
    out: &std::path::Path,
    train: usize,
    test: usize,
) -> Result<(), String> {
    if latent_lab::files::overlaps(data, out) {
        return Err(format!(
            "--out {} would overwrite the input files in {}: choose another folder",
            out.display(),
            data.display()
        ));
    }
    for (split, n) in [(Split::Train, train), (Split::Test, test)] {
        let set = MnistSet::load_dir(data, split).map_err(|e| e.to_string())?;
        if n > set.len() {
            return Err(format!(
                "asked for {n} {split:?} images but {} has only {}",
                data.display(),
                set.len()
            ));
        }
        set.first(n)
            .write_dir(out, split)
            .map_err(|e| e.to_string())?;
        println!("wrote the first {n} {split:?} images to {}", out.display());
    }
    Ok(())
}

/// The command is native only. Browser test builds (`wasm-pack test` compiles every test target
/// for wasm32) get this empty stand-in.
#[cfg(target_arch = "wasm32")]
fn main() {}
