#!/usr/bin/env bash
# Fetch, at set-up time, the one browser library the site would otherwise load from a CDN at read time:
# Mermaid (the architecture diagrams). Material for MkDocs skips its CDN fetch when `mermaid` is already loaded,
# so with this file the built site renders its diagrams offline and on air-gapped machines.
# The version and the tarball's SHA-512 are pinned here; the file lands in build/vendor/ (not committed) and the
# site hook copies it into the built site. Without npm the site still builds; diagrams then need the CDN.
set -euo pipefail
cd "$(dirname "$0")/.."

MERMAID_VERSION="11.17.2"   # Material 9.8 loads mermaid@11 from its CDN; this pins the same major version
MERMAID_SHA512="V6K3C8EBdEsPFZXSKMJe6ppQOENxuHARr9GvHX4hh47lAbhMRD9qf4oEK7LoaRQxULMa80/qt5gHO73aCleBBg=="  # base64, as npm's dist.integrity
dest=build/vendor/mermaid
if [ -f "$dest/mermaid.min.js" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$MERMAID_VERSION" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "vendor-site-assets: npm is not installed; the site's diagrams will load Mermaid from its CDN (install Node.js + npm and re-run scripts/setup.sh to render them offline)" >&2
  exit 0
fi
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "mermaid@$MERMAID_VERSION" --silent >/dev/null)
tarball="$tmp/mermaid-$MERMAID_VERSION.tgz"
got="$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$got" != "$MERMAID_SHA512" ]; then
  echo "vendor-site-assets: ERROR: mermaid-$MERMAID_VERSION.tgz has SHA-512 $got, expected $MERMAID_SHA512; not using it" >&2
  exit 1
fi
mkdir -p "$dest"
tar -xzf "$tarball" -C "$tmp" package/dist/mermaid.min.js package/LICENSE
cp "$tmp/package/dist/mermaid.min.js" "$dest/mermaid.min.js"
cp "$tmp/package/LICENSE" "$dest/LICENSE"
echo "$MERMAID_VERSION" > "$dest/VERSION"
echo "vendor-site-assets: mermaid $MERMAID_VERSION -> $dest/mermaid.min.js"
