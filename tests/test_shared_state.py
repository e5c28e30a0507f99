"""The state web, worker and engine launcher share: the same behaviour on Redis and on the
embedded default's file, and the file backend never needs a Redis."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from tenants import shared_state


@pytest.fixture(params=["redis", "file"])
def state(request, tmp_path) -> shared_state.SharedState:
    if request.param == "redis":
        redis.Redis.from_url(settings.REDIS_URL).flushdb()
        return shared_state.RedisState(settings.REDIS_URL)
    return shared_state.FileState(tmp_path / "shared")


def test_scored_sets_keep_the_least_recently_used_first(state):
    state.add("loaded", "engine:b", 2.0)
    state.add("loaded", "engine:a", 1.0)
    state.add("loaded", "engine:c", 3.0)
    state.add("loaded", "engine:a", 4.0)  # touched again: now the newest
    assert state.members("loaded") == ["engine:b", "engine:c", "engine:a"]
    assert state.score("loaded", "engine:a") == 4.0
    state.remove("loaded", "engine:b")
    assert state.score("loaded", "engine:b") is None
    assert state.members("loaded") == ["engine:c", "engine:a"]


def test_counters_add_up(state):
    state.incr("metrics", "loads")
    state.incr("metrics", "loads", 2)
    state.incr("metrics", "hits")
    assert state.counters("metrics") == {"loads": 3, "hits": 1}


def test_find_and_delete_reach_every_entry_naming_a_tenant(state):
    state.add("loaded", "http://e:t0a1b2-aaaa", 1.0)
    state.add("loaded", "http://e:tffff-bbbb", 1.0)
    state.incr("metrics:t0a1b2", "loads")
    assert sorted(state.find("t0a1b2")) == ["http://e:t0a1b2-aaaa", "metrics:t0a1b2"]
    assert state.delete_matching("t0a1b2") >= 2
    assert state.find("t0a1b2") == []
    assert state.members("loaded") == ["http://e:tffff-bbbb"]  # the other tenant's stays


def _hold_lock_in_child(state: shared_state.SharedState,
                        seconds: float) -> subprocess.Popen[bytes]:
    if isinstance(state, shared_state.FileState):
        make = f"shared_state.FileState(Path({str(state.root)!r}))"
    else:
        make = f"shared_state.RedisState({settings.REDIS_URL!r})"
    code = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        import django
        django.setup()
        from tenants import shared_state
        with {make}.lock("load:x", timeout=5):
            print("held", flush=True)
            time.sleep({seconds})
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             cwd=settings.BASE_DIR, env={**__import__("os").environ,
                                                         "DJANGO_SETTINGS_MODULE":
                                                         "sanoweb.settings_test"})
    assert child.stdout is not None and child.stdout.readline().strip() == b"held"
    return child


def test_a_lock_held_by_another_process_excludes_us_until_released(state):
    child = _hold_lock_in_child(state, 1.5)
    try:
        with pytest.raises(shared_state.LockTimeout), state.lock("load:x", timeout=0.3):
            pass
        started = time.monotonic()
        with state.lock("load:x", timeout=10):
            assert time.monotonic() - started > 0.5  # waited for the child's release
    finally:
        child.kill()
        child.wait()


def test_a_file_lock_dies_with_its_holder(tmp_path):
    state = shared_state.FileState(tmp_path / "shared")
    child = _hold_lock_in_child(state, 60)
    child.kill()  # SIGKILL: no finally runs; the kernel drops the flock
    child.wait()
    with state.lock("load:x", timeout=2):
        pass


def test_without_redis_url_the_backend_is_the_local_file(settings, tmp_path):
    settings.REDIS_URL = ""
    settings.VAR_DIR = tmp_path
    backend = shared_state.backend()
    assert isinstance(backend, shared_state.FileState)
    assert Path(backend.root).is_relative_to(tmp_path)
    backend.add("loaded", "x", 1.0)  # works with no Redis configured at all
    assert backend.members("loaded") == ["x"]
