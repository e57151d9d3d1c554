#!/bin/bash
# Issue 2's GPU figures (docs/performance.md, "On a real GPU"), as they were run on a lent
# machine with an NVIDIA GPU and no Rust toolchain: build here, carry the stripped binaries.
#   here:  cargo bench --bench train_step --no-run    # and: cargo build --release --bin latent-lab
#          copy both binaries, stripped and xz-compressed, to .devbin/, with Vulkan's loader
#          (libvulkan1 from Debian) as .deb files in .gl/
#   there: bash scripts/gpu-bench.sh OUT_DIR
set -u
out=${1:?usage: scripts/gpu-bench.sh OUT_DIR}
mkdir -p "$out"
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f $icd ] && export VK_DRIVER_FILES=$icd
# The bench finds data/mnist through the path it was built in.
mkdir -p /work && { [ -e /work/main ] || ln -s "$PWD" /work/main; }
mkdir -p /tmp/b && xz -dc .devbin/latent-lab.xz >/tmp/b/latent-lab && xz -dc .devbin/train_step.xz >/tmp/b/train_step
chmod +x /tmp/b/*
export CARGO_TARGET_DIR=/tmp/tgt
timeout 60 python3 benches/torch_reference_step.py 2>&1 | tee "$out/torch.log"
timeout 240 /tmp/b/train_step --bench --noplot --warm-up-time 5 --measurement-time 10 2>&1 | tee "$out/bench.log"
timeout 270 /tmp/b/latent-lab seeds --architecture two-layer --latent-dim 20 --seeds 3 --epochs 10 \
    --backend wgpu --out "$out/seeds" 2>&1 | tee "$out/seeds.log"
