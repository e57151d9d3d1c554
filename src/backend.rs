//! Choosing where tensors live: burn's flex CPU backend (default), the deprecated ndarray CPU
//! backend (kept to compare), or wgpu (Vulkan/Metal natively, WebGPU in the browser).

use std::fmt;
use std::str::FromStr;

use burn::prelude::Device;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    #[default]
    Flex,
    Ndarray,
    Wgpu,
}

/// A device ready for tensors, with a human-readable description.
#[derive(Debug, Clone)]
pub struct BackendDevice {
    pub kind: BackendKind,
    pub device: Device,
    /// e.g. "flex (CPU)" or "wgpu: NVIDIA H100 (Vulkan)".
    pub description: String,
    /// True when the adapter is a software rasteriser (lavapipe, SwiftShader): slow.
    pub software_adapter: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("the {kind} backend is unavailable: {reason}")]
pub struct BackendError {
    pub kind: BackendKind,
    pub reason: String,
}

impl BackendKind {
    pub const ALL: [BackendKind; 3] = [BackendKind::Flex, BackendKind::Ndarray, BackendKind::Wgpu];

    /// Initialises the backend (native only; the browser uses [`BackendKind::init_async`]).
    #[cfg(not(target_family = "wasm"))]
    pub fn init(self) -> Result<BackendDevice, BackendError> {
        match self {
            #[cfg(feature = "gpu")]
            BackendKind::Wgpu => {
                let (device, setup) =
                    Device::wgpu_options()
                        .init_with_setup()
                        .map_err(|e| BackendError {
                            kind: self,
                            reason: e.to_string(),
                        })?;
                Ok(wgpu_backend(device, &setup.adapter.get_info()))
            }
            other => other.cpu_or_missing(),
        }
    }

    /// Initialises the backend, asynchronously as WebGPU requires.
    pub async fn init_async(self) -> Result<BackendDevice, BackendError> {
        match self {
            #[cfg(feature = "gpu")]
            BackendKind::Wgpu => {
                let (device, setup) = Device::wgpu_options()
                    .init_with_setup_async()
                    .await
                    .map_err(|e| BackendError {
                        kind: self,
                        reason: e.to_string(),
                    })?;
                Ok(wgpu_backend(device, &setup.adapter.get_info()))
            }
            other => other.cpu_or_missing(),
        }
    }

    /// Whether this build contains the backend (wgpu and ndarray are cargo features).
    pub fn is_built_in(self) -> bool {
        match self {
            BackendKind::Flex => true,
            BackendKind::Ndarray => cfg!(feature = "ndarray"),
            BackendKind::Wgpu => cfg!(feature = "gpu"),
        }
    }

    fn cpu_or_missing(self) -> Result<BackendDevice, BackendError> {
        if self.is_built_in() && self != BackendKind::Wgpu {
            Ok(self.cpu_backend())
        } else {
            Err(BackendError {
                kind: self,
                reason: "this build leaves it out (cargo feature off)".into(),
            })
        }
    }

    /// The CPU device of this kind (flex for anything but ndarray, and for ndarray when the
    /// build leaves it out); never fails.
    pub fn cpu_backend(self) -> BackendDevice {
        let (kind, device) = match self {
            #[cfg(feature = "ndarray")]
            #[allow(deprecated)]
            BackendKind::Ndarray => (self, Device::ndarray()),
            _ => (BackendKind::Flex, Device::flex()),
        };
        BackendDevice {
            kind,
            device,
            description: format!("{kind} (CPU)"),
            software_adapter: false,
        }
    }
}

#[cfg(feature = "gpu")]
fn wgpu_backend(device: Device, info: &burn::tensor::wgpu::wgpu::AdapterInfo) -> BackendDevice {
    use burn::tensor::wgpu::wgpu::DeviceType;
    BackendDevice {
        kind: BackendKind::Wgpu,
        device,
        description: format!("wgpu: {} ({:?})", info.name, info.backend),
        software_adapter: info.device_type == DeviceType::Cpu,
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BackendKind::Flex => "flex",
            BackendKind::Ndarray => "ndarray",
            BackendKind::Wgpu => "wgpu",
        })
    }
}

impl FromStr for BackendKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.to_string() == s)
            .ok_or_else(|| format!("unknown backend '{s}' (flex, ndarray or wgpu)"))
    }
}
