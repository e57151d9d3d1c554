#!/usr/bin/env bash
# Runs every test of Latent Lab. Installs what is missing first (pinned versions):
#   - rustup target wasm32-unknown-unknown (the library must build for the browser)
#   - Debian's mesa-vulkan-drivers + libvulkan1 (lavapipe: a software Vulkan adapter, so the
#     wgpu backend is tested natively without a GPU)
# Then: cargo fmt --check, cargo clippy (native and wasm32), the wasm32 build of the library,
# and cargo test --release (one optimised build shared by the tests and the CLI).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
SECONDS=0

step "toolchain"
rustc --version
cargo --version
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

if ! ldconfig -p | grep -q 'libvulkan.so.1' || ! ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1; then
  step "installing Mesa's lavapipe (software Vulkan) for the wgpu tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    mesa-vulkan-drivers libvulkan1 >/dev/null
fi
export LATENT_LAB_REQUIRE_WGPU=1
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
# On a software adapter, burn's default kernel autotuning costs minutes; its minimal level
# still exercises every kernel the tests use.
export CUBECL_AUTOTUNE_LEVEL="${CUBECL_AUTOTUNE_LEVEL:-minimal}"
# One build folder for every checkout on this machine: a fresh clone reuses the ~45 min
# optimised build of burn instead of redoing it (cargo's fingerprints keep it correct).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/latent-lab/target}"
echo "build folder: $CARGO_TARGET_DIR"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (native)"
cargo clippy --release --all-targets -- -D warnings

step "cargo build --lib --target wasm32-unknown-unknown"
cargo build --lib --target wasm32-unknown-unknown --profile wasm-check

step "cargo test --release"
cargo test --release

echo "all checks passed in ${SECONDS}s"
