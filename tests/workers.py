"""A real Celery worker process on the real Redis broker, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

from . import tiers


def _env() -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sanoweb.settings_test",
        # the worker talks to the test database, as the runtime role, like the web process
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                        f"{db['PORT'] or 5432}/{db['NAME']}",
        "SANOWEB_VAR_DIR": str(settings.VAR_DIR),
        "REDIS_URL": settings.REDIS_URL,
        "VLLM_URL": settings.VLLM_URL,  # the engine this test set up, real or a stand-in
        "HF_HUB_OFFLINE": "1",
        "TRAINING_STALE_AFTER": "5",
    }


@contextmanager
def celery_worker(queues: str = "gpu,default") -> Iterator[subprocess.Popen[bytes]]:
    """Start `celery worker` (solo pool, so killing it kills the training too)."""
    tiers.require("worker", "a Celery worker")
    log = Path(settings.VAR_DIR) / f"worker-{time.time_ns()}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "sanoweb", "worker", "-Q", queues,
             "-P", "solo", "--loglevel", "INFO", "-n", f"test-{os.getpid()}@%h"],
            cwd=settings.BASE_DIR, env=_env(), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        deadline = time.monotonic() + 180  # a busy 2-core CI machine can take that long
        while b"ready." not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("worker did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.3)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def flush_broker() -> None:
    """Drop messages left by earlier tests (call before queueing anything)."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


def kill_hard(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
