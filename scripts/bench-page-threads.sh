#!/usr/bin/env bash
# How the page's training scales with threads (issue 19, part 2; not part of the test command:
# prints figures, asserts nothing). One build, one browser: the page's own training in headless
# Chromium (tests/e2e/bench.mjs: two-layer d = 20, batch 64, the CPU engine, served
# cross-origin isolated) with `?threads=1` and with every thread the browser reports, in
# ROUNDS rounds (default 5) whose order alternates, so the machine's drift within minutes
# falls on both. Prints each round's images/s and ratio, then the median ratio.
#   usage: scripts/bench-page-threads.sh [dist-folder]   (no folder: builds dist/ with trunk)
#   RELAXED_SIMD=off times the plain threaded build (see tests/e2e/bench.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"

. scripts/bench-figures.sh
dist="$(page_dist "${1:-}")"

declare -a ratios
printf '%-6s %10s %10s | %6s\n' round "1 thread" "all" ratio
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then
    one="$(page_training "$dist" 1)"; all="$(page_training "$dist" all)"
  else
    all="$(page_training "$dist" all)"; one="$(page_training "$dist" 1)"
  fi
  r="$(ratio "${all%% *}" "${one%% *}")"
  ratios+=("$r")
  printf '%-6s %10s %10s | %6s\n' "$round" "${one%% *}" "${all%% *}" "$r"
  if (( round == 1 )); then
    echo "  1 thread: ${one#* }"
    echo "  all: ${all#* }"
  fi
done
echo "median ratio, every thread over one (same round): $(printf '%s\n' "${ratios[@]}" | grep -v '^-$' | median)"
