#!/usr/bin/env bash
# The training step's f32 products in WebAssembly, by gemm and by flex's tiled kernels
# (vendor/burn-flex/src/ops/tiled_matmul.rs), each in the layout flex gives it, plain SIMD128
# against relaxed SIMD (issue 19), in node: builds benches/wasm-gemm twice and times both,
# alternating, ROUNDS times (default 5). Prints figures (checking each product's sum against
# gemm's), asserts nothing. Node 20 needs --experimental-wasm-relaxed-simd (Chromium has it).
set -euo pipefail
cd "$(dirname "$0")/../benches/wasm-gemm"
ROUNDS="${ROUNDS:-5}"
target="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}-wasm-gemm"
RUSTFLAGS="-C target-feature=+simd128" cargo build --release --target wasm32-unknown-unknown \
  --target-dir "$target/plain" -q
RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" cargo build --release --target wasm32-unknown-unknown \
  --target-dir "$target/relaxed" -q
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  node --experimental-wasm-relaxed-simd bench.mjs "$target"/{plain,relaxed}/wasm32-unknown-unknown/release/wasm_gemm_bench.wasm
done
