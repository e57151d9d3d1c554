//! What the engine worker keeps in the browser (IndexedDB): the models the person trained or
//! loaded, so a reload restores them, and a checkpoint of the running training after each
//! epoch, so a reload can resume it.

use burn::prelude::Device;

use super::indexed_db::{CHECKPOINTS, Database, MODELS, read_record, record};
use crate::engine::store::{ModelSnapshot, StoredModel};
use crate::engine::{InterruptedRun, ModelInfo, ModelOrigin, ModelStore};
use crate::model::Autoencoder;
use crate::weights::{WeightsManifest, load_autoencoder};

/// The key of the one checkpoint (one training runs at a time).
const CHECKPOINT: &str = "current";

/// Writes a model to the browser's storage; the caller then marks it kept in the store.
pub async fn keep_model(
    db: &Database,
    snapshot: &ModelSnapshot,
    cpu: &Device,
) -> Result<(), String> {
    let bytes = snapshot.to_bytes(cpu).await?;
    let json = serde_json::to_string(&snapshot.origin).map_err(|e| e.to_string())?;
    db.put(MODELS, &snapshot.name, &record(&bytes, &json))
        .await
        .map_err(|e| format!("'{}' could not be kept in this browser: {e}", snapshot.name))
}

pub async fn forget_model(db: &Database, name: &str) -> Result<(), String> {
    db.delete(MODELS, name).await
}

/// The models kept in the browser: (name, origin, weight file), and what could not be read.
pub async fn kept_models(db: &Database) -> (Vec<(String, ModelOrigin, Vec<u8>)>, Vec<String>) {
    let entries = match db.entries(MODELS).await {
        Ok(entries) => entries,
        Err(e) => {
            return (
                Vec::new(),
                vec![format!("the models kept in this browser: {e}")],
            );
        }
    };
    let mut models = Vec::new();
    let mut problems = Vec::new();
    for (name, value) in entries {
        let parsed = read_record(&value)
            .ok_or_else(|| "the stored record is malformed".to_string())
            .and_then(|(bytes, json)| {
                let origin: ModelOrigin = serde_json::from_str(&json).map_err(|e| e.to_string())?;
                Ok((bytes, origin))
            });
        match parsed {
            Ok((bytes, origin)) => models.push((name, origin, bytes)),
            Err(e) => problems.push(format!("kept model '{name}': {e}")),
        }
    }
    (models, problems)
}

/// Saves the running training's model after a completed epoch.
pub async fn save_checkpoint(
    db: &Database,
    run: &InterruptedRun,
    snapshot: &ModelSnapshot,
    cpu: &Device,
) -> Result<(), String> {
    let bytes = snapshot.to_bytes(cpu).await?;
    let json = serde_json::to_string(run).map_err(|e| e.to_string())?;
    db.put(CHECKPOINTS, CHECKPOINT, &record(&bytes, &json))
        .await
}

/// The interrupted training and its model, if a checkpoint is there and readable.
pub async fn load_checkpoint(
    db: &Database,
    device: &Device,
) -> Result<Option<(InterruptedRun, Autoencoder, WeightsManifest)>, String> {
    let Some(value) = db.get(CHECKPOINTS, CHECKPOINT).await? else {
        return Ok(None);
    };
    let (bytes, json) = read_record(&value).ok_or("the checkpoint record is malformed")?;
    let run: InterruptedRun =
        serde_json::from_str(&json).map_err(|e| format!("the checkpoint is unreadable: {e}"))?;
    let (model, manifest) =
        load_autoencoder(&bytes, device).map_err(|e| format!("the checkpoint: {e}"))?;
    Ok(Some((run, model, manifest)))
}

pub async fn clear_checkpoint(db: &Database) -> Result<(), String> {
    db.delete(CHECKPOINTS, CHECKPOINT).await
}

/// Puts a checkpoint's model into the store as a model of its own.
pub fn checkpoint_model(
    store: &mut ModelStore,
    run: &InterruptedRun,
    model: Autoencoder,
    manifest: WeightsManifest,
) -> ModelInfo {
    let name = format!(
        "{}-d{} (epoch {} of {})",
        run.request.architecture,
        run.request.latent_dim,
        run.epochs_done,
        run.request.training.epochs
    );
    store.insert(
        &name,
        manifest,
        ModelOrigin::Trained,
        StoredModel::Autoencoder(Box::new(model)),
    )
}
