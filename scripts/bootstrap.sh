#!/usr/bin/env bash
# Create .venv and install heatplan (and, with --test, the test tools) — idempotent.
# Re-installs only when pyproject.toml changed since the last successful install.
set -euo pipefail
cd "$(dirname "$0")/.."
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"
PY=${HEATPLAN_PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  echo "heatplan: creating virtual environment .venv ($("$PY" --version))" >&2
  "$PY" -m venv .venv
fi
stamp=".venv/.installed${extras:+-test}"
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "heatplan: installing packages into .venv (first run: about a minute)" >&2
  .venv/bin/python -m pip install -q --upgrade pip >&2
  .venv/bin/python -m pip install -q -e ".${extras}" >&2
  echo "$want" > "$stamp"
fi
