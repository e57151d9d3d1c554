#!/usr/bin/env bash
# How the command's training step scales with threads (issue 19, part 3; not part of the test
# command: prints figures, asserts nothing). Runs examples/step_loop.rs (two-layer d = 20,
# batch 64, Adam, MSE, as `latent-lab` trains: from a thread of the kernels' pool) in ROUNDS
# alternating rounds (default 8) on THREADS threads (default: the cores) and on one, and
# prints each round's images/s, its ratio, and the median ratio. This machine's speed drifts
# within minutes: only ratios of one round are compared.
#   usage: scripts/bench-threads.sh [steps per run, default 400]
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS="${1:-400}"
ROUNDS="${ROUNDS:-8}"
THREADS="${THREADS:-$(nproc)}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"
cargo build --release --example step_loop >/dev/null 2>&1
loop="$CARGO_TARGET_DIR/release/examples/step_loop"
rate() { RAYON_NUM_THREADS="$1" "$loop" "$STEPS" | sed -n 's/.* \([0-9]*\) images\/s$/\1/p'; }

printf '%-6s %12s %12s %7s\n' round "$THREADS threads" "1 thread" ratio
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  many="$(rate "$THREADS")"; one="$(rate 1)"
  r="$(awk -v a="$many" -v b="$one" 'BEGIN { printf "%.2f", a / b }')"
  ratios+=("$r")
  printf '%-6s %12s %12s %7s\n' "$round" "$many" "$one" "$r"
done
printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 } END {
  m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
  printf "median ratio, %d threads over 1: %.2f\n", '"$THREADS"', m }'
