#!/usr/bin/env bash
# Builds here what `scripts/gpu-bench.sh OUT issue19` runs on a lent GPU machine, which has no
# Rust toolchain and reaches no registry (not part of either README command):
#   .devbin/train_step.xz      the criterion step bench, default features (wgpu with fusion and
#                              autotune, flex, ndarray), stripped
#   .devbin/thread_scaling.xz  examples/thread_scaling.rs (the pool against copies of the model)
#   .gl/*.deb                  Vulkan's loader with glvnd (without glvnd the NVIDIA driver's
#                              Vulkan library does not load and wgpu finds no adapter)
# Both folders are ignored by git; the device tool takes them along when a call names them:
#   run(carry: [".devbin", ".gl"], command: "bash scripts/gpu-bench.sh $OUT issue19")
# The binaries find data/mnist through the path they were built in (gpu-bench.sh links it).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"
mkdir -p .devbin .gl

pack() { # BINARY NAME
  strip -o ".devbin/$2" "$1"
  xz -T0 -6 -f ".devbin/$2"
  echo "$2: $(du -h ".devbin/$2.xz" | cut -f1) compressed"
}

bench=$(cargo bench --bench train_step --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "train_step" and m.get("executable"):
        print(m["executable"])')
pack "$bench" train_step
cargo build --quiet --release --example thread_scaling
pack "$CARGO_TARGET_DIR/release/examples/thread_scaling" thread_scaling

# Debian's amd64 packages, whatever this machine's architecture; lists kept out of the system's.
lists=$(mktemp -d)
mkdir -p "$lists/partial"
apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
apt-get "${apt_opts[@]}" update -qq
(cd .gl && rm -f ./*.deb &&
  apt-get "${apt_opts[@]}" download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
rm -rf "$lists"
ls .gl
du -sh .devbin .gl
