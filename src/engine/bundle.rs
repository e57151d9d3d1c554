//! Which build of the engine worker the page loads. wgpu is most of the engine's weight, so a
//! browser without WebGPU gets a CPU-only build that is a fraction of the size.

use super::protocol::BackendChoice;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineBundle {
    /// wgpu (WebGPU), flex and ndarray.
    Full,
    /// flex only.
    CpuOnly,
}

impl EngineBundle {
    /// The bundle for what the person asked for, given whether the browser offered a WebGPU
    /// adapter to the page.
    pub fn for_choice(choice: BackendChoice, webgpu_adapter: bool) -> Self {
        match choice {
            BackendChoice::Cpu => EngineBundle::CpuOnly,
            // ndarray is left out of the small build; asking for WebGPU without an adapter
            // still loads the full build so that its own attempt gives the reason.
            BackendChoice::Ndarray | BackendChoice::WebGpu => EngineBundle::Full,
            BackendChoice::Auto if webgpu_adapter => EngineBundle::Full,
            BackendChoice::Auto => EngineBundle::CpuOnly,
        }
    }

    /// The loader script trunk writes for the bundle (`data-loader-shim` in index.html).
    pub fn script(self) -> &'static str {
        match self {
            EngineBundle::Full => "worker_loader.js",
            EngineBundle::CpuOnly => "worker_cpu_loader.js",
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_only_build_is_loaded_without_webgpu_or_when_the_cpu_is_asked_for() {
        use BackendChoice::*;
        assert_eq!(EngineBundle::for_choice(Auto, false), EngineBundle::CpuOnly);
        assert_eq!(EngineBundle::for_choice(Auto, true), EngineBundle::Full);
        assert_eq!(EngineBundle::for_choice(Cpu, true), EngineBundle::CpuOnly);
        assert_eq!(EngineBundle::for_choice(WebGpu, false), EngineBundle::Full);
        assert_eq!(EngineBundle::for_choice(Ndarray, false), EngineBundle::Full);
        assert_ne!(EngineBundle::Full.script(), EngineBundle::CpuOnly.script());
    }
}
