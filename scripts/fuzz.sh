#!/usr/bin/env bash
# Fuzzes the two parsers of files a person hands the lab (cargo-fuzz, libFuzzer with
# AddressSanitizer): the IDX reader and the weight loader. Not part of the test command: it
# needs a nightly compiler and runs for a long time. Each target starts from a corpus of real
# files (small IDX files cut from the bundled test set, the smallest bundled weight files) and
# runs for RUNS executions (default 10 million).
#   usage: scripts/fuzz.sh [idx|weights|all] [RUNS]
# Installs cargo-fuzz 0.13.1 if missing; the nightly toolchain must be there (rustup
# toolchain install nightly). Crashes are written to fuzz/artifacts/<target>/.
# FUZZ_SANITIZER=none builds without AddressSanitizer (faster, and a separate build).
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-all}"
runs="${2:-10000000}"
CARGO_FUZZ_VERSION=0.13.1
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  (unset CARGO_TARGET_DIR; cargo install --locked "cargo-fuzz@$CARGO_FUZZ_VERSION")
fi
cargo +nightly --version
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/latent-lab/fuzz-target}"

seed() {
  local target="$1"
  # Cutting a few bytes off a stream closes its pipe early, which is expected here.
  set +o pipefail
  local corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  case "$target" in
    idx)
      # Small valid files (three images, three labels; raw and gzipped) cut from the bundled
      # test set: a whole MNIST file per execution would leave the fuzzer at 33 runs a second.
      local images="$corpus/three-images" labels="$corpus/three-labels"
      { printf '\x00\x00\x08\x03\x00\x00\x00\x03\x00\x00\x00\x1c\x00\x00\x00\x1c'
        gzip -dc public/data/t10k-images-idx3-ubyte.gz | tail -c +17 | head -c 2352
      } > "$images"
      { printf '\x00\x00\x08\x01\x00\x00\x00\x03'
        gzip -dc public/data/t10k-labels-idx1-ubyte.gz | tail -c +9 | head -c 3
      } > "$labels"
      gzip -c "$images" > "$images.gz"
      gzip -c "$labels" > "$labels.gz"
      ;;
    weights)
      # The two smallest bundled files (65 and 88 KB).
      cp public/weights/two-layer-d1.safetensors public/weights/classifier-frozen.safetensors "$corpus/"
      ;;
  esac
  set -o pipefail
}

run_target() {
  local target="$1"
  # Inputs up to a little more than the largest seed.
  local max_len=8192
  [ "$target" = weights ] && max_len=131072
  seed "$target"
  echo "==> fuzzing $target for $runs executions"
  local started=$SECONDS
  # FUZZ_SANITIZER=none trades AddressSanitizer for speed (several times more executions).
  (cd fuzz && cargo +nightly fuzz run -O -s "${FUZZ_SANITIZER:-address}" "$target" "corpus/$target" -- \
    -runs="$runs" -max_len="$max_len" -rss_limit_mb=4096 -print_final_stats=1)
  echo "==> $target: $runs executions in $((SECONDS - started)) s, no crash"
}

case "$which" in
  idx | weights) run_target "$which" ;;
  all) run_target idx; run_target weights ;;
  *) echo "usage: scripts/fuzz.sh [idx|weights|all] [RUNS]" >&2; exit 2 ;;
esac
