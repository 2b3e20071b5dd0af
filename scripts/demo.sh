#!/usr/bin/env bash
# One command for a new user: install heatplan and build the demo plan (Schutterwald).
# Extra arguments go to `heatplan demo` (e.g. --case melaten, --out DIR, --json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/heatplan demo "$@"
