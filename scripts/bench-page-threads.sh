#!/usr/bin/env bash
# How the page's training scales with threads (issue 19, part 2; not part of the test command:
# prints figures, asserts nothing). One build: the page's own training in headless Chromium
# (tests/e2e/bench.mjs: two-layer d = 20, batch 64, the CPU engine, served cross-origin
# isolated) with `?threads=1` and with every thread the browser reports, in ROUNDS rounds
# (default 5) whose order alternates, so the machine's drift within minutes falls on both.
# Each round also times what the machine gives independent engines: as many single-threaded
# pages as it has cores, training at once, each in a browser of its own (their sum over the one
# page alone: the "ceiling", which the browser's own threads and the cores' shared caches keep
# under the core count). Prints each round's images/s, the pool's ratio and the ceiling, then
# their medians and the pool's share of the ceiling. The core-to-core round trip
# (scripts/core_round_trip.rs) is timed before and after each round's run on every thread: where
# the machine's cores sometimes share a cache and sometimes do not (docs/performance.md, the AMD
# host), the pool follows it, so the medians are also given for near and far rounds apart.
# Each round also times as many copies of the model as the machine has cores, each on its part
# of the batch and a thread of its own (`?copies=N`, data-parallel training), against the pool.
#   usage: scripts/bench-page-threads.sh [dist-folder]   (no folder: builds dist/ with trunk)
#   RELAXED_SIMD=off times the plain threaded build (see tests/e2e/bench.mjs);
#   CEILING=0 leaves out the independent pages; CEILING_PAGES=N runs N of them (default: the
#   machine's cores, `nproc`, which is what the page's "every thread" uses on Linux);
#   COPIES=0 leaves out the copies; COPIES=N trains N of them (default: `nproc`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-5}"
CEILING="${CEILING:-1}"
CEILING_PAGES="${CEILING_PAGES:-$(nproc)}"
COPIES="${COPIES:-$(nproc)}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"

. scripts/bench-figures.sh
dist="$(page_dist "${1:-}")"
round_trip="$(core_round_trip_bin)"

# The median ratio by placement of the "placement ratio" entries after $1 (which names whose
# rounds they are: "" or " of the copies").
placement_medians() {
  local whose="$1" where some
  shift
  for where in near far mixed; do
    some="$(printf '%s\n' "$@" | awk -v w="$where" '$1 == w && $2 != "-" { print $2 }')"
    if [ -n "$some" ]; then
      echo "  rounds$whose on $where cores ($(echo "$some" | wc -l) of $ROUNDS): median $(echo "$some" | median)"
    fi
  done
}

# One round's four figures, in an order that rotates by round.
declare -a ratios ceilings shares placed copy_ratios copies_placed
printf '%-6s %10s %10s %10s %14s | %6s %6s %8s %6s | %15s %9s\n' round "1 thread" "all" "${COPIES} copies" "${CEILING_PAGES} pages x 1" ratio copies ceiling share "round trip (ns)" placement
for round in $(seq 1 "$ROUNDS"); do
  one="" all="" copies="" pages=""
  case $(( (round - 1) % 4 )) in
    0) order="one all copies pages" ;;
    1) order="all copies pages one" ;;
    2) order="copies pages one all" ;;
    *) order="pages one all copies" ;;
  esac
  for what in $order; do
    case $what in
      one) one="$(page_training "$dist" 1)" ;;
      all)
        before="$(round_trip_ns "$round_trip")"
        all="$(page_training "$dist" all)"
        after="$(round_trip_ns "$round_trip")"
        ;;
      copies)
        if [ "$COPIES" != 0 ]; then
          copies_before="$(round_trip_ns "$round_trip")"
          copies="$(page_training "$dist" "" 1 "$COPIES")"
          copies_after="$(round_trip_ns "$round_trip")"
        fi
        ;;
      pages) if [ "$CEILING" != 0 ]; then pages="$(page_training "$dist" 1 "$CEILING_PAGES")"; fi ;;
    esac
  done
  r="$(ratio "${all%% *}" "${one%% *}")"
  cr="$(ratio "${copies%% *}" "${one%% *}")"
  c="$(ratio "${pages%% *}" "${one%% *}")"
  sh="$(ratio "$r" "$c")"
  where="$(placement "$round_trip" "$before" "$after")"
  ratios+=("$r") ceilings+=("$c") shares+=("$sh") placed+=("$where $r")
  if [ "$COPIES" != 0 ]; then
    copy_ratios+=("$cr") copies_placed+=("$(placement "$round_trip" "$copies_before" "$copies_after") $cr")
  fi
  printf '%-6s %10s %10s %10s %14s | %6s %6s %8s %6s | %15s %9s\n' "$round" "${one%% *}" "${all%% *}" "${copies%% *}" "${pages%% *}" "$r" "$cr" "$c" "$sh" "$before / $after" "$where"
  if (( round == 1 )); then
    echo "  1 thread: ${one#* }"
    echo "  all: ${all#* }"
    if [ "$COPIES" != 0 ]; then echo "  copies: ${copies#* }"; fi
  fi
done
echo "median ratio, every thread over one (same round): $(printf '%s\n' "${ratios[@]}" | grep -v '^-$' | median)"
placement_medians "" "${placed[@]}"
echo "  (near: the round trip under 200 ns before and after the run on every thread; far: at or over it both times; mixed: the cores moved)"
if [ "$COPIES" != 0 ]; then
  echo "median ratio, ${COPIES} copies over one thread (same round): $(printf '%s\n' "${copy_ratios[@]}" | grep -v '^-$' | median)"
  placement_medians " of the copies" "${copies_placed[@]}"
fi
if [ "$CEILING" != 0 ]; then
  echo "median ceiling, ${CEILING_PAGES} single-threaded pages at once over one (same round): $(printf '%s\n' "${ceilings[@]}" | grep -v '^-$' | median)"
  echo "median share of the ceiling the pool reaches (same round): $(printf '%s\n' "${shares[@]}" | grep -v '^-$' | median)"
fi
