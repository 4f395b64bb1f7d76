#!/usr/bin/env bash
# Vendor KaTeX from the npm registry into the web app's static folder (run once per upgrade; the
# result is committed, so neither a build nor a page view needs the network).
# Usage: scripts/vendor_katex.sh [version]
set -euo pipefail
version="${1:-0.19.1}"
dest="$(cd "$(dirname "$0")/.." && pwd)/flows/web/static/katex"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "katex@${version}" >/dev/null && tar xzf "katex-${version}.tgz")
rm -rf "$dest" && mkdir -p "$dest/fonts"
cp "$work/package/dist/katex.min.js" "$work/package/dist/katex.min.css" \
   "$work/package/dist/contrib/auto-render.min.js" "$work/package/LICENSE" "$dest/"
cp "$work/package/dist/fonts/"* "$dest/fonts/"
printf 'KaTeX %s, from the npm registry (npm pack katex@%s): dist/katex.min.{js,css},\ndist/contrib/auto-render.min.js, dist/fonts/*, LICENSE (MIT). Refresh with scripts/vendor_katex.sh.\n' \
   "$version" "$version" > "$dest/VERSION"
echo "vendored KaTeX $version into $dest"
