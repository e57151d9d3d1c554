//! The models a person has: the pretrained ones, those trained here, those loaded from files.

use std::collections::HashSet;

use burn::prelude::*;

use super::epoch_recording::RecordedEpochs;
use super::protocol::{ModelInfo, ModelOrigin};
use crate::model::{Architecture, Autoencoder, Classifier, DEFAULT_BETA, copy_to_device_async};
use crate::weights::{
    ModelSpec, WeightsError, WeightsManifest, load_autoencoder, load_classifier, read_manifest,
    save_autoencoder, save_classifier,
};

/// A model ready for inference (eval mode, not on the autodiff device).
#[derive(Debug, Clone)]
pub enum StoredModel {
    Autoencoder(Box<Autoencoder>),
    Classifier(Box<Classifier>),
}

struct Entry {
    info: ModelInfo,
    /// Written into the file when the model is saved.
    manifest: WeightsManifest,
    model: StoredModel,
}

#[derive(Default)]
pub struct ModelStore {
    entries: Vec<Entry>,
    /// Makes this store's ids unique across tabs and visits (random, set by the worker).
    id_prefix: String,
    ids_given: u64,
}

impl ModelInfo {
    /// What the model is, in words: `two-layer autoencoder, d = 20`, a VAE with its β
    /// (`variational …, d = 20, β = 0.5`: two VAEs of one size differ by it), `classifier, d = 20`.
    pub fn kind(&self) -> String {
        match self.spec {
            ModelSpec::Autoencoder {
                architecture,
                latent_dim,
            } => match self.beta {
                Some(beta) => format!("{}, d = {latent_dim}, β = {beta}", architecture.noun()),
                None => format!("{}, d = {latent_dim}", architecture.noun()),
            },
            ModelSpec::Classifier { latent_dim } => format!("classifier, d = {latent_dim}"),
        }
    }

    /// Describes a model from its weight file's manifest.
    pub fn from_manifest(name: String, manifest: &WeightsManifest, origin: ModelOrigin) -> Self {
        Self {
            id: String::new(),
            name,
            spec: manifest.model,
            origin,
            params: manifest.params,
            epochs: manifest.training.map(|t| t.epochs),
            train_images: manifest.train_images,
            train_loss: manifest.train_loss,
            test_loss: manifest.test_loss,
            test_accuracy: manifest.test_accuracy,
            kept: false,
            not_kept: None,
            beta: match manifest.model {
                ModelSpec::Autoencoder {
                    architecture: Architecture::Vae,
                    ..
                } => Some(manifest.beta.unwrap_or(DEFAULT_BETA)),
                _ => None,
            },
        }
    }
}

/// A model of the store with what its weight file needs.
#[derive(Debug, Clone)]
pub struct ModelSnapshot {
    /// The key it is kept under.
    pub id: String,
    pub name: String,
    pub origin: ModelOrigin,
    pub model: StoredModel,
    pub manifest: WeightsManifest,
}

impl ModelSnapshot {
    pub fn file_name(&self) -> String {
        download_file_name(&self.name)
    }

    /// The weight file. Parameters are read asynchronously, so this works for models on
    /// WebGPU; `cpu` is the device the copy is serialised from.
    pub async fn to_bytes(&self, cpu: &Device) -> Result<Vec<u8>, String> {
        match &self.model {
            StoredModel::Autoencoder(model) => {
                let copy = copy_to_device_async(model.as_ref(), cpu).await?;
                save_autoencoder(&copy, &self.manifest)
            }
            StoredModel::Classifier(model) => {
                let copy = copy_to_device_async(model.as_ref(), cpu).await?;
                save_classifier(&copy, &self.manifest)
            }
        }
        .map_err(|e| format!("{}: {e}", self.name))
    }
}

/// A file name for a model's weights: the name's letters and digits, dashes for the rest.
pub fn download_file_name(name: &str) -> String {
    let mut stem = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            stem.push(c.to_ascii_lowercase());
        } else if !stem.ends_with('-') {
            stem.push('-');
        }
    }
    let stem = stem.trim_matches('-');
    let stem = if stem.is_empty() { "model" } else { stem };
    format!("{stem}.safetensors")
}

/// A store name for a file the person picked: its name without the extension.
pub fn model_name_from_file(file_name: &str) -> String {
    let stem = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .trim_end_matches(".safetensors")
        .trim();
    if stem.is_empty() {
        "loaded model".into()
    } else {
        stem.to_string()
    }
}

/// What a kept model's record holds besides its weights, as JSON: its display name and
/// origin, and its latent map through the epochs where it has one (so a reload keeps it).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KeptRecordMeta {
    pub name: String,
    pub origin: ModelOrigin,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epochs: Option<RecordedEpochs>,
}

pub fn kept_record_json(
    name: &str,
    origin: ModelOrigin,
    epochs: Option<&RecordedEpochs>,
) -> String {
    serde_json::to_string(&KeptRecordMeta {
        name: name.to_string(),
        origin,
        epochs: epochs.cloned(),
    })
    .expect("a name, an origin and maps serialise")
}

/// What a kept record stored under `key` says of its model. Records kept before ids (before
/// protocol 6) were keyed by the display name and held only the origin: they are read too,
/// their key being their name. Maps that cannot be read are left out: they never cost the
/// model.
pub fn kept_record_meta(key: &str, json: &str) -> Result<KeptRecordMeta, String> {
    #[derive(serde::Deserialize)]
    struct Loose {
        name: String,
        origin: ModelOrigin,
        #[serde(default)]
        epochs: Option<serde_json::Value>,
    }
    if let Ok(loose) = serde_json::from_str::<Loose>(json) {
        return Ok(KeptRecordMeta {
            name: loose.name,
            origin: loose.origin,
            epochs: loose.epochs.and_then(|v| serde_json::from_value(v).ok()),
        });
    }
    let origin: ModelOrigin =
        serde_json::from_str(json).map_err(|e| format!("the record is unreadable: {e}"))?;
    Ok(KeptRecordMeta {
        name: key.to_string(),
        origin,
        epochs: None,
    })
}

impl ModelStore {
    /// Ids of models made from now on start with `prefix` (random per tab, so two tabs never
    /// give the same id).
    pub fn set_id_prefix(&mut self, prefix: &str) {
        self.id_prefix = prefix.to_string();
    }

    pub fn id_prefix(&self) -> &str {
        &self.id_prefix
    }

    fn new_id(&mut self, origin: ModelOrigin, name: &str) -> String {
        if origin == ModelOrigin::Pretrained {
            return format!("pretrained:{name}");
        }
        self.ids_given += 1;
        let prefix = if self.id_prefix.is_empty() {
            "model"
        } else {
            &self.id_prefix
        };
        format!("{prefix}-{}", self.ids_given)
    }

    /// A model read back from the browser's storage keeps the id it was stored under.
    pub fn restore_id(&mut self, name: &str, id: String) -> Option<ModelInfo> {
        let entry = self.entries.iter_mut().find(|e| e.info.name == name)?;
        entry.info.id = id;
        Some(entry.info.clone())
    }

    /// `base` if no model has that name yet, else `base (2)`, `base (3)`, …
    pub fn unique_name(&self, base: &str) -> String {
        if self.get(base).is_none() {
            return base.to_string();
        }
        (2..)
            .map(|i| format!("{base} ({i})"))
            .find(|name| self.get(name).is_none())
            .expect("some suffix is free")
    }

    /// Adds a model under a unique version of `name`; returns its description.
    pub fn insert(
        &mut self,
        name: &str,
        manifest: WeightsManifest,
        origin: ModelOrigin,
        model: StoredModel,
    ) -> ModelInfo {
        let name = self.unique_name(name);
        let mut info = ModelInfo::from_manifest(name.clone(), &manifest, origin);
        info.id = self.new_id(origin, &name);
        self.entries.push(Entry {
            info: info.clone(),
            manifest,
            model,
        });
        info
    }

    /// Reads a weight file (safetensors with a Latent Lab manifest) and adds its model.
    /// A wrong, truncated or foreign file is an error and the store is unchanged.
    pub fn insert_file(
        &mut self,
        name: &str,
        bytes: &[u8],
        origin: ModelOrigin,
        device: &Device,
    ) -> Result<ModelInfo, WeightsError> {
        let manifest = read_manifest(bytes)?;
        let model = match manifest.model {
            ModelSpec::Autoencoder { .. } => {
                StoredModel::Autoencoder(Box::new(load_autoencoder(bytes, device)?.0))
            }
            ModelSpec::Classifier { .. } => {
                StoredModel::Classifier(Box::new(load_classifier(bytes, device)?.0))
            }
        };
        Ok(self.insert(name, manifest, origin, model))
    }

    fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.info.name == name)
    }

    pub fn get(&self, name: &str) -> Option<&StoredModel> {
        self.entry(name).map(|e| &e.model)
    }

    pub fn info(&self, name: &str) -> Option<&ModelInfo> {
        self.entry(name).map(|e| &e.info)
    }

    pub fn autoencoder(&self, name: &str) -> Option<&Autoencoder> {
        match self.get(name)? {
            StoredModel::Autoencoder(model) => Some(model.as_ref()),
            StoredModel::Classifier(_) => None,
        }
    }

    pub fn classifier(&self, name: &str) -> Option<&Classifier> {
        match self.get(name)? {
            StoredModel::Classifier(model) => Some(model.as_ref()),
            StoredModel::Autoencoder(_) => None,
        }
    }

    /// Records whether the model is kept in the browser's storage; returns its description.
    pub fn set_kept(&mut self, name: &str, kept: bool) -> Option<ModelInfo> {
        let entry = self.entries.iter_mut().find(|e| e.info.name == name)?;
        entry.info.kept = kept;
        if kept {
            entry.info.not_kept = None;
        }
        Some(entry.info.clone())
    }

    /// Records that keeping the model failed, and why: the page marks it "not kept" and offers
    /// to try again or download it. Returns its description.
    pub fn set_not_kept(&mut self, name: &str, reason: String) -> Option<ModelInfo> {
        let entry = self.entries.iter_mut().find(|e| e.info.name == name)?;
        entry.info.kept = false;
        entry.info.not_kept = Some(reason);
        Some(entry.info.clone())
    }

    /// Marks "not kept", with `reason`, each kept model whose record is gone from the browser's
    /// storage: `stored_ids` holds the id of every record stored now, readable or not. Returns
    /// the changed models' descriptions.
    pub fn mark_unstored(&mut self, stored_ids: &HashSet<String>, reason: &str) -> Vec<ModelInfo> {
        self.entries
            .iter_mut()
            .filter(|e| e.info.kept && !stored_ids.contains(&e.info.id))
            .map(|e| {
                e.info.kept = false;
                e.info.not_kept = Some(reason.to_string());
                e.info.clone()
            })
            .collect()
    }

    /// Takes a model out of the store. Pretrained models stay: they are part of the page.
    pub fn remove(&mut self, name: &str) -> Result<ModelInfo, String> {
        let index = self
            .entries
            .iter()
            .position(|e| e.info.name == name)
            .ok_or_else(|| format!("there is no model named '{name}'"))?;
        if self.entries[index].info.origin == ModelOrigin::Pretrained {
            return Err(format!(
                "'{name}' is a pretrained model of the page and cannot be removed"
            ));
        }
        Ok(self.entries.remove(index).info)
    }

    /// What it takes to write the model's weight file, detached from the store (the tensors
    /// are shared, not copied), so the file can be written while the store changes.
    pub fn snapshot(&self, name: &str) -> Result<ModelSnapshot, String> {
        let entry = self
            .entry(name)
            .ok_or_else(|| format!("there is no model named '{name}'"))?;
        Ok(ModelSnapshot {
            id: entry.info.id.clone(),
            name: name.to_string(),
            origin: entry.info.origin,
            model: entry.model.clone(),
            manifest: entry.manifest.clone(),
        })
    }

    /// The model's weight file (the format of `public/weights/`) and a file name for it.
    pub async fn export(&self, name: &str, cpu: &Device) -> Result<(String, Vec<u8>), String> {
        let snapshot = self.snapshot(name)?;
        Ok((snapshot.file_name(), snapshot.to_bytes(cpu).await?))
    }

    pub fn infos(&self) -> Vec<ModelInfo> {
        self.entries.iter().map(|e| e.info.clone()).collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::model::{Architecture, AutoencoderConfig, param_count};

    fn small_model(store: &mut ModelStore, name: &str, origin: ModelOrigin) -> ModelInfo {
        let model = AutoencoderConfig::new(Architecture::TwoLayer, 1).init(&Device::flex());
        let spec = ModelSpec::Autoencoder {
            architecture: Architecture::TwoLayer,
            latent_dim: 1,
        };
        let mut manifest = WeightsManifest::new(spec, param_count(&model));
        manifest.test_loss = Some(0.25);
        store.insert(
            name,
            manifest,
            origin,
            StoredModel::Autoencoder(Box::new(model)),
        )
    }

    #[test]
    fn a_vae_says_its_beta_and_other_models_none() {
        let vae = ModelSpec::Autoencoder {
            architecture: Architecture::Vae,
            latent_dim: 20,
        };
        let mut manifest = WeightsManifest::new(vae, 67_721);
        manifest.beta = Some(0.5);
        let info = |m: &WeightsManifest| {
            ModelInfo::from_manifest("m".into(), m, ModelOrigin::Trained).beta
        };
        assert_eq!(info(&manifest), Some(0.5));
        // A VAE file without β was trained with the default, 1.
        manifest.beta = None;
        assert_eq!(info(&manifest), Some(DEFAULT_BETA));
        let plain = ModelSpec::Autoencoder {
            architecture: Architecture::TwoLayer,
            latent_dim: 20,
        };
        assert_eq!(info(&WeightsManifest::new(plain, 49_701)), None);
        let described = |m: &WeightsManifest| {
            ModelInfo::from_manifest("m".into(), m, ModelOrigin::Trained).kind()
        };
        manifest.beta = Some(0.5);
        assert_eq!(
            described(&manifest),
            "variational autoencoder, d = 20, β = 0.5"
        );
        assert_eq!(
            described(&WeightsManifest::new(plain, 49_701)),
            "two-layer autoencoder, d = 20"
        );
        let classifier = WeightsManifest::new(ModelSpec::Classifier { latent_dim: 20 }, 21_220);
        assert_eq!(described(&classifier), "classifier, d = 20");
    }

    #[test]
    fn file_names_are_safe_and_names_come_back_from_them() {
        assert_eq!(
            download_file_name("two-layer-d20 (trained 2)"),
            "two-layer-d20-trained-2.safetensors"
        );
        assert_eq!(download_file_name("  "), "model.safetensors");
        assert_eq!(download_file_name("Ünïcode/../x"), "n-code-x.safetensors");
        assert_eq!(model_name_from_file("C:\\tmp\\mine.safetensors"), "mine");
        assert_eq!(model_name_from_file("weights.bin"), "weights.bin");
        assert_eq!(model_name_from_file(".safetensors"), "loaded model");
    }

    #[test]
    fn export_then_insert_gives_the_same_model_and_description() {
        let mut store = ModelStore::default();
        let info = small_model(&mut store, "mine", ModelOrigin::Trained);
        let (file, bytes) = pollster::block_on(store.export("mine", &Device::flex())).unwrap();
        assert_eq!(file, "mine.safetensors");
        let again = store
            .insert_file("mine", &bytes, ModelOrigin::Uploaded, &Device::flex())
            .unwrap();
        assert_eq!(again.name, "mine (2)");
        assert_eq!(again.params, info.params);
        assert_eq!(again.test_loss, Some(0.25));
        assert_eq!(again.origin, ModelOrigin::Uploaded);
        let (_, bytes_again) =
            pollster::block_on(store.export("mine (2)", &Device::flex())).unwrap();
        // Same manifest and same tensors (the header's key order may differ between writes).
        assert_eq!(
            read_manifest(&bytes).unwrap(),
            read_manifest(&bytes_again).unwrap()
        );
        let (a, b) = (
            safetensors::SafeTensors::deserialize(&bytes).unwrap(),
            safetensors::SafeTensors::deserialize(&bytes_again).unwrap(),
        );
        let mut names = a.names();
        names.sort();
        let mut names_again = b.names();
        names_again.sort();
        assert_eq!(names, names_again);
        for name in names {
            assert_eq!(
                a.tensor(name).unwrap().data(),
                b.tensor(name).unwrap().data(),
                "{name}"
            );
        }
    }

    #[test]
    fn kept_records_name_their_model_and_old_ones_are_still_read() {
        let meta = |name: &str, origin| KeptRecordMeta {
            name: name.into(),
            origin,
            epochs: None,
        };
        let json = kept_record_json("two-layer-d20 (trained 1)", ModelOrigin::Trained, None);
        assert_eq!(
            kept_record_meta("tab-a-1", &json),
            Ok(meta("two-layer-d20 (trained 1)", ModelOrigin::Trained))
        );
        // Before ids: keyed by the name, the origin alone as JSON.
        assert_eq!(
            kept_record_meta("my upload", "\"uploaded\""),
            Ok(meta("my upload", ModelOrigin::Uploaded))
        );
        // With its latent map through the epochs.
        let recorded = RecordedEpochs {
            model: "m".into(),
            labels: vec![7, 2],
            maps: crate::analysis::EpochMaps {
                epochs: vec![0, 1],
                steps: vec![],
                points: vec![vec![0.0, 1.0, 2.0, 3.0], vec![1.0, 0.5, -1.0, 2.0]],
                explained: vec![[0.5, 0.25], [0.6, 0.2]],
                method: crate::analysis::StableAxes::Projection,
                projection_motion: 0.4,
                procrustes_motion: None,
            },
        };
        let json = kept_record_json("m", ModelOrigin::Trained, Some(&recorded));
        assert_eq!(kept_record_meta("k", &json).unwrap().epochs, Some(recorded));
        // Damaged maps are dropped; the model is still read.
        let damaged = r#"{"name":"m","origin":"trained","epochs":{"model":3}}"#;
        assert_eq!(
            kept_record_meta("k", damaged),
            Ok(meta("m", ModelOrigin::Trained))
        );
        assert!(kept_record_meta("x", "{\"name\":1}").is_err());
    }

    #[test]
    fn ids_are_unique_per_store_and_survive_a_restore() {
        let device = crate::BackendKind::Flex.init().unwrap().device;
        let model = AutoencoderConfig::new(Architecture::OneLayer, 2).init(&device);
        let manifest = WeightsManifest::new(
            ModelSpec::Autoencoder {
                architecture: Architecture::OneLayer,
                latent_dim: 2,
            },
            param_count(&model),
        );
        let add = |store: &mut ModelStore, name: &str, origin| {
            store.insert(
                name,
                manifest.clone(),
                origin,
                StoredModel::Autoencoder(Box::new(model.clone())),
            )
        };
        let (mut tab_a, mut tab_b) = (ModelStore::default(), ModelStore::default());
        tab_a.set_id_prefix("a1f3");
        tab_b.set_id_prefix("9c02");
        let (a, b) = (
            add(&mut tab_a, "m (trained 1)", ModelOrigin::Trained),
            add(&mut tab_b, "m (trained 1)", ModelOrigin::Trained),
        );
        // Same display name in two tabs, different keys: neither replaces the other.
        assert_eq!(a.name, b.name);
        assert_ne!(a.id, b.id);
        let again = add(&mut tab_a, "m (trained 1)", ModelOrigin::Uploaded);
        assert_eq!(again.name, "m (trained 1) (2)");
        assert_ne!(again.id, a.id);
        assert_eq!(
            add(&mut tab_a, "two-layer-d20", ModelOrigin::Pretrained).id,
            "pretrained:two-layer-d20"
        );
        let restored = tab_a.restore_id("m (trained 1)", "9c02-1".into()).unwrap();
        assert_eq!(restored.id, "9c02-1");
        assert_eq!(tab_a.snapshot("m (trained 1)").unwrap().id, "9c02-1");
    }

    #[test]
    fn only_kept_models_missing_from_the_storage_are_marked_not_kept() {
        let mut store = ModelStore::default();
        let stored = small_model(&mut store, "stored", ModelOrigin::Trained);
        let removed = small_model(&mut store, "removed elsewhere", ModelOrigin::Trained);
        small_model(&mut store, "never kept", ModelOrigin::Trained);
        small_model(&mut store, "bundled", ModelOrigin::Pretrained);
        store.set_kept("stored", true);
        store.set_kept("removed elsewhere", true);
        // The storage holds "stored" and a record no model of this tab has.
        let ids: HashSet<String> = [stored.id.clone(), "m-other-tab".to_string()].into();
        let changed = store.mark_unstored(&ids, "another tab removed it");
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].name, "removed elsewhere");
        assert_eq!(changed[0].id, removed.id);
        assert!(!changed[0].kept);
        assert_eq!(
            changed[0].not_kept.as_deref(),
            Some("another tab removed it")
        );
        let kept: Vec<_> = store.infos().into_iter().filter(|m| m.kept).collect();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].name, "stored");
        // Asked again with nothing changed, it changes nothing.
        assert!(
            store
                .mark_unstored(&ids, "another tab removed it")
                .is_empty()
        );
    }

    #[test]
    fn removing_keeps_pretrained_models_and_reports_unknown_names() {
        let mut store = ModelStore::default();
        small_model(&mut store, "bundled", ModelOrigin::Pretrained);
        small_model(&mut store, "mine", ModelOrigin::Trained);
        assert!(store.remove("bundled").unwrap_err().contains("pretrained"));
        assert!(store.remove("nobody").unwrap_err().contains("no model"));
        assert_eq!(store.remove("mine").unwrap().name, "mine");
        assert_eq!(store.len(), 1);
        assert!(store.set_kept("bundled", true).unwrap().kept);
        // A failed write marks the model, a later successful one clears the mark.
        let failed = store
            .set_not_kept("bundled", "QuotaExceededError".into())
            .unwrap();
        assert!(!failed.kept);
        assert_eq!(failed.not_kept.as_deref(), Some("QuotaExceededError"));
        let kept = store.set_kept("bundled", true).unwrap();
        assert!(kept.kept && kept.not_kept.is_none());
        assert!(store.set_not_kept("nothing", "x".into()).is_none());
        assert!(
            pollster::block_on(store.export("mine", &Device::flex()))
                .unwrap_err()
                .contains("no model")
        );
    }
}
