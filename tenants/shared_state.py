"""State the platform's processes share: Redis when REDIS_URL is set, a local file otherwise.

The web server, the Celery worker and `vllm_server` agree on which adapters the engine holds,
take one lock per adapter load and count loads and evictions. With Redis that state is shared
across hosts; on the embedded default (`make run`, nothing but Python) it lives in a JSON file
under VAR_DIR guarded by `flock`, which is correct for the processes of one host and nothing
more. Nothing here ever falls back to a Redis address nobody configured.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, cast

import redis
from django.conf import settings


class LockTimeout(RuntimeError):
    """Another process held the lock for longer than the caller would wait."""


class SharedState(Protocol):
    """Scored sets, counters and named locks; members and names are platform-generated."""

    description: str

    def score(self, name: str, member: str) -> float | None: ...
    def add(self, name: str, member: str, score: float) -> None: ...
    def remove(self, name: str, member: str) -> None: ...
    def members(self, name: str) -> list[str]: ...  # lowest score first
    def incr(self, name: str, field: str, amount: int = 1) -> None: ...
    def counters(self, name: str) -> dict[str, int]: ...
    def lock(self, name: str, timeout: float) -> contextlib.AbstractContextManager[None]: ...
    def find(self, fragment: str) -> list[str]: ...  # every key or member containing it
    def delete_matching(self, fragment: str) -> int: ...


class RedisState:
    """The production backend: several hosts share one Redis."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url)
        self.description = "Redis"

    def score(self, name: str, member: str) -> float | None:
        return self.client.zscore(name, member)

    def add(self, name: str, member: str, score: float) -> None:
        self.client.zadd(name, {member: score})

    def remove(self, name: str, member: str) -> None:
        self.client.zrem(name, member)

    def _zrange(self, name: str | bytes) -> list[bytes]:
        # The client decodes nothing (no decode_responses), so members are bytes; redis's
        # stubs type the reply for every client setting at once.
        return cast(list[bytes], self.client.zrange(name, 0, -1))

    def members(self, name: str) -> list[str]:
        return [m.decode() for m in self._zrange(name)]

    def incr(self, name: str, field: str, amount: int = 1) -> None:
        self.client.hincrby(name, field, amount)

    def counters(self, name: str) -> dict[str, int]:
        return {k.decode(): int(v) for k, v in self.client.hgetall(name).items()}  # type: ignore[union-attr]

    @contextlib.contextmanager
    def lock(self, name: str, timeout: float) -> Iterator[None]:
        lock = self.client.lock(f"{name}:lock", timeout=timeout, blocking_timeout=timeout)
        if not lock.acquire():
            raise LockTimeout(name)
        try:
            yield
        finally:
            with contextlib.suppress(redis.exceptions.LockError):  # expired meanwhile
                lock.release()

    def find(self, fragment: str) -> list[str]:
        found = [k.decode() for k in self.client.scan_iter(match=f"*{fragment}*", count=1000)]
        for key in self.client.scan_iter(count=1000):
            if self.client.type(key) == b"zset":
                found += [m.decode() for m in self._zrange(key) if fragment.encode() in m]
        return found

    def delete_matching(self, fragment: str) -> int:
        count = 0
        for key in self.client.scan_iter(count=1000):
            if fragment.encode() in key:
                count += self.client.delete(key)
            elif self.client.type(key) == b"zset":
                doomed = [m for m in self._zrange(key) if fragment.encode() in m]
                if doomed:
                    count += self.client.zrem(key, *doomed)
        return count


class FileState:
    """The embedded default: one JSON file per host, every change under an exclusive flock."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / "state.json"
        self.description = f"a local file ({self.path}; one host only)"
        (root / "locks").mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def _state(self, write: bool) -> Iterator[dict[str, dict[str, dict[str, float]]]]:
        with (self.root / "state.lock").open("a") as guard:
            fcntl.flock(guard, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
            try:
                data = json.loads(self.path.read_text()) if self.path.exists() else {}
            except ValueError:  # a torn file cannot happen (rename below); be safe anyway
                data = {}
            data.setdefault("sets", {})
            data.setdefault("counters", {})
            yield data
            if write:
                tmp = self.path.with_suffix(f".tmp-{os.getpid()}")
                tmp.write_text(json.dumps(data, sort_keys=True))
                tmp.replace(self.path)

    def score(self, name: str, member: str) -> float | None:
        with self._state(write=False) as data:
            return data["sets"].get(name, {}).get(member)

    def add(self, name: str, member: str, score: float) -> None:
        with self._state(write=True) as data:
            data["sets"].setdefault(name, {})[member] = score

    def remove(self, name: str, member: str) -> None:
        with self._state(write=True) as data:
            data["sets"].get(name, {}).pop(member, None)

    def members(self, name: str) -> list[str]:
        with self._state(write=False) as data:
            found = data["sets"].get(name, {})
            return sorted(found, key=lambda m: (found[m], m))

    def incr(self, name: str, field: str, amount: int = 1) -> None:
        with self._state(write=True) as data:
            counters = data["counters"].setdefault(name, {})
            counters[field] = int(counters.get(field, 0)) + amount

    def counters(self, name: str) -> dict[str, int]:
        with self._state(write=False) as data:
            return {k: int(v) for k, v in data["counters"].get(name, {}).items()}

    @contextlib.contextmanager
    def lock(self, name: str, timeout: float) -> Iterator[None]:
        # flock is released by the kernel if the holder dies, so a crash never wedges a load.
        path = self.root / "locks" / hashlib.sha256(name.encode()).hexdigest()
        with path.open("a") as handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise LockTimeout(name) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def find(self, fragment: str) -> list[str]:
        with self._state(write=False) as data:
            return [m for kind in ("sets", "counters") for name, entries in data[kind].items()
                    for m in [name, *entries] if fragment in m]

    def delete_matching(self, fragment: str) -> int:
        count = 0
        with self._state(write=True) as data:
            for kind in ("sets", "counters"):
                for name in list(data[kind]):
                    if fragment in name:
                        count += len(data[kind].pop(name)) or 1
                        continue
                    for member in [m for m in data[kind][name] if fragment in m]:
                        del data[kind][name][member]
                        count += 1
        return count


def backend() -> SharedState:
    """Redis if REDIS_URL is set, else the local file (never an unconfigured Redis)."""
    if settings.REDIS_URL:
        return RedisState(settings.REDIS_URL)
    return FileState(Path(settings.VAR_DIR) / "shared-state")
