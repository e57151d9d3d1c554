//! Choosing the worker's backend: WebGPU where the browser gives an adapter, else the CPU.

use crate::BackendKind;
use crate::backend::BackendDevice;
use crate::engine::BackendChoice;
use crate::engine::kernel_thread_count::ThreadRequest;
use crate::web::isolation::why_single_threaded;
use crate::web::webgpu_probe::probe_webgpu;

pub(crate) struct ChosenBackend {
    pub device: BackendDevice,
    /// A software or fallback WebGPU adapter (SwiftShader and the like).
    pub software: bool,
    /// Why the choice differs from what was asked (or from WebGPU, for `Auto`).
    pub fallback_reason: Option<String>,
}

async fn cpu(kind: BackendKind, reason: Option<String>, threads: ThreadRequest) -> ChosenBackend {
    let mut device = kind.cpu_backend();
    // Only the threaded engine has a build with relaxed SIMD (scripts/build-threaded-engine.sh).
    let simd = if cfg!(target_feature = "relaxed-simd") {
        "wasm relaxed SIMD"
    } else {
        "wasm SIMD"
    };
    device.description = format!("{kind} (CPU, {simd}{})", kernel_threads(threads).await);
    ChosenBackend {
        device,
        software: false,
        fallback_reason: reason,
    }
}

/// How many threads the CPU kernels run on, for the backend's description: in the `threads`
/// build the pool starts here (where the page is cross-origin isolated), on the `requested`
/// count or all the browser reports, or the copies of the model the address asks for; the
/// other builds have one thread, and say why where the page has no shared memory.
#[cfg(feature = "threads")]
async fn kernel_threads(requested: ThreadRequest) -> String {
    use super::kernel_threads::{hardware_threads, start, start_copies};
    use crate::engine::kernel_thread_count::{copies_description, threads_description};
    if let Some(why) = why_single_threaded() {
        return format!(", {why}");
    }
    if let Some(copies) = requested.copies {
        return match start_copies(copies).await {
            Ok(1) => ", one thread (the browser reports one: no copies of the model)".into(),
            Ok(copies) => copies_description(copies),
            Err(e) => format!(", one thread: {e}"),
        };
    }
    match start(requested.threads).await {
        // The pool as built (a worker builds it once), said against the browser's count.
        Ok(pool) => threads_description(Some(pool), hardware_threads()),
        Err(e) => format!(", one thread: {e}"),
    }
}

#[cfg(not(feature = "threads"))]
async fn kernel_threads(_requested: ThreadRequest) -> String {
    match why_single_threaded() {
        Some(why) => format!(", {why}"),
        None => ", one thread".into(),
    }
}

/// `threads`: what the address asks of the CPU kernels' threads.
pub(crate) async fn choose_backend(choice: BackendChoice, threads: ThreadRequest) -> ChosenBackend {
    match choice {
        BackendChoice::Cpu => cpu(BackendKind::Flex, None, threads).await,
        BackendChoice::Ndarray if BackendKind::Ndarray.is_built_in() => {
            cpu(BackendKind::Ndarray, None, threads).await
        }
        BackendChoice::Ndarray => {
            cpu(
                BackendKind::Flex,
                Some("this engine build leaves ndarray out".into()),
                threads,
            )
            .await
        }
        BackendChoice::Auto | BackendChoice::WebGpu => {
            let probe = match probe_webgpu().await {
                Ok(probe) => probe,
                Err(reason) => return cpu(BackendKind::Flex, Some(reason), threads).await,
            };
            if !BackendKind::Wgpu.is_built_in() {
                return cpu(
                    BackendKind::Flex,
                    Some("the page loaded the CPU-only engine".into()),
                    threads,
                )
                .await;
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
                Err(e) => {
                    cpu(
                        BackendKind::Flex,
                        Some(format!("WebGPU could not start: {e}")),
                        threads,
                    )
                    .await
                }
            }
        }
    }
}
