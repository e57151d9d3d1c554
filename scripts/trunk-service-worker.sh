#!/usr/bin/env bash
# trunk post_build hook: writes the service worker (src/web/service-worker.js) into the build
# as sw.js, with the list of every file of the build and a version that is a hash of all of
# them, so each build has a cache of its own. Uses only bash, find, sort, sed and sha256sum.
set -euo pipefail
dist="$TRUNK_STAGING_DIR"
cd "$dist"
files="$(find . -type f ! -name sw.js | sed 's|^\./||' | LC_ALL=C sort)"
version="$(printf '%s\n' "$files" | while read -r f; do sha256sum "$f"; done | sha256sum | cut -c1-16)"
list="$(printf '%s\n' "$files" | sed 's/.*/  "&",/')"
template="$OLDPWD/src/web/service-worker.js"
{
  sed -n '1,/^const FILES/{/^const FILES/!p}' "$template" | sed "s/__LATENT_LAB_VERSION__/$version/"
  printf 'const FILES = [\n%s\n];\n' "$list"
  sed -n '/^const FILES/,${/^const FILES/!p}' "$template"
} > sw.js
if grep -q '__LATENT_LAB_' sw.js; then
  echo "trunk-service-worker.sh: a marker is left in sw.js" >&2
  exit 1
fi
echo "trunk-service-worker.sh: sw.js caches $(printf '%s\n' "$files" | wc -l) files as version $version"
