"""Streams open through the router, so that a purge can wait for them to end.

Each open stream is a member "<tenant hex>:<stream id>" of a shared scored set, scored by its
last heartbeat; the relay beats while it forwards chunks and checks, at most every
CHECK_EVERY seconds, whether its tenant is being purged, and then aborts. A member whose
heartbeat is older than STALE_AFTER belonged to a process that died.
"""

from __future__ import annotations

import time
import uuid

from tenants import shared_state
from tenants.models import Tenant

OPEN = "sanoweb:streams:open"
CHECK_EVERY = 0.5  # seconds between the relay's checks of its tenant's status
STALE_AFTER = 30.0


def opened(tenant: Tenant) -> str:
    member = f"{tenant.pk.hex}:{uuid.uuid4().hex}"
    shared_state.backend().add(OPEN, member, time.time())
    return member


def beat(member: str) -> None:
    shared_state.backend().add(OPEN, member, time.time())


def closed(member: str) -> None:
    shared_state.backend().remove(OPEN, member)


def open_streams(tenant: Tenant) -> list[str]:
    state, now = shared_state.backend(), time.time()
    prefix = f"{tenant.pk.hex}:"
    return [m for m in state.members(OPEN)
            if m.startswith(prefix) and now - (state.score(OPEN, m) or 0) < STALE_AFTER]


class OpenStreams:
    """A purge's view of the tenant's open streams: they end themselves (the relay sees the
    tenant closed), the purge only waits."""

    name = "open streams"

    def stop(self, tenant: Tenant) -> list[str]:
        return [f"stream {m.split(':', 1)[1]}: asked to end" for m in open_streams(tenant)]

    def running(self, tenant: Tenant) -> list[str]:
        return [f"stream {m.split(':', 1)[1]}: open" for m in open_streams(tenant)]
