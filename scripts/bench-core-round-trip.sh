#!/usr/bin/env bash
# The machine's core-to-core round trip (scripts/core_round_trip.rs), ROUNDS times (default 5)
# a second apart (not part of the test command; prints figures, asserts nothing). Needs 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"
bin="$CARGO_TARGET_DIR/core-round-trip"
mkdir -p "$CARGO_TARGET_DIR"
rustc -O --edition 2021 -o "$bin" scripts/core_round_trip.rs
for _ in $(seq 1 "${ROUNDS:-5}"); do
  echo "$(date -u +%T) $("$bin")"
  sleep 1
done
