# The nightly toolchain that builds the CPU engine on WebAssembly threads (issue 19): rebuilding
# the standard library with atomics (`-Z build-std`) needs nightly. Pinned to the image's own
# nightly; sourced by scripts/install-tools.sh and scripts/build-threaded-engine.sh.
NIGHTLY_DATE=2026-05-19

# Prints the installed toolchain that is this nightly: `nightly-<date>` if rustup has it by that
# name, else `nightly` when it is the same build (the image's). Fails if neither is.
nightly_toolchain() {
  local t
  for t in "nightly-$NIGHTLY_DATE" nightly; do
    if rustup toolchain list | grep -q "^$t-" &&
      rustc "+$t" --version 2>/dev/null | grep -q "$NIGHTLY_DATE"; then
      echo "$t"
      return 0
    fi
  done
  return 1
}

# The compiler flags of WebAssembly threads. rustc does not make the memory shared by itself for
# wasm32-unknown-unknown with +atomics (measured: without these link arguments the memory came
# out unshared and wasm-bindgen wrote single-threaded glue); wasm-bindgen's thread support needs
# the memory imported and the TLS symbols exported.
threads_rustflags() {
  local flags="-C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128" arg
  for arg in --shared-memory --import-memory --max-memory=4294967296 --export=__wasm_init_tls \
    --export=__tls_size --export=__tls_align --export=__tls_base; do
    flags="$flags -C link-arg=$arg"
  done
  echo "$flags"
}

# The same with relaxed SIMD (fused multiply-adds in gemm): the threaded engine's second build
# and the CPU browser tests, which must build alike to share a build folder.
relaxed_threads_rustflags() {
  echo "$(threads_rustflags) -C target-feature=+relaxed-simd"
}
