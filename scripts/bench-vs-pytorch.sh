#!/usr/bin/env bash
# Issue 19's side-by-side benchmark, in one sitting (not part of the test command; prints
# figures, asserts nothing). On the two-layer d = 20 autoencoder, batch 64, Adam, MSE, it runs
# ROUNDS rounds (default 5), each of, one after the other:
#   torch   PyTorch's CPU step loop (benches/torch_reference_step.py, threads = the cores)
#   native  the command's step loop on flex (benches/train_step.rs, criterion, flex only)
#   bare    the page's bare step in a browser worker (tests/browser_bench.rs, wasm-pack)
#   page    the page's own training in headless Chromium (tests/e2e/bench.mjs, CPU engine,
#           served cross-origin isolated: on every core)
# then prints each round's ratios to PyTorch and their medians. PARTS (default all four: "torch
# native bare page") picks which run, e.g. PARTS="torch page" when only the page's ratio is
# wanted and the native and wasm-pack benchmark builds are cold. The machine's speed drifts
# within minutes: only ratios of one round are compared. PyTorch comes from PyPI (pinned) into
# a virtual environment under the build folder; the first run installs it (about 2 min here;
# 5.3 GB with the CUDA libraries that PyPI's wheel brings).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-5}"
PARTS=" ${PARTS:-torch native bare page} "
runs() { [[ "$PARTS" == *" $1 "* ]]; }
if ! runs torch; then
  echo "PARTS must include torch: every figure is compared with PyTorch's of its round" >&2
  exit 2
fi
TORCH_VERSION="2.15.0"
scripts/install-tools.sh test >/dev/null
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
venv="$CARGO_TARGET_DIR/bench-venv"
if ! "$venv/bin/python" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$TORCH_VERSION')" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "torch==$TORCH_VERSION"
fi
cores="$(nproc)"
echo "machine: $cores cores; $("$venv/bin/python" -c 'import torch; print("torch", torch.__version__)')"

echo "parts:$PARTS; building what they need"
if runs native; then cargo bench --bench train_step --no-run >/dev/null 2>&1; fi
if runs page; then trunk build --release >/dev/null 2>&1; fi

torch_step() {
  "$venv/bin/python" benches/torch_reference_step.py --device cpu --threads "$cores" 2>/dev/null \
    | sed -n 's/^torch cpu .*: \([0-9]*\) images\/s$/\1/p'
}
native_step() {
  # criterion's throughput line: "thrpt:  [low mid high] Kelem/s" (elements = images).
  TRAIN_STEP_BACKENDS=flex cargo bench --bench train_step -- flex --warm-up-time 2 --measurement-time 8 2>/dev/null \
    | sed -n 's/.*thrpt: *\[[^ ]* [^ ]* \([0-9.]*\) \([KM]*\)elem\/s.*/\1 \2/p' | head -1 \
    | awk '{ m = ($2 == "K") ? 1e3 : (($2 == "M") ? 1e6 : 1); printf "%.0f\n", $1 * m }'
}
bare_step() {
  wasm-pack test --headless --chrome --release -- --test browser_bench --no-default-features -- --nocapture 2>&1 \
    | sed -n 's/.*BENCH bare Trainer::step:.*median \([0-9]*\) images\/s.*/\1/p' | head -1
}
# page_training, ratio, median.
. scripts/bench-figures.sh

declare -a r_native r_bare r_page
printf '%-6s %9s %9s %9s %9s | %7s %7s %7s\n' round torch native bare page native/t bare/t page/t
for round in $(seq 1 "$ROUNDS"); do
  t="$(torch_step)"; n=""; b=""; p=""
  if runs native; then n="$(native_step)"; fi
  if runs bare; then b="$(bare_step)"; fi
  if runs page; then p="$(page_training dist)"; p="${p%% *}"; fi
  rn="$(ratio "$n" "$t")"; rb="$(ratio "$b" "$t")"; rp="$(ratio "$p" "$t")"
  r_native+=("$rn"); r_bare+=("$rb"); r_page+=("$rp")
  printf '%-6s %9s %9s %9s %9s | %7s %7s %7s\n' "$round" "$t" "${n:--}" "${b:--}" "${p:--}" "$rn" "$rb" "$rp"
done
echo "median ratio to PyTorch (images/s over PyTorch's, same round):" \
  "native $(printf '%s\n' "${r_native[@]}" | grep -v '^-$' | median)," \
  "bare step in the browser $(printf '%s\n' "${r_bare[@]}" | grep -v '^-$' | median)," \
  "the page's training $(printf '%s\n' "${r_page[@]}" | grep -v '^-$' | median)"
