//! Helpers shared by the integration tests.
#![allow(dead_code)]
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::prelude::{Device, Tensor};
use latent_lab::BackendKind;
use latent_lab::data::{MnistSet, Split};

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist")
}

/// The CPU backend the tests run on.
pub fn device() -> Device {
    BackendKind::Flex.init().expect("flex always starts").device
}

/// The first `n` training images.
pub fn train_subset(n: usize) -> MnistSet {
    MnistSet::load_dir(&data_dir(), Split::Train)
        .expect("bundled MNIST loads")
        .first(n)
}

pub fn test_subset(n: usize) -> MnistSet {
    MnistSet::load_dir(&data_dir(), Split::Test)
        .expect("bundled MNIST loads")
        .first(n)
}

/// A fresh, empty folder under the system's temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("latent-lab-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every float parameter's value and gradient (if any), by path.
struct Collect<'a> {
    grads: &'a GradientsParams,
    path: Vec<String>,
    out: Vec<(String, Vec<f32>, Option<Vec<f32>>)>,
}

impl ModuleVisitor for Collect<'_> {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val().into_data().try_to_vec::<f32>().unwrap();
        let grad = self
            .grads
            .get::<D>(param.id)
            .map(|g| g.into_data().try_to_vec::<f32>().unwrap());
        self.out.push((self.path.join("."), value, grad));
    }
}

/// Every float parameter of `module` by path: its value, and its gradient in `grads` if any.
pub fn collect<M: Module>(
    module: &M,
    grads: &GradientsParams,
) -> Vec<(String, Vec<f32>, Option<Vec<f32>>)> {
    let mut visitor = Collect {
        grads,
        path: Vec::new(),
        out: Vec::new(),
    };
    module.visit(&mut visitor);
    visitor.out
}
