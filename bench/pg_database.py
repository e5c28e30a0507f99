"""A benchmark's own PostgreSQL database on 127.0.0.1 (the roles scripts/services.sh makes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def ensure_database(name: str, skip_migrate: bool) -> None:
    """Create `name` owned by sanoweb_owner if it is missing, then migrate it (the settings'
    DATABASE_URL must name it); an existing one is left unmigrated with `skip_migrate`."""
    with psycopg.connect(host="127.0.0.1", port=5432, user="sanoweb_owner", dbname="postgres",
                         autocommit=True) as pg:
        exists = pg.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            [name]).fetchone()
        if not exists:
            pg.execute(f"CREATE DATABASE {name} OWNER sanoweb_owner")
    if not (exists and skip_migrate):
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT,
                       check=True)
