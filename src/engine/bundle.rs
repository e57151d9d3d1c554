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

/// When a WebGPU start begins on the CPU engine and moves to the WebGPU engine once that
/// has loaded (`?handover=`), rather than waiting for its larger download.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HandOverMode {
    /// On a hardware adapter. On a software one the CPU engine is usually faster, and the
    /// WebGPU engine loads at once, as before.
    #[default]
    HardwareAdapter,
    /// On any adapter (`always`).
    Always,
    /// On any adapter, but only once the page's test hook releases it (`held`: the
    /// end-to-end test starts a training on the CPU first).
    Held,
    /// Never: one engine, loaded at once (`off`).
    Off,
}

impl HandOverMode {
    pub fn from_query(query: &str) -> Result<Self, String> {
        match query_value(query, "handover")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("") | Some("auto") => Ok(Self::HardwareAdapter),
            Some("always") => Ok(Self::Always),
            Some("held") => Ok(Self::Held),
            Some("off") => Ok(Self::Off),
            Some(other) => Err(format!(
                "unknown handover '{other}' in the address (use auto, always or off)"
            )),
        }
    }
}

/// The engines a start loads: `first` at once, and `then` beside it, to move to once it has
/// loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartPlan {
    pub first: EngineBundle,
    pub then: Option<EngineBundle>,
}

impl StartPlan {
    /// `software_adapter`: the browser's WebGPU adapter is a software one.
    pub fn new(
        choice: BackendChoice,
        browser: BrowserSupport,
        software_adapter: bool,
        mode: HandOverMode,
    ) -> Self {
        let bundle = EngineBundle::for_choice(choice, browser);
        let moves = choice == BackendChoice::Auto
            && bundle == EngineBundle::Full
            && match mode {
                HandOverMode::HardwareAdapter => !software_adapter,
                HandOverMode::Always | HandOverMode::Held => true,
                HandOverMode::Off => false,
            };
        if moves {
            StartPlan {
                first: EngineBundle::for_choice(BackendChoice::Cpu, browser),
                then: Some(bundle),
            }
        } else {
            StartPlan {
                first: bundle,
                then: None,
            }
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
    fn a_webgpu_start_begins_on_the_cpu_engine_on_a_hardware_adapter() {
        use BackendChoice::*;
        use EngineBundle::*;
        let browser = |isolated| BrowserSupport {
            webgpu_adapter: true,
            isolated,
            relaxed_simd: true,
        };
        let plan = |choice, isolated, software, mode| {
            let p = StartPlan::new(choice, browser(isolated), software, mode);
            (p.first, p.then)
        };
        let default = HandOverMode::HardwareAdapter;
        assert_eq!(
            plan(Auto, true, false, default),
            (CpuThreadedRelaxed, Some(Full))
        );
        assert_eq!(plan(Auto, false, false, default), (CpuOnly, Some(Full)));
        // A software adapter: the WebGPU engine at once, unless the address asks for the move.
        assert_eq!(plan(Auto, true, true, default), (Full, None));
        assert_eq!(
            plan(Auto, true, true, HandOverMode::Always),
            (CpuThreadedRelaxed, Some(Full))
        );
        assert_eq!(
            plan(Auto, false, true, HandOverMode::Held),
            (CpuOnly, Some(Full))
        );
        assert_eq!(plan(Auto, true, false, HandOverMode::Off), (Full, None));
        // What the person asked for is loaded at once, and stays.
        for mode in [
            default,
            HandOverMode::Always,
            HandOverMode::Held,
            HandOverMode::Off,
        ] {
            assert_eq!(plan(WebGpu, true, false, mode), (Full, None));
            assert_eq!(plan(Ndarray, true, false, mode), (Full, None));
            assert_eq!(plan(Cpu, true, false, mode), (CpuThreadedRelaxed, None));
        }
        // No adapter: the CPU engine, nothing to move to.
        let none = BrowserSupport {
            webgpu_adapter: false,
            isolated: true,
            relaxed_simd: false,
        };
        let p = StartPlan::new(Auto, none, false, HandOverMode::Always);
        assert_eq!((p.first, p.then), (CpuThreaded, None));
    }

    #[test]
    fn the_address_picks_the_hand_over_mode() {
        let mode = HandOverMode::from_query;
        assert_eq!(mode(""), Ok(HandOverMode::HardwareAdapter));
        assert_eq!(mode("?handover=auto"), Ok(HandOverMode::HardwareAdapter));
        assert_eq!(
            mode("?backend=auto&handover=ALWAYS"),
            Ok(HandOverMode::Always)
        );
        assert_eq!(mode("?handover=held"), Ok(HandOverMode::Held));
        assert_eq!(mode("?handover=off"), Ok(HandOverMode::Off));
        assert_eq!(
            mode("?handover=soon"),
            Err("unknown handover 'soon' in the address (use auto, always or off)".into())
        );
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
