#!/usr/bin/env bash
# Builds the CPU engine on WebAssembly threads (issue 19, part 2) and puts it in place of
# trunk's single-threaded `worker_cpu` in a built page: the same Rust as `worker_cpu` with the
# `threads` feature, compiled by the nightly toolchain with atomics and shared memory (the
# standard library rebuilt for them: `-Z build-std`, which needs nightly's `rust-src`), then
# wasm-bindgen's no-modules glue, as trunk writes it for the loader shim.
#   usage: scripts/build-threaded-engine.sh [dist folder, default dist]
# Not yet part of `scripts/serve.sh` or `scripts/test.sh` (see docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
dist="${1:-dist}"
NIGHTLY="${NIGHTLY:-nightly}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"
# Its own folder: other RUSTFLAGS would otherwise rebuild the single-threaded wasm every time.
target="${THREADS_TARGET_DIR:-$CARGO_TARGET_DIR/threads}"
[ -f "$dist/worker_cpu.js" ] || { echo "no $dist/worker_cpu.js: run trunk build first" >&2; exit 1; }
rustup component list --toolchain "$NIGHTLY" --installed | grep -q '^rust-src' ||
  rustup component add rust-src --toolchain "$NIGHTLY"

# rustc does not make the memory shared by itself for wasm32-unknown-unknown with +atomics
# (measured: without these link arguments the memory came out unshared and wasm-bindgen wrote
# single-threaded glue); wasm-bindgen's thread support needs the memory imported and the TLS
# symbols exported.
flags="-C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128"
for arg in --shared-memory --import-memory --max-memory=4294967296 --export=__wasm_init_tls \
  --export=__tls_size --export=__tls_align --export=__tls_base; do
  flags="$flags -C link-arg=$arg"
done
RUSTFLAGS="$flags" \
  cargo "+$NIGHTLY" build --release --target wasm32-unknown-unknown -Z build-std=std,panic_abort \
  --target-dir "$target" --bin worker_cpu --no-default-features --features threads
out="$(mktemp -d)"
wasm-bindgen --target no-modules --no-typescript --out-dir "$out" --out-name worker_cpu \
  "$target/wasm32-unknown-unknown/release/worker_cpu.wasm"
cp "$out/worker_cpu.js" "$out/worker_cpu_bg.wasm" "$dist/"
rm -rf "$out"
echo "threaded CPU engine in $dist: $(du -h "$dist/worker_cpu_bg.wasm" | cut -f1) wasm"
