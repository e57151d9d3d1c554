#!/usr/bin/env bash
# Builds and serves the page with its bundled data and pretrained weights:
#   http://127.0.0.1:8080/
# Installs what is missing first (scripts/install-tools.sh serve: the wasm32 target,
# trunk 0.22.1 and wasm-bindgen-cli 0.2.130, from crates.io).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh serve
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"
exec trunk serve --release --address 127.0.0.1 --port "${PORT:-8080}" "$@"
