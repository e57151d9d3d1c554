#!/usr/bin/env bash
# The machine's core-to-core round trip (scripts/core_round_trip.rs), ROUNDS times (default 5)
# a second apart (not part of the test command; prints figures, asserts nothing). Needs 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"
. scripts/bench-figures.sh
bin="$(core_round_trip_bin)"
for _ in $(seq 1 "${ROUNDS:-5}"); do
  echo "$(date -u +%T) $("$bin")"
  sleep 1
done
