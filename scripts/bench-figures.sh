# Shell functions the side-by-side benchmarks share (sourced, not run: scripts/bench-vs-pytorch.sh,
# scripts/bench-page-threads.sh, scripts/profile-page.sh).

# The dist folder to measure: $1 where given, else dist/ built by trunk (tools installed first).
page_dist() {
  if [ -n "${1:-}" ]; then
    echo "$1"
    return
  fi
  scripts/install-tools.sh test >/dev/null || return 1
  trunk build --release >/dev/null 2>&1 || { echo "trunk build --release failed" >&2; return 1; }
  echo dist
}

# The page's own training in headless Chromium (tests/e2e/bench.mjs, the CPU engine, 40 epochs:
# a faster engine would otherwise finish inside the measured window), from dist folder $1 with
# `?threads=$2` where given, in $3 pages at once where given (their sum), with `?copies=$4`
# where given: prints "images/s header", or nothing (and why, on standard error) where the run
# gave no figure, so that a round shows "-" instead of ending the script unseen.
page_training() {
  local log figure
  log="$(mktemp)"
  figure="$(THREADS="${2:-}" PAGES="${3:-1}" COPIES="${4:-}" EPOCHS=40 SKIP_WEBGPU=1 node tests/e2e/bench.mjs "$1" 2>"$log" \
    | sed -n 's/^CPU backend.*: \([0-9]*\) images\/s.*; \(.*\)$/\1 \2/p')" || true
  if [ -z "$figure" ]; then
    echo "tests/e2e/bench.mjs $1 (threads: ${2:-all}) gave no figure; its last words:" >&2
    tail -n 5 "$log" >&2
  fi
  rm -f "$log"
  echo "$figure"
}
# $1 / $2 to two decimals, or "-" where either is missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'; }
# The median of the numbers on standard input, or "-" where there are none.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The core-to-core round trip tool (scripts/core_round_trip.rs, built with rustc into the build
# folder, outside cargo's graph): prints its path.
core_round_trip_bin() {
  local bin="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}/core-round-trip"
  mkdir -p "$(dirname "$bin")"
  rustc -O --edition 2021 -o "$bin" scripts/core_round_trip.rs || return 1
  echo "$bin"
}
# The round trip in whole ns, from the tool at $1.
round_trip_ns() { "$1" | sed -n 's/^core-to-core round trip: \([0-9]*\) ns$/\1/p'; }
# Where the cores sat over the round trips given after the tool at $1 (ns, taken around a
# measurement): near, far or mixed, as the tool decides it, or "-" where one is missing.
placement() { "$1" --placement "${@:2}"; }
