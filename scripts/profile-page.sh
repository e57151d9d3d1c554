#!/usr/bin/env bash
# Where the page's training spends its time, thread by thread (issue 19; not part of the test
# command: prints figures, asserts nothing). Copies a built dist/ and gives the copy's threaded
# CPU engine (relaxed SIMD) its function names back: wasm-bindgen again on the build folder's
# wasm, without `--remove-name-section`. Then tests/e2e/profile.mjs profiles the page's
# training with every thread the browser reports and with `?threads=1`.
#   usage: scripts/profile-page.sh [dist-folder]   (no folder: builds dist/ with trunk)
#   SECS=N profiles N seconds (default 6); TOP=N lists N functions a thread (default 12).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"
. scripts/bench-figures.sh
dist="$(page_dist "${1:-}")"
# The wasm trunk's build hook (scripts/build-threaded-engine.sh) made for dist/.
wasm="${THREADS_TARGET_DIR:-$CARGO_TARGET_DIR-threads}-relaxed/wasm32-unknown-unknown/release/worker_cpu.wasm"
[ -f "$wasm" ] || { echo "profile-page: no threaded engine at $wasm (run trunk build --release first)" >&2; exit 1; }
copy="$CARGO_TARGET_DIR/profile-dist"
rm -rf "$copy"
cp -r "$dist" "$copy"
wasm-bindgen --target no-modules --no-typescript --out-dir "$copy" \
  --out-name worker_cpu_threads_relaxed "$wasm"
echo "== every thread"
node tests/e2e/profile.mjs "$copy"
echo "== ?threads=1"
THREADS=1 node tests/e2e/profile.mjs "$copy"
