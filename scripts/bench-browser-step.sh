#!/usr/bin/env bash
# The bare training step in a browser worker (headless Chromium, CPU backend, wasm SIMD), and
# the same step inside the page's training session: tests/browser_bench.rs prints both in
# images/s. Nothing is asserted. Compare with `scripts/bench-page.sh`, which measures the page.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh test
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"
wasm-pack test --headless --chrome --release -- --test browser_bench --no-default-features -- --nocapture 2>&1 \
  | grep -E "BENCH|test result"
