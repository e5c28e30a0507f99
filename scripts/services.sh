#!/usr/bin/env bash
# Start PostgreSQL and Redis on 127.0.0.1 if they are installed but down, and create the two
# database roles: sanoweb_owner owns the tables and migrates; sanoweb_app is the runtime role
# (NOSUPERUSER NOBYPASSRLS, owns nothing) so that row-level security applies to it.
set -euo pipefail

PGHOST=127.0.0.1
PGPORT=5432

wait_for() {  # wait_for NAME COMMAND...
  local name=$1; shift
  for _ in $(seq 1 30); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "services: $name did not come up" >&2; return 1
}

if ! pg_isready -h "$PGHOST" -p "$PGPORT" -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "services: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  else
    echo "services: PostgreSQL is not running and not installed here" >&2; exit 1
  fi
fi
wait_for PostgreSQL pg_isready -h "$PGHOST" -p "$PGPORT"

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null; then
    echo "services: starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
      --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  else
    echo "services: Redis is not running and not installed here" >&2; exit 1
  fi
fi
wait_for Redis redis-cli -h 127.0.0.1 -p 6379 ping

psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sanoweb_owner') THEN
    CREATE ROLE sanoweb_owner LOGIN CREATEDB NOSUPERUSER;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sanoweb_app') THEN
    CREATE ROLE sanoweb_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
-- lets the test session end stray connections of the runtime role before dropping its DB
GRANT pg_signal_backend TO sanoweb_owner;
SELECT 'CREATE DATABASE sanoweb OWNER sanoweb_owner'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'sanoweb') \gexec
SQL
echo "services: PostgreSQL and Redis ready"
