//! Choosing the worker's backend: WebGPU where the browser gives an adapter, else the CPU.

use crate::BackendKind;
use crate::backend::BackendDevice;
use crate::engine::BackendChoice;
use crate::web::webgpu_probe::probe_webgpu;

pub(crate) struct ChosenBackend {
    pub device: BackendDevice,
    /// A software or fallback WebGPU adapter (SwiftShader and the like).
    pub software: bool,
    /// Why the choice differs from what was asked (or from WebGPU, for `Auto`).
    pub fallback_reason: Option<String>,
}

fn cpu(kind: BackendKind, reason: Option<String>) -> ChosenBackend {
    let mut device = kind.cpu_backend();
    device.description = format!("{kind} (CPU, wasm SIMD)");
    ChosenBackend {
        device,
        software: false,
        fallback_reason: reason,
    }
}

pub(crate) async fn choose_backend(choice: BackendChoice) -> ChosenBackend {
    match choice {
        BackendChoice::Cpu => cpu(BackendKind::Flex, None),
        BackendChoice::Ndarray if BackendKind::Ndarray.is_built_in() => {
            cpu(BackendKind::Ndarray, None)
        }
        BackendChoice::Ndarray => cpu(
            BackendKind::Flex,
            Some("this engine build leaves ndarray out".into()),
        ),
        BackendChoice::Auto | BackendChoice::WebGpu => {
            let probe = match probe_webgpu().await {
                Ok(probe) => probe,
                Err(reason) => return cpu(BackendKind::Flex, Some(reason)),
            };
            if !BackendKind::Wgpu.is_built_in() {
                return cpu(
                    BackendKind::Flex,
                    Some("the page loaded the CPU-only engine".into()),
                );
            }
            match BackendKind::Wgpu.init_async().await {
                Ok(mut device) => {
                    // wgpu's adapter info is mostly empty in browsers; the probe's is not.
                    device.description = probe.name;
                    ChosenBackend {
                        software: probe.software || device.software_adapter,
                        device,
                        fallback_reason: None,
                    }
                }
                Err(e) => cpu(
                    BackendKind::Flex,
                    Some(format!("WebGPU could not start: {e}")),
                ),
            }
        }
    }
}
