#!/usr/bin/env bash
# Gives every file of each vendored crate (vendor/<crate>/) the time of the last commit that
# changed that crate, so that a fresh clone reuses the shared build folder's builds of them.
#   usage: scripts/pin-vendor-mtimes.sh        (scripts/test.sh runs it when CI=true)
#
# Why: cargo decides whether a path crate must be rebuilt by comparing its files' times with
# the time of its last build. A clone writes every file anew, so each CI run rebuilt the
# vendored crates and everything above them (burn-flex, burn-cubecl, burn and so on) in each
# of the suite's builds, which alone nearly filled CI's 90 minutes. Registry crates do not have
# this problem: cargo takes them as never changing.
#
# Only for a fresh clone (CI), not a developer's checkout: there a vendored file edited, built
# and then reverted would get back a time older than that build, and cargo would keep the
# edited build. A crate with uncommitted changes keeps its times.
set -euo pipefail
cd "$(dirname "$0")/.."

for dir in vendor/*/; do
  crate="${dir%/}"
  if [ -n "$(git status --porcelain -- "$crate")" ]; then
    echo "pin-vendor-mtimes: $crate has uncommitted changes; its times are left as they are"
    continue
  fi
  stamp="$(git log -1 --format=%ct -- "$crate")"
  [ -n "$stamp" ] || continue
  git ls-files -z -- "$crate" | xargs -0 touch -m -d "@$stamp"
  echo "pin-vendor-mtimes: $crate at $(date -u -d "@$stamp" '+%Y-%m-%d %H:%M:%S') UTC"
done
