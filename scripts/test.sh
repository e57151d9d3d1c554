#!/usr/bin/env bash
# Runs every test of Latent Lab. First installs what is missing, at pinned versions
# (scripts/install-tools.sh test: wasm32 target, trunk, wasm-bindgen-cli, wasm-pack, Debian's
# chromium + chromedriver + Mesa lavapipe, npm playwright-core). Then:
#   the serve command's build path from an empty cargo home, until all four wasm builds
#     compile (scripts/check-fresh-serve.sh: a newcomer's first command resolves its crates);
#   cargo fmt --check; cargo clippy (native, and the page's wasm32 build);
#   cargo test --release (library, CLI, native wgpu on lavapipe);
#   trunk build --release (the page, in dist/, with the threaded CPU engine: Trunk.toml's hook);
#   the library's browser tests in headless Chromium (in a dedicated worker): on the CPU as the
#     threaded engine with relaxed SIMD is built (nightly, atomics), and with wasm-pack on WebGPU;
#   Playwright end-to-end tests of dist/ in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s  (%ss)\n' "$*" "$SECONDS"; }
SECONDS=0

step "tools"
scripts/install-tools.sh test
rustc --version

export LATENT_LAB_REQUIRE_WGPU=1
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
# One build folder for every checkout on this machine, shared by cargo, trunk and wasm-pack:
# a fresh clone reuses the long optimised builds of burn (cargo's fingerprints keep it right).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"
echo "build folder: $CARGO_TARGET_DIR"
# CI's fresh clone: the vendored crates' files get their last commit's time, so that their
# builds in the shared build folder (and burn's above them) are reused, not redone in each build.
if [ "${CI:-}" = true ]; then
  scripts/pin-vendor-mtimes.sh
fi

step "a newcomer's serve command from an empty cargo home (until all four wasm builds compile)"
scripts/check-fresh-serve.sh

step "cargo fetch --locked"
cargo fetch --locked

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (native)"
cargo clippy --release --all-targets -- -D warnings

step "cargo clippy (wasm32: the page, its two engine builds, the browser tests)"
cargo clippy --release --target wasm32-unknown-unknown --features web --lib --bin page --bin worker -- -D warnings
cargo clippy --release --target wasm32-unknown-unknown --no-default-features --features web --lib --bin page --bin worker_cpu -- -D warnings
cargo clippy --release --target wasm32-unknown-unknown --test browser --test browser_bench -- -D warnings
# The CPU engine on WebAssembly threads (issue 19; its wasm is built by nightly with atomics).
cargo clippy --release --target wasm32-unknown-unknown --no-default-features --features threads --lib --bin worker_cpu -- -D warnings

step "cargo test --release"
cargo test --release

step "trunk build --release"
trunk build --release
# A static host serves dist/ as another user: every file must be readable by all.
unreadable="$(find dist -type f ! -perm -o=r)"
if [ -n "$unreadable" ]; then
  echo "files of dist/ that other users cannot read: $unreadable" >&2
  exit 1
fi

export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
step "browser tests: the library in headless Chromium, CPU backend, built as the threaded engine"
# As `worker_cpu_threads_relaxed` is built, the engine Chromium loads (nightly, atomics, the
# standard library rebuilt, relaxed SIMD; the runner serves the page cross-origin isolated), in
# its build folder. Not through wasm-pack, which would ask rustup for nightly's wasm32 standard
# library, which build-std makes unneeded.
. scripts/nightly.sh
RUSTFLAGS="$(relaxed_threads_rustflags)" \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo "+$(nightly_toolchain)" test --release --target wasm32-unknown-unknown \
  -Z build-std=std,panic_abort --target-dir "$CARGO_TARGET_DIR-threads-relaxed" \
  --no-default-features --features threads --test browser

step "wasm-pack test: the same tests on WebGPU (Chromium's software adapter, SwiftShader)"
# The engine's browser build of wgpu: autotune compiled in and, on this software adapter,
# switched off at run time (its candidate kernels do not all compile on SwiftShader; the tests
# check the switch). SwiftShader is slow: a test may take over a minute, past the runner's default.
WASM_BINDGEN_TEST_TIMEOUT=600 LATENT_LAB_TEST_BACKEND=webgpu \
    wasm-pack test --headless --chrome --release -- --test browser --no-default-features --features gpu,autotune,ndarray

step "end-to-end tests of dist/ (Playwright + Chromium)"
node tests/e2e/run.mjs dist

echo "all checks passed in ${SECONDS}s"
