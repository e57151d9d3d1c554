//! Which build of the engine worker the page loads. wgpu is most of the engine's weight, so a
//! browser without WebGPU gets a CPU-only build that is a fraction of the size; that build
//! runs its kernels on every core (WebAssembly threads) where the page has shared memory, in a
//! build with relaxed SIMD where the browser has it.

use super::protocol::{BackendChoice, query_value};

/// What the browser offers the page, as far as the engine's build depends on it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BrowserSupport {
    /// The browser gave the page a WebGPU adapter.
    pub webgpu_adapter: bool,
    /// The page is cross-origin isolated: shared memory, so WebAssembly threads.
    pub isolated: bool,
    /// The browser validates WebAssembly's relaxed SIMD (a fused multiply-add among it).
    pub relaxed_simd: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineBundle {
    /// wgpu (WebGPU), flex and ndarray.
    Full,
    /// flex only, on one thread.
    CpuOnly,
    /// flex only, its kernels on a pool of threads (WebAssembly threads: shared memory, which
    /// the browser gives only a cross-origin isolated page).
    CpuThreaded,
    /// The same, compiled with relaxed SIMD: the matrix products' multiply-adds are fused
    /// where the processor can. A browser without relaxed SIMD cannot even compile it.
    CpuThreadedRelaxed,
}

impl EngineBundle {
    /// The bundle for what the person asked for, given what the browser offers.
    pub fn for_choice(choice: BackendChoice, browser: BrowserSupport) -> Self {
        let cpu = match (browser.isolated, browser.relaxed_simd) {
            (true, true) => EngineBundle::CpuThreadedRelaxed,
            (true, false) => EngineBundle::CpuThreaded,
            (false, _) => EngineBundle::CpuOnly,
        };
        match choice {
            BackendChoice::Cpu => cpu,
            // ndarray is left out of the small build; asking for WebGPU without an adapter
            // still loads the full build so that its own attempt gives the reason.
            BackendChoice::Ndarray | BackendChoice::WebGpu => EngineBundle::Full,
            BackendChoice::Auto if browser.webgpu_adapter => EngineBundle::Full,
            BackendChoice::Auto => cpu,
        }
    }

    /// The bundle's loader script: trunk writes the first two (`data-loader-shim` in
    /// index.html), scripts/build-threaded-engine.sh the others.
    pub fn script(self) -> &'static str {
        match self {
            EngineBundle::Full => "worker_loader.js",
            EngineBundle::CpuOnly => "worker_cpu_loader.js",
            EngineBundle::CpuThreaded => "worker_cpu_threads_loader.js",
            EngineBundle::CpuThreadedRelaxed => "worker_cpu_threads_relaxed_loader.js",
        }
    }
}

/// Whether the address turns relaxed SIMD off (`?relaxed-simd=off`), to compare the two
/// threaded builds on one browser. Anything else, or nothing, leaves it to the browser.
pub fn relaxed_simd_turned_off(query: &str) -> bool {
    query_value(query, "relaxed-simd").is_some_and(|v| v.eq_ignore_ascii_case("off"))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// (choice, WebGPU adapter, cross-origin isolated) → the bundle loaded, in a browser with
    /// or without relaxed SIMD.
    fn check(relaxed_simd: bool, cases: &[(BackendChoice, bool, bool, EngineBundle)]) {
        for &(choice, webgpu_adapter, isolated, expected) in cases {
            let browser = BrowserSupport {
                webgpu_adapter,
                isolated,
                relaxed_simd,
            };
            assert_eq!(
                EngineBundle::for_choice(choice, browser),
                expected,
                "{choice:?}, {browser:?}"
            );
        }
    }

    #[test]
    fn the_cpu_only_build_is_loaded_without_webgpu_or_when_the_cpu_is_asked_for() {
        use BackendChoice::*;
        use EngineBundle::*;
        check(
            false,
            &[
                (Auto, false, false, CpuOnly),
                (Auto, true, false, Full),
                (Cpu, true, false, CpuOnly),
                (WebGpu, false, false, Full),
                (Ndarray, false, false, Full),
            ],
        );
    }

    #[test]
    fn an_isolated_page_gets_the_threaded_cpu_build_and_the_same_gpu_build() {
        use BackendChoice::*;
        use EngineBundle::*;
        check(
            false,
            &[
                (Auto, false, true, CpuThreaded),
                (Cpu, true, true, CpuThreaded),
                (Auto, true, true, Full),
                (WebGpu, false, true, Full),
                (Ndarray, true, true, Full),
            ],
        );
    }

    #[test]
    fn relaxed_simd_picks_the_relaxed_threaded_build_only_where_the_page_has_threads() {
        use BackendChoice::*;
        use EngineBundle::*;
        check(
            true,
            &[
                (Auto, false, true, CpuThreadedRelaxed),
                (Cpu, true, true, CpuThreadedRelaxed),
                // Not isolated: trunk's single-threaded build, relaxed SIMD or not.
                (Auto, false, false, CpuOnly),
                (Cpu, false, false, CpuOnly),
                // The GPU builds do not depend on it.
                (Auto, true, true, Full),
                (WebGpu, false, true, Full),
                (Ndarray, false, true, Full),
            ],
        );
    }

    #[test]
    fn the_address_turns_relaxed_simd_off_only_when_it_says_off() {
        assert!(relaxed_simd_turned_off("?relaxed-simd=off"));
        assert!(relaxed_simd_turned_off("?backend=cpu&relaxed-simd=OFF"));
        assert!(!relaxed_simd_turned_off(""));
        assert!(!relaxed_simd_turned_off("?relaxed-simd=on"));
        assert!(!relaxed_simd_turned_off("?relaxed-simd"));
        assert!(!relaxed_simd_turned_off("?simd=off"));
    }

    #[test]
    fn each_bundle_has_its_own_loader() {
        let scripts = [
            EngineBundle::Full.script(),
            EngineBundle::CpuOnly.script(),
            EngineBundle::CpuThreaded.script(),
            EngineBundle::CpuThreadedRelaxed.script(),
        ];
        for (i, a) in scripts.iter().enumerate() {
            assert!(a.ends_with("_loader.js"), "{a}");
            for b in &scripts[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
