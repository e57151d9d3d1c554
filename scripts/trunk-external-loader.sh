#!/usr/bin/env bash
# trunk post_build hook: moves the page's module loader, which trunk writes inline into
# index.html, into a file of its own (boot-<hash>.js), so the Content-Security-Policy can
# forbid inline scripts altogether (script-src 'self'). Uses only bash, awk and sha256sum.
set -euo pipefail
html="$TRUNK_STAGING_DIR/index.html"
public_url="${TRUNK_PUBLIC_URL:-/}"
boot="$(mktemp)"
trap 'rm -f "$boot"' EXIT
# The loader is the one `<script type="module">` block trunk writes, on lines of its own.
awk '/<script type="module">/ { inside = 1; next } inside && /<\/script>/ { exit } inside { print }' \
  "$html" > "$boot"
if [ ! -s "$boot" ]; then
  echo "trunk-external-loader.sh: no inline module loader in $html (did trunk change its output?)" >&2
  exit 1
fi
name="boot-$(sha256sum "$boot" | cut -c1-16).js"
# Readable by all like trunk's own files (mktemp made it 600: a static host's server, running as
# another user, would refuse it).
install -m 644 "$boot" "$TRUNK_STAGING_DIR/$name"
awk -v tag="<script type=\"module\" src=\"${public_url}${name}\"></script>" '
  /<script type="module">/ { print tag; skipping = 1; next }
  skipping && /<\/script>/ { skipping = 0; next }
  !skipping { print }' "$html" > "$html.new"
mv "$html.new" "$html"
if grep -q '<script>\|<script type="module">' "$html"; then
  echo "trunk-external-loader.sh: an inline script is left in $html" >&2
  exit 1
fi
