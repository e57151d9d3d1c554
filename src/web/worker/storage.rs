//! What the engine worker keeps in the browser (IndexedDB): the models the person trained or
//! loaded, so a reload restores them, and a checkpoint of the running training after each
//! epoch, so a reload can resume it.

use burn::prelude::Device;

use super::Shared;
use super::browser::{cpu, post};
use crate::engine::store::{ModelSnapshot, StoredModel, kept_record_json, kept_record_meta};
use crate::engine::{Checkpoint, FromEngine, InterruptedRun, ModelOrigin, TrainingSession};
use crate::web::indexed_db::{CHECKPOINTS, Database, MODELS, read_record, record};
use crate::weights::load_autoencoder;

/// The key of the one checkpoint (one training runs at a time).
const CHECKPOINT: &str = "current";

/// Writes a model to the browser's storage; the caller then marks it kept in the store.
pub async fn keep_model(
    db: &Database,
    snapshot: &ModelSnapshot,
    cpu: &Device,
) -> Result<(), String> {
    let bytes = snapshot.to_bytes(cpu).await?;
    let json = kept_record_json(&snapshot.name, snapshot.origin);
    db.put(MODELS, &snapshot.id, &record(&bytes, &json))
        .await
        .map_err(|e| format!("'{}' could not be kept in this browser: {e}", snapshot.name))
}

/// A model kept in the browser, as read back.
pub struct KeptModel {
    /// The key it is stored under.
    pub id: String,
    pub name: String,
    pub origin: ModelOrigin,
    pub bytes: Vec<u8>,
}

/// Removes the record stored under `id`.
pub async fn forget_model(db: &Database, id: &str) -> Result<(), String> {
    db.delete(MODELS, id).await
}

/// The models kept in the browser, and what could not be read.
pub async fn kept_models(db: &Database) -> (Vec<KeptModel>, Vec<String>) {
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
    for (id, value) in entries {
        let parsed = read_record(&value)
            .ok_or_else(|| "the stored record is malformed".to_string())
            .and_then(|(bytes, json)| Ok((bytes, kept_record_meta(&id, &json)?)));
        match parsed {
            Ok((bytes, (name, origin))) => models.push(KeptModel {
                id,
                name,
                origin,
                bytes,
            }),
            Err(e) => problems.push(format!("kept model '{id}': {e}")),
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

/// The interrupted training and its model, if a checkpoint is there and readable. A record
/// this version cannot read is an error to show, never a panic.
pub async fn load_checkpoint(db: &Database, device: &Device) -> Result<Option<Checkpoint>, String> {
    let Some(value) = db.get(CHECKPOINTS, CHECKPOINT).await? else {
        return Ok(None);
    };
    let (bytes, json) = read_record(&value).ok_or("the checkpoint record is malformed")?;
    let run: InterruptedRun =
        serde_json::from_str(&json).map_err(|e| format!("the checkpoint is unreadable: {e}"))?;
    let (model, manifest) =
        load_autoencoder(&bytes, device).map_err(|e| format!("the checkpoint: {e}"))?;
    Ok(Some(Checkpoint {
        run,
        model,
        manifest,
    }))
}

pub async fn clear_checkpoint(db: &Database) -> Result<(), String> {
    db.delete(CHECKPOINTS, CHECKPOINT).await
}

/// Keeps a model of the store in the browser and tells the page. Returns whether it is now
/// durably stored (its write transaction committed). On a failure (storage full, no IndexedDB)
/// the model stays in this tab, marked "not kept" with the reason, and the page says so and
/// offers to try again or download it.
pub async fn keep(engine: &Shared, name: &str) -> bool {
    let (db, snapshot) = {
        let e = engine.borrow();
        (e.db.clone(), e.core.store.snapshot(name))
    };
    let Ok(snapshot) = snapshot else {
        return false;
    };
    let outcome = match db {
        Some(db) => keep_model(&db, &snapshot, &cpu()).await,
        None => Err(format!(
            "'{name}' could not be kept: this browser gives the page no storage (private mode?)"
        )),
    };
    let kept = outcome.is_ok();
    let info = match outcome {
        Ok(()) => {
            // A checkpoint left stored because this model could not be kept can go now.
            if engine.borrow_mut().core.model_kept(name) {
                forget_checkpoint(engine).await;
            }
            engine.borrow_mut().core.store.set_kept(name, true)
        }
        Err(reason) => {
            post(&FromEngine::Notice {
                message: format!("{reason}. It is not kept: download it (Save) or try again."),
            });
            engine.borrow_mut().core.store.set_not_kept(name, reason)
        }
    };
    if let Some(model) = info {
        post(&FromEngine::ModelUpdated { model });
    }
    kept
}

/// Forgets the interrupted training's checkpoint; a failure is a notice.
pub async fn forget_checkpoint(engine: &Shared) {
    let db = engine.borrow().db.clone();
    if let Some(db) = db
        && let Err(e) = clear_checkpoint(&db).await
    {
        post(&FromEngine::Notice {
            message: format!("an old checkpoint could not be removed: {e}"),
        });
    }
}

/// Keeps the model of the epoch that just ended, so a reload can resume from it; a failure is
/// a notice, since the training itself goes on.
pub async fn save_epoch_checkpoint(db: &Database, session: &TrainingSession) {
    let model = session.model();
    let snapshot = ModelSnapshot {
        id: "checkpoint".into(),
        name: "checkpoint".into(),
        origin: ModelOrigin::Trained,
        manifest: session.manifest(&model, session.last_test_loss()),
        model: StoredModel::Autoencoder(Box::new(model)),
    };
    if let Err(e) = save_checkpoint(db, &session.interrupted_run(), &snapshot, &cpu()).await {
        post(&FromEngine::Notice {
            message: format!("no checkpoint of this training could be kept: {e}"),
        });
    }
}
