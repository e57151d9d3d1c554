#!/usr/bin/env bash
# trunk's post_build hook, in order (trunk runs the hooks of one stage side by side, and the
# service worker must list the loader's file and the workers' loaders as they are served): the
# loader out of index.html, the workers' loaders in wasm-bindgen's current form, then sw.js.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/trunk-external-loader.sh"
bash "$here/trunk-worker-loaders.sh"
bash "$here/trunk-service-worker.sh"
