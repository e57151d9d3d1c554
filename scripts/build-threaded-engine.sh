#!/usr/bin/env bash
# Builds the CPU engine on WebAssembly threads (issue 19, part 2): the same Rust as trunk's
# single-threaded `worker_cpu` with the `threads` feature, compiled by the pinned nightly
# (scripts/nightly.sh) with atomics and shared memory (the standard library rebuilt for them:
# `-Z build-std`, from nightly's `rust-src`), then wasm-bindgen's no-modules glue and a loader
# like the one trunk writes for `data-loader-shim`. The page loads it where it is cross-origin
# isolated (src/engine/bundle.rs), and trunk's single-threaded build everywhere else.
#   usage: scripts/build-threaded-engine.sh [output folder]
# Trunk runs it as a build-stage hook (Trunk.toml), beside its own builds, into its staging
# folder ($TRUNK_STAGING_DIR); without an argument or that variable it writes into dist/.
# Writes worker_cpu_threads.js, worker_cpu_threads_bg.wasm and worker_cpu_threads_loader.js.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-${TRUNK_STAGING_DIR:-dist}}"
mkdir -p "$out"
. scripts/nightly.sh
nightly="$(nightly_toolchain)" || {
  echo "build-threaded-engine: the nightly toolchain of $NIGHTLY_DATE is not installed (run scripts/install-tools.sh serve)" >&2
  exit 1
}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"
# A build folder of its own: other RUSTFLAGS would otherwise rebuild trunk's wasm each time.
target="${THREADS_TARGET_DIR:-$CARGO_TARGET_DIR-threads}"

# Not --offline (trunk's builds are): the standard library's own crates come from crates.io
# the first time.
RUSTFLAGS="$(threads_rustflags)" \
  cargo "+$nightly" build --release --target wasm32-unknown-unknown -Z build-std=std,panic_abort \
  --target-dir "$target" --bin worker_cpu --no-default-features --features threads
glue="$(mktemp -d)"
trap 'rm -rf "$glue"' EXIT
# No name section (10 of its 18 MB: the rebuilt std keeps every symbol name), as trunk strips.
wasm-bindgen --target no-modules --no-typescript --remove-name-section --out-dir "$glue" \
  --out-name worker_cpu_threads \
  "$target/wasm32-unknown-unknown/release/worker_cpu.wasm"
cp "$glue/worker_cpu_threads.js" "$glue/worker_cpu_threads_bg.wasm" "$out/"
printf 'importScripts("./worker_cpu_threads.js");wasm_bindgen("./worker_cpu_threads_bg.wasm");' \
  >"$out/worker_cpu_threads_loader.js"
echo "threaded CPU engine in $out: $(du -h "$out/worker_cpu_threads_bg.wasm" | cut -f1) wasm"
