#!/usr/bin/env bash
# Run the whole suite, slow end-to-end tests included. Used by `make test` and `.ci/run`.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
.venv/bin/ruff check .
# Types: strict on all the project's code (the settings and the tests' relaxations are in
# pyproject.toml [tool.mypy]); about 100 s cold, seconds with its cache.
.venv/bin/mypy --strict --cache-dir .mypy_cache .
.venv/bin/python -m pytest "$@"
