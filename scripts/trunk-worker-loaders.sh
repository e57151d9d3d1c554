#!/usr/bin/env bash
# trunk post_build hook: trunk's loader shims for the engine workers (`*_loader.js`) start
# wasm-bindgen's glue with a bare path, `wasm_bindgen("./x_bg.wasm")`, which wasm-bindgen 0.2.130
# still takes but warns about in every worker's console ("using deprecated parameters for the
# initialization function"). This rewrites each to the object form, `{ module_or_path }`, as the
# threaded engine's loader (scripts/build-threaded-engine.sh) and kernel_thread.js write it.
set -euo pipefail
shopt -s nullglob
loaders=("$TRUNK_STAGING_DIR"/*_loader.js)
if [ "${#loaders[@]}" -eq 0 ]; then
  echo "trunk-worker-loaders.sh: no *_loader.js in $TRUNK_STAGING_DIR (did trunk change its output?)" >&2
  exit 1
fi
for loader in "${loaders[@]}"; do
  sed -E -i 's/wasm_bindgen\("([^"]+)"\)/wasm_bindgen({ module_or_path: "\1" })/' "$loader"
  if ! grep -q 'wasm_bindgen({ module_or_path: "' "$loader"; then
    echo "trunk-worker-loaders.sh: $loader does not start its engine the expected way: $(head -c 200 "$loader")" >&2
    exit 1
  fi
done
