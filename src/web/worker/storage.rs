//! What the engine worker keeps in the browser (IndexedDB): the models the person trained or
//! loaded, so a reload restores them, and a checkpoint of each running training after each
//! epoch, under the run's id, so a reload can resume it. Tabs share this storage: a run alive
//! in a tab holds a Web Lock, and a tab that changes what is stored tells the others on a
//! BroadcastChannel.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

use burn::prelude::Device;
use wasm_bindgen_futures::spawn_local;

use super::Shared;
use super::browser::{cpu, post};
use crate::data::MnistSet;
use crate::engine::epoch_recording::RecordedEpochs;
use crate::engine::store::{ModelSnapshot, StoredModel, kept_record_json, kept_record_meta};
use crate::engine::{
    Checkpoint, EngineCore, FromEngine, InterruptedRun, ModelInfo, ModelOrigin, TrainingSession,
};
use crate::web::indexed_db::{CHECKPOINTS, Database, MODELS, read_record, record};
use crate::web::tab_channel::{self, Change};
use crate::web::web_locks;
use crate::weights::load_autoencoder;

/// Locks a live run holds (`latent-lab-run:<run id>`), and the one a tab holds while it picks
/// a run number.
pub const RUN_LOCK_PREFIX: &str = "latent-lab-run:";
pub const NAMING_LOCK: &str = "latent-lab-naming";

pub fn run_lock_name(run_id: &str) -> String {
    format!("{RUN_LOCK_PREFIX}{run_id}")
}

/// The runs alive now in any tab (their run ids), from the locks they hold.
pub async fn live_run_ids() -> Result<Vec<String>, String> {
    Ok(web_locks::held_names()
        .await?
        .into_iter()
        .filter_map(|name| name.strip_prefix(RUN_LOCK_PREFIX).map(String::from))
        .collect())
}

/// Writes a model (and its latent map through the epochs, where it has one) to the browser's
/// storage; the caller then marks it kept in the store.
pub async fn keep_model(
    db: &Database,
    snapshot: &ModelSnapshot,
    epochs: Option<&RecordedEpochs>,
    cpu: &Device,
) -> Result<(), String> {
    let bytes = snapshot.to_bytes(cpu).await?;
    let json = kept_record_json(&snapshot.name, snapshot.origin, epochs);
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
    /// Its latent map through the epochs, where it was kept with one.
    pub epochs: Option<RecordedEpochs>,
}

/// A model read back from the browser's storage joins the list under the id it was stored
/// under, marked kept. Two tabs may each have kept a "trained 1" before numbers were unique
/// across tabs: the second gets a suffix here. Its latent map through the epochs comes back
/// with it where it fits the test subset: one that does not is dropped (never the model), and
/// the second value says why.
pub fn restore_kept(
    core: &mut EngineCore,
    model: KeptModel,
    device: &Device,
    test: Option<&MnistSet>,
) -> Result<(ModelInfo, Option<String>), String> {
    let store = &mut core.store;
    let info = store
        .insert_file(&model.name, &model.bytes, model.origin, device)
        .map_err(|e| format!("kept model '{}': {e}", model.name))?;
    store.restore_id(&info.name, model.id);
    let info = store
        .set_kept(&info.name, true)
        .ok_or_else(|| format!("kept model '{}' vanished", info.name))?;
    let dropped = match (model.epochs, test) {
        (Some(epochs), Some(test)) => core
            .insert_recorded_epochs(&info.name, epochs, test)
            .err()
            .map(|e| {
                format!(
                    "kept model '{}': its latent map through the epochs was left out: {e}",
                    info.name
                )
            }),
        _ => None,
    };
    Ok((info, dropped))
}

/// Removes the record stored under `id`; the other tabs hear of it.
pub async fn forget_model(db: &Database, id: &str) -> Result<(), String> {
    db.delete(MODELS, id).await?;
    tab_channel::announce(Change::Models);
    Ok(())
}

/// What the browser's storage holds of kept models.
pub struct StoredModels {
    /// The records that read back as models.
    pub models: Vec<KeptModel>,
    /// A line for each record that did not.
    pub unreadable: Vec<String>,
    /// Every record's id, read back or not.
    pub ids: HashSet<String>,
}

/// Reads every kept model's record; `Err` where the storage itself could not be read.
pub async fn stored_models(db: &Database) -> Result<StoredModels, String> {
    let entries = db.entries(MODELS).await?;
    let mut stored = StoredModels {
        models: Vec::new(),
        unreadable: Vec::new(),
        ids: entries.iter().map(|(id, _)| id.clone()).collect(),
    };
    for (id, value) in entries {
        let parsed = read_record(&value)
            .ok_or_else(|| "the stored record is malformed".to_string())
            .and_then(|(bytes, json)| Ok((bytes, kept_record_meta(&id, &json)?)));
        match parsed {
            Ok((bytes, meta)) => stored.models.push(KeptModel {
                id,
                name: meta.name,
                origin: meta.origin,
                bytes,
                epochs: meta.epochs,
            }),
            Err(e) => stored.unreadable.push(format!("kept model '{id}': {e}")),
        }
    }
    Ok(stored)
}

/// The models kept in the browser, and what could not be read.
pub async fn kept_models(db: &Database) -> (Vec<KeptModel>, Vec<String>) {
    match stored_models(db).await {
        Ok(stored) => (stored.models, stored.unreadable),
        Err(e) => (
            Vec::new(),
            vec![format!("the models kept in this browser: {e}")],
        ),
    }
}

/// Saves the running training's model after a completed epoch, under its run's id.
pub async fn save_checkpoint(
    db: &Database,
    run: &InterruptedRun,
    snapshot: &ModelSnapshot,
    cpu: &Device,
) -> Result<(), String> {
    let bytes = snapshot.to_bytes(cpu).await?;
    let json = serde_json::to_string(run).map_err(|e| e.to_string())?;
    db.put(CHECKPOINTS, &run.id, &record(&bytes, &json)).await
}

/// An interrupted training and its model from the record stored under `id`. A record this
/// version cannot read is an error to show, never a panic.
fn read_checkpoint(
    id: &str,
    value: &wasm_bindgen::JsValue,
    device: &Device,
) -> Result<Checkpoint, String> {
    let (bytes, json) = read_record(value).ok_or("the checkpoint record is malformed")?;
    let mut run: InterruptedRun =
        serde_json::from_str(&json).map_err(|e| format!("the checkpoint is unreadable: {e}"))?;
    run.id = id.to_string();
    let (model, manifest) =
        load_autoencoder(&bytes, device).map_err(|e| format!("the checkpoint: {e}"))?;
    Ok(Checkpoint {
        run,
        model,
        manifest,
    })
}

pub async fn clear_checkpoint(db: &Database, id: &str) -> Result<(), String> {
    db.delete(CHECKPOINTS, id).await
}

/// The browser's storage and the engine's device, once both are there.
fn storage_and_device(engine: &Shared) -> Option<(std::rc::Rc<Database>, Device)> {
    let e = engine.borrow();
    Some((e.db.clone()?, e.core.device()?.clone()))
}

/// Brings this tab's offers of interrupted runs up to date with the browser's storage: a
/// checkpoint whose run is alive (its lock held, here or in another tab) is not offered, and
/// is watched, to be offered when that tab goes away without finishing it; an offer whose
/// checkpoint is gone, or whose run another tab took up, is withdrawn. The page hears the new
/// list when it changed. Returns what could not be read.
pub async fn refresh_offers(engine: &Shared) -> Vec<String> {
    let Some((db, device)) = storage_and_device(engine) else {
        return Vec::new();
    };
    let entries = match db.entries(CHECKPOINTS).await {
        Ok(entries) => entries,
        Err(e) => return vec![format!("the interrupted trainings could not be read: {e}")],
    };
    let live: HashSet<String> = match live_run_ids().await {
        Ok(ids) => ids.into_iter().collect(),
        Err(e) => return vec![format!("which trainings are alive could not be asked: {e}")],
    };
    let stored: HashSet<&str> = entries.iter().map(|(id, _)| id.as_str()).collect();
    let mut problems = Vec::new();
    let mut found = Vec::new();
    let mut watch = Vec::new();
    let before = engine.borrow().core.interrupted_runs();
    for (id, value) in &entries {
        let known = {
            let e = engine.borrow();
            e.core.is_offered(id) || e.unreadable_checkpoints.contains(id)
        };
        if live.contains(id) {
            watch.push(id.clone());
        } else if !known {
            match read_checkpoint(id, value, &device) {
                Ok(checkpoint) => found.push(checkpoint),
                Err(e) => {
                    engine
                        .borrow_mut()
                        .unreadable_checkpoints
                        .insert(id.clone());
                    problems.push(format!(
                        "an interrupted training (checkpoint '{id}') could not be read: {e}"
                    ));
                }
            }
        }
    }
    let after = {
        let mut e = engine.borrow_mut();
        for run in &before {
            if !stored.contains(run.id.as_str()) || live.contains(&run.id) {
                e.core.take_checkpoint(&run.id);
            }
        }
        e.core.offer_checkpoints(found);
        e.core.interrupted_runs()
    };
    if after != before {
        post(&FromEngine::Interrupted { runs: after });
    }
    for id in watch {
        watch_run(engine, id);
    }
    problems
}

/// Waits for the live run `id` to end (its lock freed: finished, or its tab gone), then looks
/// at the checkpoints again. One watcher a run.
pub(super) fn watch_run(engine: &Shared, id: String) {
    if !engine.borrow_mut().watched_runs.insert(id.clone()) {
        return;
    }
    let engine = engine.clone();
    spawn_local(async move {
        // Granted once the run's tab lets it go; held only for this instant.
        let granted = web_locks::hold(&run_lock_name(&id)).await;
        drop(granted);
        engine.borrow_mut().watched_runs.remove(&id);
        let refresh: Pin<Box<dyn Future<Output = Vec<String>>>> = Box::pin(refresh_offers(&engine));
        for problem in refresh.await {
            post(&FromEngine::Notice { message: problem });
        }
    });
}

/// Reads the models other tabs kept or removed: a model kept elsewhere joins this tab's list
/// (a display name already taken here gets a suffix), and a model of this list that another
/// tab removed from the storage stays here, marked "not kept" with a Keep button. A read
/// that fails changes nothing (the page is told), and a read that a later one overtook is
/// dropped: the later one saw the storage as it is now.
pub async fn refresh_models(engine: &Shared) {
    let Some((db, device)) = storage_and_device(engine) else {
        return;
    };
    let ticket = engine.borrow_mut().core.begin_kept_refresh();
    let read = stored_models(&db).await;
    if !engine.borrow().core.is_latest_kept_refresh(ticket) {
        return;
    }
    let stored = match read {
        Ok(stored) => stored,
        Err(e) => {
            post(&FromEngine::Notice {
                message: format!("the models other tabs kept could not be read: {e}"),
            });
            return;
        }
    };
    let known: HashSet<String> = engine
        .borrow()
        .core
        .store
        .infos()
        .into_iter()
        .map(|m| m.id)
        .collect();
    let test = engine.borrow().core.test_subset();
    for model in stored.models.into_iter().filter(|m| !known.contains(&m.id)) {
        let restored = restore_kept(
            &mut engine.borrow_mut().core,
            model,
            &device,
            test.as_deref(),
        );
        if let Ok((info, _)) = restored {
            post(&FromEngine::ModelUpdated { model: info });
        }
    }
    let reason = "another tab removed it from this browser's storage";
    let unstored = engine
        .borrow_mut()
        .core
        .store
        .mark_unstored(&stored.ids, reason);
    for info in unstored {
        post(&FromEngine::ModelUpdated { model: info });
    }
}

/// Keeps a model of the store in the browser and tells the page. Returns whether it is now
/// durably stored (its write transaction committed). On a failure (storage full, no IndexedDB)
/// the model stays in this tab, marked "not kept" with the reason, and the page says so and
/// offers to try again or download it.
pub async fn keep(engine: &Shared, name: &str) -> bool {
    let (db, snapshot, epochs) = {
        let e = engine.borrow();
        (
            e.db.clone(),
            e.core.store.snapshot(name),
            e.core.recorded_epochs(name),
        )
    };
    let Ok(snapshot) = snapshot else {
        return false;
    };
    let outcome = match db {
        Some(db) => keep_model(&db, &snapshot, epochs.as_deref(), &cpu()).await,
        None => Err(format!(
            "'{name}' could not be kept: this browser gives the page no storage (private mode?)"
        )),
    };
    let kept = outcome.is_ok();
    let info = match outcome {
        Ok(()) => {
            tab_channel::announce(Change::Models);
            // A checkpoint left stored because this model could not be kept can go now, and
            // with it the lock that kept its run from being offered elsewhere.
            let waited = engine.borrow_mut().core.model_kept(name);
            if let Some(run_id) = waited {
                forget_checkpoint(engine, &run_id).await;
                engine.borrow_mut().run_locks.remove(&run_id);
            }
            engine.borrow_mut().core.store.set_kept(name, true)
        }
        Err(reason) => {
            post(&FromEngine::Notice {
                message: format!(
                    "{reason}. It stays in this tab only: download it (Save) or try again (Keep)."
                ),
            });
            engine.borrow_mut().core.store.set_not_kept(name, reason)
        }
    };
    if let Some(model) = info {
        post(&FromEngine::ModelUpdated { model });
    }
    kept
}

/// Forgets run `run_id`'s checkpoint (the other tabs hear of it); a failure is a notice.
pub async fn forget_checkpoint(engine: &Shared, run_id: &str) {
    let db = engine.borrow().db.clone();
    let Some(db) = db else {
        return;
    };
    match clear_checkpoint(&db, run_id).await {
        Ok(()) => tab_channel::announce(Change::Checkpoints),
        Err(e) => post(&FromEngine::Notice {
            message: format!("an old checkpoint could not be removed: {e}"),
        }),
    }
}

/// Keeps the model of the epoch that just ended under run `run_id`, so a reload can resume
/// from it; a failure is a notice, since the training itself goes on.
pub async fn save_epoch_checkpoint(db: &Database, session: &TrainingSession, run_id: &str) {
    let model = session.model();
    let snapshot = ModelSnapshot {
        id: "checkpoint".into(),
        name: "checkpoint".into(),
        origin: ModelOrigin::Trained,
        manifest: session.manifest(&model, session.last_test_loss()),
        model: StoredModel::Autoencoder(Box::new(model)),
    };
    let run = session.interrupted_run(run_id);
    match save_checkpoint(db, &run, &snapshot, &cpu()).await {
        // At a new run's first checkpoint the other tabs start watching it, to offer it should
        // this tab go away (a resumed run's checkpoint was known to them already).
        Ok(()) if run.epochs_done == 1 => tab_channel::announce(Change::Checkpoints),
        Ok(()) => {}
        Err(e) => post(&FromEngine::Notice {
            message: format!("no checkpoint of this training could be kept: {e}"),
        }),
    }
}
