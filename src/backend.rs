//! Choosing where tensors live: burn's flex CPU backend (default), the deprecated ndarray CPU
//! backend (kept to compare), or wgpu (Vulkan/Metal natively, WebGPU in the browser).

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use burn::prelude::Device;
use serde::{Deserialize, Serialize};

/// Runs `work` on a thread of the pool the CPU kernels split their work on (rayon's; as many
/// threads as `RAYON_NUM_THREADS` says, else one a core), natively.
///
/// Why: a training step alternates between work the kernels split into tasks and work they
/// leave whole (small tensors, autodiff's bookkeeping). Driven from a thread outside the pool,
/// that serial part competes for the cores with the pool's threads, which spin for a while
/// after each split before they sleep: on 2 cores, 3 threads for 2 cores. Driven from inside,
/// the driving thread is one of the pool's and takes its share of every split. Measured
/// (`examples/step_loop.rs`, 2 threads, 3 alternating rounds): 6,283–6,438 images/s outside,
/// 7,013–8,056 inside.
#[cfg(not(target_arch = "wasm32"))]
pub fn on_kernel_threads<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| rayon::ThreadPoolBuilder::new().build().ok());
    match pool {
        // Already on one of its threads (a nested call): run here, not through another hand-off.
        Some(pool) if pool.current_thread_index().is_none() => pool.install(work),
        _ => work(),
    }
}

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
    /// On wgpu: what says whether the device was lost. `None` on the CPU.
    pub gpu_watch: Option<GpuWatch>,
}

impl BackendDevice {
    /// Whether this device's kernels are autotuned now: on wgpu, as [`autotunes_kernels`]
    /// decided when the device was initialised; never on the CPU.
    pub fn kernels_autotuned(&self) -> bool {
        #[cfg(feature = "gpu")]
        if self.kind == BackendKind::Wgpu {
            return burn_cubecl::autotune_enabled();
        }
        false
    }
}

/// Watches a wgpu device for loss (a driver reset, the browser reclaiming the GPU, or
/// `destroy`): a run checks it between two slices and stops with the reason, instead of
/// computing on a dead device.
#[derive(Clone)]
pub struct GpuWatch {
    lost: Arc<Mutex<Option<String>>>,
    destroy: Arc<dyn Fn() + Send + Sync>,
}

impl fmt::Debug for GpuWatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GpuWatch")
            .field("lost", &self.lost())
            .finish()
    }
}

impl GpuWatch {
    /// A watch whose device loss is reported through `report` (given the callback to call on
    /// loss) and which `destroy` loses on purpose.
    pub fn new(
        report: impl FnOnce(Box<dyn Fn(String) + Send + 'static>),
        destroy: impl Fn() + Send + Sync + 'static,
    ) -> Self {
        let lost = Arc::new(Mutex::new(None));
        let flag = lost.clone();
        report(Box::new(move |reason| {
            if let Ok(mut lost) = flag.lock() {
                lost.get_or_insert(reason);
            }
        }));
        Self {
            lost,
            destroy: Arc::new(destroy),
        }
    }

    /// Why the device was lost, once it was.
    pub fn lost(&self) -> Option<String> {
        self.lost.lock().ok().and_then(|l| l.clone())
    }

    /// Loses the device on purpose (tests of device loss; WebGPU's `GPUDevice.destroy()`).
    pub fn destroy(&self) {
        (self.destroy)();
    }
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
            BackendKind::Wgpu => wgpu_backend(Device::wgpu_options().init_with_setup()),
            other => other.cpu_or_missing(),
        }
    }

    /// Initialises the backend, asynchronously as WebGPU requires.
    pub async fn init_async(self) -> Result<BackendDevice, BackendError> {
        match self {
            #[cfg(feature = "gpu")]
            BackendKind::Wgpu => wgpu_backend(Device::wgpu_options().init_with_setup_async().await),
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
            gpu_watch: None,
        }
    }
}

/// The wgpu backend once its device is set up (natively or in the browser): kernel tuning
/// chosen for its adapter, and its device watched for loss.
#[cfg(feature = "gpu")]
fn wgpu_backend(
    started: Result<(Device, burn::tensor::wgpu::WgpuSetup), burn::tensor::wgpu::WgpuInitError>,
) -> Result<BackendDevice, BackendError> {
    use burn::tensor::wgpu::wgpu::DeviceType;
    let (device, setup) = started.map_err(|e| BackendError {
        kind: BackendKind::Wgpu,
        reason: e.to_string(),
    })?;
    let info = setup.adapter.get_info();
    let software_adapter = info.device_type == DeviceType::Cpu;
    burn_cubecl::set_autotune_enabled(autotunes_kernels(software_adapter));
    Ok(BackendDevice {
        kind: BackendKind::Wgpu,
        device,
        description: format!("wgpu: {} ({:?})", info.name, info.backend),
        software_adapter,
        gpu_watch: Some(watch_device(&setup.device)),
    })
}

/// Whether wgpu's kernels are chosen by timing candidates (autotune) on this adapter: where the
/// build has it, except on a software adapter (SwiftShader, lavapipe), where some candidates do
/// not compile (SwiftShader) and which is not worth tuning for. There each operation runs the
/// kernel an untuned build runs. Measured on an H200, tuning made the step 1.3x faster at batch
/// 64 and 3.6x at 256 (docs/performance.md).
pub fn autotunes_kernels(software_adapter: bool) -> bool {
    cfg!(feature = "autotune") && !software_adapter
}

/// Hears of the loss of `device` (WebGPU's `GPUDevice.lost`, through wgpu).
#[cfg(feature = "gpu")]
fn watch_device(device: &burn::tensor::wgpu::wgpu::Device) -> GpuWatch {
    let to_destroy = device.clone();
    GpuWatch::new(
        |report| {
            device.set_device_lost_callback(move |reason, message| {
                report(format!("the GPU device was lost ({reason:?}): {message}"));
            })
        },
        move || {
            to_destroy.destroy();
            // Natively the loss is reported when the device is next polled; in the browser,
            // when `GPUDevice.lost` settles.
            let _ = to_destroy.poll(burn::tensor::wgpu::wgpu::PollType::Poll);
        },
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_are_autotuned_on_hardware_adapters_only() {
        assert!(!autotunes_kernels(true), "never on a software adapter");
        assert_eq!(autotunes_kernels(false), cfg!(feature = "autotune"));
    }
}
