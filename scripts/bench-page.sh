#!/usr/bin/env bash
# Figures for the page (docs/performance.md): .wasm sizes and training speed in headless
# Chromium on the CPU backend and on the software WebGPU adapter. Builds dist/ first.
# Nothing here is asserted: it prints what it measures.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh test
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"
trunk build --release
node tests/e2e/bench.mjs dist
