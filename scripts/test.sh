#!/usr/bin/env bash
# Run the whole suite, slow end-to-end tests included. Used by `make test` and `.ci/run`.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
