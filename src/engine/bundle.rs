//! Which build of the engine worker the page loads. wgpu is most of the engine's weight, so a
//! browser without WebGPU gets a CPU-only build that is a fraction of the size; that build
//! runs its kernels on every core (WebAssembly threads) where the page has shared memory.

use super::protocol::BackendChoice;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineBundle {
    /// wgpu (WebGPU), flex and ndarray.
    Full,
    /// flex only, on one thread.
    CpuOnly,
    /// flex only, its kernels on a pool of threads (WebAssembly threads: shared memory, which
    /// the browser gives only a cross-origin isolated page).
    CpuThreaded,
}

impl EngineBundle {
    /// The bundle for what the person asked for, given whether the browser offered a WebGPU
    /// adapter to the page and whether the page is cross-origin isolated.
    pub fn for_choice(choice: BackendChoice, webgpu_adapter: bool, isolated: bool) -> Self {
        let cpu = if isolated {
            EngineBundle::CpuThreaded
        } else {
            EngineBundle::CpuOnly
        };
        match choice {
            BackendChoice::Cpu => cpu,
            // ndarray is left out of the small build; asking for WebGPU without an adapter
            // still loads the full build so that its own attempt gives the reason.
            BackendChoice::Ndarray | BackendChoice::WebGpu => EngineBundle::Full,
            BackendChoice::Auto if webgpu_adapter => EngineBundle::Full,
            BackendChoice::Auto => cpu,
        }
    }

    /// The bundle's loader script: trunk writes the first two (`data-loader-shim` in
    /// index.html), scripts/build-threaded-engine.sh the third.
    pub fn script(self) -> &'static str {
        match self {
            EngineBundle::Full => "worker_loader.js",
            EngineBundle::CpuOnly => "worker_cpu_loader.js",
            EngineBundle::CpuThreaded => "worker_cpu_threads_loader.js",
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// (choice, WebGPU adapter, cross-origin isolated) → the bundle loaded.
    fn check(cases: &[(BackendChoice, bool, bool, EngineBundle)]) {
        for &(choice, adapter, isolated, expected) in cases {
            assert_eq!(
                EngineBundle::for_choice(choice, adapter, isolated),
                expected,
                "{choice:?}, adapter {adapter}, isolated {isolated}"
            );
        }
    }

    #[test]
    fn the_cpu_only_build_is_loaded_without_webgpu_or_when_the_cpu_is_asked_for() {
        use BackendChoice::*;
        use EngineBundle::*;
        check(&[
            (Auto, false, false, CpuOnly),
            (Auto, true, false, Full),
            (Cpu, true, false, CpuOnly),
            (WebGpu, false, false, Full),
            (Ndarray, false, false, Full),
        ]);
    }

    #[test]
    fn an_isolated_page_gets_the_threaded_cpu_build_and_the_same_gpu_build() {
        use BackendChoice::*;
        use EngineBundle::*;
        check(&[
            (Auto, false, true, CpuThreaded),
            (Cpu, true, true, CpuThreaded),
            (Auto, true, true, Full),
            (WebGpu, false, true, Full),
            (Ndarray, true, true, Full),
        ]);
    }

    #[test]
    fn each_bundle_has_its_own_loader() {
        let scripts = [
            EngineBundle::Full.script(),
            EngineBundle::CpuOnly.script(),
            EngineBundle::CpuThreaded.script(),
        ];
        for (i, a) in scripts.iter().enumerate() {
            assert!(a.ends_with("_loader.js"), "{a}");
            for b in &scripts[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
