//! The models a person has: the pretrained ones, those trained here, those loaded from files.

use burn::prelude::*;

use super::protocol::{ModelInfo, ModelOrigin};
use crate::model::{Autoencoder, Classifier, param_count};
use crate::weights::{
    ModelSpec, WeightsError, WeightsManifest, load_autoencoder, load_classifier, read_manifest,
};

/// A model ready for inference (eval mode, not on the autodiff device).
#[derive(Debug, Clone)]
pub enum StoredModel {
    Autoencoder(Box<Autoencoder>),
    Classifier(Box<Classifier>),
}

#[derive(Debug, Default)]
pub struct ModelStore {
    entries: Vec<(ModelInfo, StoredModel)>,
}

impl ModelInfo {
    /// Describes a model from its weight file's manifest.
    pub fn from_manifest(name: String, manifest: &WeightsManifest, origin: ModelOrigin) -> Self {
        Self {
            name,
            spec: manifest.model,
            origin,
            params: manifest.params,
            epochs: manifest.training.map(|t| t.epochs),
            train_images: manifest.train_images,
            train_loss: manifest.train_loss,
            test_loss: manifest.test_loss,
            test_accuracy: manifest.test_accuracy,
        }
    }
}

impl ModelStore {
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

    /// Adds a model under a unique version of `info.name`; returns its final description.
    pub fn insert(&mut self, mut info: ModelInfo, model: StoredModel) -> ModelInfo {
        info.name = self.unique_name(&info.name);
        self.entries.push((info.clone(), model));
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
        let info = ModelInfo::from_manifest(name.to_string(), &manifest, origin);
        Ok(self.insert(info, model))
    }

    pub fn get(&self, name: &str) -> Option<&StoredModel> {
        self.entries
            .iter()
            .find(|(info, _)| info.name == name)
            .map(|(_, model)| model)
    }

    pub fn autoencoder(&self, name: &str) -> Option<&Autoencoder> {
        match self.get(name)? {
            StoredModel::Autoencoder(model) => Some(model.as_ref()),
            StoredModel::Classifier(_) => None,
        }
    }

    pub fn infos(&self) -> Vec<ModelInfo> {
        self.entries.iter().map(|(info, _)| info.clone()).collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Describes an autoencoder that was just trained here.
pub fn trained_info(name: String, model: &Autoencoder) -> ModelInfo {
    ModelInfo {
        name,
        spec: ModelSpec::Autoencoder {
            architecture: model.architecture(),
            latent_dim: model.latent_dim(),
        },
        origin: ModelOrigin::Trained,
        params: param_count(model),
        epochs: None,
        train_images: None,
        train_loss: None,
        test_loss: None,
        test_accuracy: None,
    }
}
