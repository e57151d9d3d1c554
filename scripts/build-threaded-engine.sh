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
# Writes worker_cpu_threads.js, worker_cpu_threads_bg.wasm and worker_cpu_threads_loader.js, and
# the same three of worker_cpu_threads_relaxed (built with relaxed SIMD, for browsers that have it).
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

glue="$(mktemp -d)"
trap 'rm -rf "$glue"' EXIT

# One build: $1 the output's name, $2 its build folder, $3 its compiler flags.
build() {
  local name="$1" dir="$2" flags="$3"
  # Not --offline (trunk's builds are): the standard library's own crates come from crates.io
  # the first time.
  RUSTFLAGS="$flags" \
    cargo "+$nightly" build --release --target wasm32-unknown-unknown -Z build-std=std,panic_abort \
    --target-dir "$dir" --bin worker_cpu --no-default-features --features threads
  # No name section (10 of its 18 MB: the rebuilt std keeps every symbol name), as trunk strips.
  wasm-bindgen --target no-modules --no-typescript --remove-name-section --out-dir "$glue" \
    --out-name "$name" "$dir/wasm32-unknown-unknown/release/worker_cpu.wasm"
  cp "$glue/$name.js" "$glue/${name}_bg.wasm" "$out/"
  printf 'importScripts("./%s.js");wasm_bindgen({ module_or_path: "./%s_bg.wasm" });' "$name" "$name" >"$out/${name}_loader.js"
  echo "threaded CPU engine $name in $out: $(du -h "$out/${name}_bg.wasm" | cut -f1) wasm"
}

build worker_cpu_threads "$target" "$(threads_rustflags)"
# The same with relaxed SIMD, for browsers that have it (src/web/wasm_features.rs): the matrix
# products' multiply-adds fused (vendor/gemm-f32, vendor/macerator). A build folder of its own,
# as its flags differ.
build worker_cpu_threads_relaxed "$target-relaxed" "$(relaxed_threads_rustflags)"
