#!/usr/bin/env bash
# Build the web map's front end (MapLibre GL JS from npm, bundled with esbuild) into
# src/heatplan/web/static/dist/ (git-ignored), with Swagger UI for /docs — idempotent; needs
# node and npm, no CDN.
# Rebuilds only when package-lock.json or the sources changed since the last build.
set -euo pipefail
cd "$(dirname "$0")/../src/heatplan/web/frontend"
dist=../static/dist
stamp="$dist/.built"
want=$(cat package-lock.json src/* | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$dist/main.js" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "heatplan: npm not found; install node.js + npm to build the web map (heatplan serve)" >&2
  exit 1
fi
echo "heatplan: building the web map front end (npm ci + esbuild)" >&2
# swagger-ui-dist pulls @scarf/scarf, whose install script reports downloads: switch it off.
export SCARF_ANALYTICS=false
npm ci --no-audit --no-fund --loglevel=error >&2
rm -rf "$dist" && mkdir -p "$dist"
node_modules/.bin/esbuild src/main.js --bundle --minify --sourcemap --format=esm \
  --target=es2020 --outdir="$dist" --log-level=warning >&2
# MapLibre's worker is a separate module file loaded at run time (setWorkerUrl in main.js).
cp node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs "$dist/"
cp node_modules/maplibre-gl/LICENSE.txt "$dist/maplibre-gl-LICENSE.txt"
# The API docs page (/docs) loads Swagger UI from here, not from a CDN.
mkdir -p "$dist/swagger"
for file in swagger-ui-bundle.js swagger-ui.css favicon-32x32.png LICENSE; do
  cp "node_modules/swagger-ui-dist/$file" "$dist/swagger/"
done
echo "$want" > "$stamp"
