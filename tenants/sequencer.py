"""The audit sequencer: chains accepted entries into each tenant's log in batches.

With AUDIT_SEQUENCING = "batched" an append only accepts a pending entry (tenants.audit). This
module turns pending entries into chain entries: `sequence` takes the tenant's head lock once,
chains up to a batch of pending entries in acceptance order (checking each one's content hash
first, so an altered entry stops the chain instead of being laundered into it), deletes them
and moves the head, all in one transaction (sanoweb_audit_sequence in tenants.rls). A crash
anywhere before that commit leaves the pending rows as they were, so the next run sequences
them: nothing accepted is lost and nothing is chained twice.

Who runs it: each process that accepts starts one daemon thread on its first accept, woken after
every commit that accepted something (`nudge`) and sweeping every tenant with pending entries
each AUDIT_SEQUENCE_INTERVAL, which catches entries another process accepted before it died.
`manage.py audit_sequencer` runs the same loop as a process of its own. Any number of them may
run: a chain another sequencer holds is skipped, not waited for.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction

from .models import Tenant
from .scoping import tenant_scope

log = logging.getLogger(__name__)
BUSY = -1  # another sequencer holds the tenant's head


def sequence(tenant: Tenant, *, limit: int | None = None, wait: bool = False) -> int:
    """Chain up to `limit` of the tenant's pending entries; how many, or BUSY."""
    batch = limit or settings.AUDIT_SEQUENCE_BATCH
    with tenant_scope(tenant), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT sanoweb_audit_sequence(%s, %s, %s)", [tenant.pk, batch, wait])
        (count,) = cursor.fetchone()
    return int(count)


def flush(tenant: Tenant) -> int:
    """Sequence everything the tenant has accepted so far, waiting for other sequencers; for
    whoever needs the head to be final (the purge's evidence, a checkpoint on demand)."""
    if connection.vendor != "postgresql":
        return 0
    total = 0
    while (count := sequence(tenant, wait=True)) > 0:
        total += count
    return total


def pending_tenants() -> list[uuid.UUID]:
    """The tenants with accepted, unsequenced entries (ids only; sanoweb_audit_pending_tenants
    may look across tenants, nobody else may)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sanoweb_audit_pending_tenants()")
        return [row[0] for row in cursor.fetchall()]


def sweep(tenant_ids: Iterable[uuid.UUID] | None = None) -> int:
    """One pass: sequence every tenant that has pending entries until none is left (or another
    sequencer holds it); how many entries were chained."""
    ids = list(pending_tenants() if tenant_ids is None else tenant_ids)
    total, batch = 0, settings.AUDIT_SEQUENCE_BATCH
    for tenant in _tenants(ids):
        while (count := sequence(tenant, limit=batch)) > 0:
            total += count
            if count < batch:  # the queue is empty (or another process is filling it anew)
                break
    return total


_known: dict[uuid.UUID, Tenant] = {}


def _tenants(ids: list[uuid.UUID]) -> list[Tenant]:
    """The tenants by id, from a small cache: tenant_scope needs only the row's identity, and
    a sweep a few hundred times a second should not re-read the tenants table each time."""
    missing = [i for i in ids if i not in _known]
    if missing:
        _known.update((t.pk, t) for t in Tenant.objects.filter(pk__in=missing))
    return [_known[i] for i in ids if i in _known]


class Sequencer(threading.Thread):
    """The loop: wait for a nudge or the interval, gather for a moment, sweep."""

    def __init__(self, *, interval: float | None = None, gather: float | None = None) -> None:
        super().__init__(name="audit-sequencer", daemon=True)
        self.interval = settings.AUDIT_SEQUENCE_INTERVAL if interval is None else interval
        self.gather = settings.AUDIT_SEQUENCE_GATHER if gather is None else gather
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self._nudged: set[uuid.UUID] = set()
        self._lock = threading.Lock()

    def nudge(self, tenant_id: uuid.UUID) -> None:
        with self._lock:
            self._nudged.add(tenant_id)
        self.wake.set()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()

    def run(self) -> None:
        last_sweep = 0.0
        try:
            while not self.stopping.is_set():
                woken = self.wake.wait(self.interval)
                if woken and self.gather:
                    time.sleep(self.gather)  # let concurrent commits join this batch
                self.wake.clear()
                with self._lock:
                    nudged, self._nudged = self._nudged, set()
                full = time.monotonic() - last_sweep >= self.interval
                try:
                    sweep(None if full else nudged)
                except Exception:  # a bad chain or a lost connection: log, keep the loop
                    log.exception("audit sequencing failed; retrying")
                    connection.close()
                    time.sleep(self.interval)
                if full:
                    last_sweep = time.monotonic()
        finally:
            connection.close()


_thread: Sequencer | None = None
_thread_lock = threading.Lock()


def nudge(tenant_id: uuid.UUID) -> None:
    """After a commit that accepted an entry: wake this process's sequencer (starting it the
    first time) unless AUDIT_SEQUENCER_THREAD is off (a dedicated process sequences)."""
    if not settings.AUDIT_SEQUENCER_THREAD:
        return
    global _thread
    with _thread_lock:
        if _thread is None or not _thread.is_alive():
            _thread = Sequencer()
            _thread.start()
    _thread.nudge(tenant_id)


def stop_thread() -> None:
    """Stop this process's sequencer thread (tests; a clean shutdown)."""
    global _thread
    with _thread_lock:
        if _thread is not None:
            _thread.stop()
            _thread.join(10)
            _thread = None
