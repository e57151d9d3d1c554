#!/bin/bash
# The GPU figures of docs/performance.md ("On a real GPU"), as they are run on a lent machine
# with an NVIDIA GPU and no Rust toolchain: build here, carry the stripped binaries.
#   here:  cargo bench --bench train_step --no-run                     # wgpu, WGSL, autotune
#          cargo bench --bench train_step --no-run --features vulkan   # wgpu, SPIR-V, autotune
#          cargo bench --bench train_step --no-run --no-default-features --features gpu
#                                                             # wgpu, WGSL, no autotune
#          strip them and xz them into .devbin/ as train_step.xz, train_step_spirv.xz and
#          train_step_untuned.xz, and put Vulkan's loader with glvnd in .gl/ as Debian .deb files
#          (libvulkan1 libglvnd0 libglx0 libgl1 libegl1 libopengl0 libgles2: with the loader
#          alone, the NVIDIA driver's Vulkan library does not load and wgpu finds no adapter)
#   or, for issue19: bash scripts/gpu-prepare.sh (train_step, thread_scaling and .gl/)
#   there: bash scripts/gpu-bench.sh OUT_DIR issue19     # with train_step and thread_scaling
#          bash scripts/gpu-bench.sh OUT_DIR compilers   # with train_step and train_step_spirv
#          bash scripts/gpu-bench.sh OUT_DIR autotune    # with train_step and train_step_untuned
# (two calls: the device tool carries at most 64 MiB, two binaries beside the repository).
# "compilers" times, in one sitting: PyTorch's CUDA step (benches/torch_reference_step.py) at
# batch 64 and 256, wgpu's step with each shader compiler at both batches and with more tasks
# per submission, then PyTorch again (the GPU's clocks drift). "autotune" times wgpu with and
# without kernel autotuning, flex on 1, 2 and all cores, PyTorch's CUDA step and PyTorch's CPU
# step on all cores. Prints figures only.
set -u
out=${1:?usage: scripts/gpu-bench.sh OUT_DIR issue19|compilers|autotune}
part=${2:-compilers}
mkdir -p "$out"
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f $icd ] && export VK_DRIVER_FILES=$icd
nvidia-smi -L
# The bench finds data/mnist through the path it was built in.
mkdir -p /work && { [ -e /work/main ] || ln -s "$PWD" /work/main; }
mkdir -p /tmp/b
for f in .devbin/*.xz; do xz -dc "$f" >/tmp/b/"$(basename "$f" .xz)"; done
chmod +x /tmp/b/*
export CARGO_TARGET_DIR=/tmp/tgt PYTHONUNBUFFERED=1
cores=$(nproc)
torch_cuda() {
  for batch in 64 256; do
    timeout 60 python3 benches/torch_reference_step.py --device cuda --batch $batch --steps 500 | tail -1
  done
}
bench() { # NAME BINARY BACKEND BATCHES [criterion args]
  local name=$1 bin=$2 backend=$3 batches=$4
  shift 4
  echo "== $name"
  TRAIN_STEP_BACKENDS=$backend TRAIN_STEP_BATCHES=$batches timeout 200 /tmp/b/$bin --bench \
    --noplot --warm-up-time 3 --measurement-time 6 "$@" 2>&1 | grep -v "^$\|Warming\|Collecting\|Analyzing\|Found\|mild\|severe\|change:\|Performance\|No change" 
}
if [ "$part" = issue19 ]; then
  # Issue 19's open figures in one call (binaries from scripts/gpu-prepare.sh): the wgpu step
  # against PyTorch CUDA at batch 64 and 256, PyTorch CUDA before and after (clocks drift);
  # then flex on the machine's cores, the pool against copies of the model and one thread
  # (examples/thread_scaling.rs, in one process), at every core, 4 and 2 threads; and PyTorch's
  # CPU step on every core.
  {
    echo "== torch cuda (first)"; torch_cuda
    bench "wgpu, WGSL, autotune" train_step wgpu 64,256 wgpu
    echo "== torch cuda (last)"; torch_cuda
    for t in $cores 4 2; do
      echo "== thread_scaling: the pool of $t threads, $t copies, one thread"
      THREADS=$t timeout 100 /tmp/b/thread_scaling 4 100 2>&1 | grep -v "^ *(near\|round trips"
    done
    echo "== torch cpu, $cores threads"
    timeout 60 python3 benches/torch_reference_step.py --device cpu --threads $cores --steps 200 | tail -1
  } 2>&1 | tee "$out/gpu-bench-issue19.log"
elif [ "$part" = compilers ]; then
  {
    echo "== torch cuda (first)"; torch_cuda
    bench "wgpu, WGSL" train_step wgpu 64,256 wgpu
    bench "wgpu, SPIR-V" train_step_spirv wgpu 64,256 wgpu
    CUBECL_WGPU_MAX_TASKS=128 bench "wgpu, SPIR-V, 128 tasks per submission" train_step_spirv wgpu 64,256 wgpu
    echo "== torch cuda (last)"; torch_cuda
  } 2>&1 | tee "$out/gpu-bench-compilers.log"
else
  {
    bench "wgpu, WGSL, no autotune" train_step_untuned wgpu 64,256 wgpu
    bench "wgpu, WGSL, autotune" train_step wgpu 64,256 wgpu
    echo "== torch cuda"; torch_cuda
    for t in 1 2 $cores; do RAYON_NUM_THREADS=$t bench "flex, $t threads" train_step flex 64 flex; done
    echo "== torch cpu, $cores threads"
    timeout 60 python3 benches/torch_reference_step.py --device cpu --threads $cores --steps 200 | tail -1
  } 2>&1 | tee "$out/gpu-bench-autotune.log"
fi
