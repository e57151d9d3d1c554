#!/usr/bin/env bash
# Builds and serves the page with its bundled data and pretrained weights:
#   http://127.0.0.1:8080/
#   usage: scripts/serve.sh [--build-only] [trunk serve options…]
# Installs what is missing first (scripts/install-tools.sh serve: the wasm32 target,
# trunk 0.22.1 and wasm-bindgen-cli 0.2.130, from crates.io), then fetches the crates
# Cargo.lock names: Trunk.toml's `offline = true` (so that trunk never downloads its own
# tools) also makes trunk call cargo with --offline, which fails on an empty cargo home.
# The first build runs on its own, so that a failure stops here with the build's error and a
# non-zero exit instead of a server with nothing to serve; `trunk serve` then rebuilds on
# changes and keeps serving the last good build when one fails. --build-only stops after
# the first build (scripts/check-fresh-serve.sh runs that path from an empty cargo home).
set -euo pipefail
cd "$(dirname "$0")/.."
build_only=false
if [ "${1:-}" = --build-only ]; then
  build_only=true
  shift
fi

scripts/install-tools.sh serve
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"

printf '\n==> cargo fetch --locked (the crates Cargo.lock names, from crates.io)\n'
cargo fetch --locked

printf '\n==> trunk build --release (the page and its three engine builds, the threaded one by a hook)\n'
if ! trunk build --release; then
  echo "serve.sh: the page did not build (the error is above); nothing is served." >&2
  exit 1
fi
if $build_only; then
  echo "serve.sh: built into dist/ (--build-only: not serving)."
  exit 0
fi

printf '\n==> trunk serve --release on http://127.0.0.1:%s/\n' "${PORT:-8080}"
exec trunk serve --release --address 127.0.0.1 --port "${PORT:-8080}" "$@"
