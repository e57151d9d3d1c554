#!/usr/bin/env bash
# A newcomer's first command, checked from an empty cargo home (issue 15).
#   usage: scripts/check-fresh-serve.sh [limit in seconds, default 600]
# Clones this checkout's committed HEAD into a temporary folder and runs the serve script's
# build path there (`scripts/serve.sh --build-only`) with an empty CARGO_HOME and a build
# folder of its own, until cargo has compiled a crate for each of the page's four wasm
# builds: by then every crate Cargo.lock names was downloaded and resolved, with --offline as
# trunk runs cargo. Then it stops the build (finishing it takes about 20 minutes on 2 cores).
# Fails if the build path stops first or nothing compiles within the limit, and prints the log.
# The limit is a hang guard, not a speed test: on an idle 2-core machine all four builds
# compile within about 100 s, and a loaded one once needed more than 240.
set -euo pipefail
cd "$(dirname "$0")/.."
limit="${1:-600}"

work="$(mktemp -d)"
pid=""
cleanup() {
  # trunk runs its cargo builds as children: stop the whole process group, and let it go
  # before the folder it writes into is removed.
  if [ -n "$pid" ]; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for _ in $(seq 40); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT

git clone --quiet --no-hardlinks . "$work/repo"
mkdir -p "$work/cargo-home" "$work/target"
log="$work/serve.log"
# The three builds trunk runs (index.html): the page, the CPU engine, the WebGPU engine.
profiles=(web-release release web-gpu-release)

echo "clone of $(git rev-parse --short HEAD) in $work/repo; CARGO_HOME=$work/cargo-home (empty)"
(
  cd "$work/repo"
  export CARGO_HOME="$work/cargo-home" CARGO_TARGET_DIR="$work/target"
  exec setsid bash scripts/serve.sh --build-only
) >"$log" 2>&1 &
pid=$!

# And the threaded CPU engine, which trunk's build hook builds with nightly in a folder of its
# own (its standard library's crates come from crates.io the first time).
threads="$work/target-threads/wasm32-unknown-unknown/release/deps"
compiled() {
  local p
  for p in "${profiles[@]}"; do
    compgen -G "$work/target/wasm32-unknown-unknown/$p/deps/*.rlib" >/dev/null || return 1
  done
  compgen -G "$threads/*.rlib" >/dev/null
}
SECONDS=0
while [ "$SECONDS" -lt "$limit" ]; do
  if compiled; then
    echo "fresh-serve check: every crate resolved from an empty cargo home; all four wasm builds compiling after ${SECONDS}s:"
    grep -E '^(==>|serve\.sh)' "$log" || true
    for p in "${profiles[@]}"; do
      printf '  %-16s %s crates compiled so far\n' "$p" "$(compgen -G "$work/target/wasm32-unknown-unknown/$p/deps/*.rlib" | wc -l)"
    done
    printf '  %-16s %s crates compiled so far\n' "nightly-threads" "$(compgen -G "$threads/*.rlib" | wc -l)"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" && rc=0 || rc=$?
    pid=""
    echo "fresh-serve check FAILED: the serve script's build path ended (exit $rc) before all four builds compiled:" >&2
    tail -n 60 "$log" >&2
    exit 1
  fi
  sleep 2
done
echo "fresh-serve check FAILED: no crate compiled for every build within ${limit}s:" >&2
tail -n 60 "$log" >&2
exit 1
