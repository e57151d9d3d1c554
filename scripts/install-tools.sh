#!/usr/bin/env bash
# Installs the pinned tools Latent Lab needs, skipping each one already present at the right
# version. Only package registries are used (crates.io, Debian, npm); nothing else is fetched.
#   usage: scripts/install-tools.sh [serve|test]
#   serve: rust's wasm32 target, the nightly of scripts/nightly.sh with rust-src (the CPU engine
#          on WebAssembly threads), trunk 0.22.1, wasm-bindgen-cli 0.2.130
#   test:  the above, plus wasm-pack 0.15.1, Debian's chromium + chromium-driver and
#          mesa-vulkan-drivers + libvulkan1 (software Vulkan for native wgpu tests), and the
#          npm packages of tests/e2e (playwright-core and axe-core, pinned in its package-lock.json)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-test}"

TRUNK_VERSION=0.22.1
WASM_BINDGEN_VERSION=0.2.130 # must equal Cargo.lock's wasm-bindgen
WASM_PACK_VERSION=0.15.1

say() { printf '\n==> %s\n' "$*"; }
has_version() { command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q "$2"; }
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
apt_install() {
  say "apt-get install $*"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
# `cargo install` builds in its own temporary folder, not in the project's build cache.
cargo_install() { (unset CARGO_TARGET_DIR; cargo install "$@"); }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

# The pinned nightly (the machine's own where it is that build) and its standard library's
# sources, which `-Z build-std` compiles with atomics.
. scripts/nightly.sh
if ! nightly="$(nightly_toolchain)"; then
  say "rustup toolchain install nightly-$NIGHTLY_DATE (the CPU engine on WebAssembly threads)"
  rustup toolchain install "nightly-$NIGHTLY_DATE" --profile minimal --component rust-src
  nightly="nightly-$NIGHTLY_DATE"
fi
if ! rustup component list --toolchain "$nightly" --installed | grep -q '^rust-src'; then
  say "rustup component add rust-src --toolchain $nightly"
  rustup component add rust-src --toolchain "$nightly"
fi

if ! has_version trunk "$TRUNK_VERSION"; then
  say "cargo install trunk $TRUNK_VERSION (about 7 min on 2 cores)"
  # trunk 0.22.x declares rust 1.96 but builds and runs on 1.95.
  cargo_install --locked "trunk@$TRUNK_VERSION" --ignore-rust-version
fi
if ! has_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 min)"
  # Not --locked: its lock file pins a crate version that the registry no longer has.
  cargo_install "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
fi

[ "$what" = serve ] && exit 0

if ! has_version wasm-pack "$WASM_PACK_VERSION"; then
  say "cargo install wasm-pack $WASM_PACK_VERSION (about 2 min)"
  cargo_install --locked "wasm-pack@$WASM_PACK_VERSION"
fi
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
ldconfig -p | grep -q 'libvulkan.so.1' || missing+=(libvulkan1)
ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 || missing+=(mesa-vulkan-drivers)
if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi
if [ -f tests/e2e/package-lock.json ]; then
  if [ ! -d tests/e2e/node_modules/playwright-core ] || [ ! -d tests/e2e/node_modules/axe-core ]; then
    say "npm ci (tests/e2e: playwright-core, drives Debian's chromium, no browser download; axe-core)"
    (cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
fi
