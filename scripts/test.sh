#!/usr/bin/env bash
# One command for the whole test suite: install, lint (ruff), type-check (mypy), pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --test
echo "== ruff" && .venv/bin/ruff check src tests benchmarks scripts
echo "== ruff format --check" && .venv/bin/ruff format --check src tests benchmarks scripts
echo "== mypy" && .venv/bin/mypy
echo "== pytest"
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi
exit "$rc"
