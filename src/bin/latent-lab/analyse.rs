//! `latent-lab analyse`: the latent statistics the page's decorrelation view computes, for
//! weight files and a test set, natively, as JSON. The end-to-end tests compare the page's
//! figures with these (same weights, same bundled subset).

use std::path::PathBuf;

use clap::Args;
use latent_lab::BackendKind;
use latent_lab::data::{MnistSet, Split};
use latent_lab::engine::latent_analysis::analyse_latents;
use latent_lab::engine::{ModelOrigin, ModelStore};
use pollster::block_on;
use serde_json::json;

#[derive(Args, Debug)]
pub struct AnalyseArgs {
    /// Weight files (`.safetensors` with their manifest) of autoencoders.
    #[arg(required = true)]
    weights: Vec<PathBuf>,
    /// Folder with the test set's IDX files (the page's bundled subset by default).
    #[arg(long, default_value = "public/data")]
    data: PathBuf,
    #[arg(long, default_value = "flex")]
    backend: BackendKind,
}

pub fn run(args: AnalyseArgs) -> Result<(), String> {
    let backend = args.backend.init().map_err(|e| e.to_string())?;
    let test = MnistSet::load_dir(&args.data, Split::Test).map_err(|e| e.to_string())?;
    let mut store = ModelStore::default();
    let mut out = Vec::new();
    for path in &args.weights {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        // Named by the path as given: `a/m.safetensors` and `b/m.safetensors` are two models.
        let name = path.display().to_string();
        let name = store
            .insert_file(&name, &bytes, ModelOrigin::Uploaded, &backend.device)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .name;
        let model = store
            .autoencoder(&name)
            .ok_or_else(|| format!("{}: not an autoencoder", path.display()))?;
        let a = block_on(analyse_latents(&name, model, &test, &backend.device))?;
        out.push(json!({
            "model": a.model,
            "file": path.display().to_string(),
            "latent_dim": a.latent_dim,
            "images": a.images,
            "mean_abs_pearson": a.stats.mean_abs_pearson,
            "mean_abs_pearson_defined": a.stats.mean_abs_pearson_defined,
            "dead_units": a.stats.dead_units,
        }));
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&out).expect("JSON values serialise")
    );
    Ok(())
}
