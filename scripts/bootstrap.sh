#!/usr/bin/env bash
# Create .venv and install heatplan (and, with --test, the test tools) — idempotent.
# Re-installs only when pyproject.toml or the lock (constraints-py3XY.txt) changed since the last
# successful install.
set -euo pipefail
cd "$(dirname "$0")/.."
extras=""
[ "${1:-}" = "--test" ] && extras="[test,xwp,national]"
PY=${HEATPLAN_PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  echo "heatplan: creating virtual environment .venv ($("$PY" --version))" >&2
  "$PY" -m venv .venv
fi
stamp=".venv/.installed${extras:+-test}"
# The exact versions that passed CI (a lock file): constraints-py3XY.txt for this Python where the
# project has one, else CI's 3.11 set, which has wheels for 3.12 and 3.13 too (uv.lock resolves
# the same versions for all three; tests/test_packaging.py).
pyver=$(.venv/bin/python -c 'import sys; print("%d%d" % sys.version_info[:2])')
lock="constraints-py${pyver}.txt"
[ -f "$lock" ] || lock="constraints-py311.txt"
pin=()
[ -f "$lock" ] && pin=(-c "$lock")

# The tests validate the XWärmeplan export with the XLeitstelle's xplan-tools, which needs the
# GDAL Python bindings: built against Debian's libgdal (~1 min once).
gdal_bindings() {
  if ! dpkg -s libgdal-dev >/dev/null 2>&1; then
    echo "heatplan: installing libgdal-dev (apt) for the XWärmeplan validation" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgdal-dev g++ >&2
  fi
  if ! .venv/bin/python -c "import osgeo" >/dev/null 2>&1; then
    .venv/bin/python -m pip install -q "${pin[@]}" setuptools wheel "numpy>=2.0,<2.5" >&2
    .venv/bin/python -m pip install -q "${pin[@]}" --no-build-isolation "gdal==3.6.4" >&2
  fi
}
# The tests run against a real PostgreSQL/PostGIS on loopback, drive Debian's headless
# chromium (never `playwright install`: no download at run time) and open the exported
# GeoPackage's QGIS project in Debian's QGIS (python3-qgis, system Python; ~1 GB, once).
test_services() {
  local missing=""
  dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1 || missing="$missing postgresql-15-postgis-3"
  dpkg -s chromium >/dev/null 2>&1 || missing="$missing chromium"
  dpkg -s poppler-utils >/dev/null 2>&1 || missing="$missing poppler-utils"
  if [ -n "$missing" ]; then
    echo "heatplan: installing$missing (apt) for the database, browser and PDF tests" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2
  fi
  # without recommends: qgis recommends the GRASS plugin (and GRASS), which no test needs
  if ! dpkg -s qgis python3-qgis >/dev/null 2>&1; then
    echo "heatplan: installing qgis python3-qgis (apt) for the QGIS render test" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends qgis python3-qgis >&2
  fi
}
[ -n "$extras" ] && test_services
want=$(cat pyproject.toml "${pin[@]:1}" | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "heatplan: installing packages into .venv (first run: about a minute)" >&2
  .venv/bin/python -m pip install -q --upgrade pip >&2
  if [ -n "$extras" ]; then gdal_bindings; fi
  .venv/bin/python -m pip install -q "${pin[@]}" -e ".${extras}" >&2
  echo "$want" > "$stamp"
fi
# The web map's front end: MapLibre GL from the npm registry, bundled (no CDN at run time).
if command -v npm >/dev/null 2>&1; then
  bash scripts/build_frontend.sh
else
  echo "heatplan: npm not found; the web map (heatplan serve) needs scripts/build_frontend.sh" >&2
fi
