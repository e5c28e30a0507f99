"""The one way the platform's code opens HTTP to a serving engine (router, residency, purge).

Every client carries the engine key (engine_auth) and the configured timeout. The transport is
normally httpx's own; `use_transport` swaps it for the block, which is how the router's
failure paths are tested against httpx.MockTransport without an engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import httpx
from django.conf import settings

from . import engine_auth

_transport: ContextVar[httpx.BaseTransport | None] = ContextVar("sanoweb_engine_transport",
                                                               default=None)


def client(url: str | None = None, timeout: float | None = None) -> httpx.Client:
    """A client for the engine at `url` (settings.VLLM_URL by default); close it after use."""
    return httpx.Client(base_url=url or settings.VLLM_URL,
                        timeout=settings.VLLM_TIMEOUT if timeout is None else timeout,
                        headers=engine_auth.headers(), transport=_transport.get())


@contextmanager
def use_transport(transport: httpx.BaseTransport) -> Iterator[None]:
    token = _transport.set(transport)
    try:
        yield
    finally:
        _transport.reset(token)
