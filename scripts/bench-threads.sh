#!/usr/bin/env bash
# How the command's training step scales with threads (issue 19, part 3; not part of the test
# command: prints figures, asserts nothing). Runs examples/thread_scaling.rs: two-layer d = 20,
# batch 64, Adam, MSE on flex, as `latent-lab` trains (from a thread of the kernels' pool), in
# blocks of steps that rotate, in one process, between a pool of THREADS threads (default: the
# cores), as many copies of the model (data-parallel training), and a pool of one. It prints
# each round's images/s and ratios, and the median ratios, by where the two cores sat.
# This machine's speed drifts within minutes; blocks of a second, side by side, keep the drift
# out of each round's ratio.
#   usage: scripts/bench-threads.sh [rounds, default 20] [steps per block, default 100]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"
cargo build --quiet --release --example thread_scaling
"$CARGO_TARGET_DIR/release/examples/thread_scaling" "$@"
