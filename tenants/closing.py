"""A tenant being purged takes no new work: no audit entries but the purge's own, no exports,
no training, no inference.

`close()` marks the tenant purging under `FOR UPDATE` on its row; `refuse_if_closed()` reads
the status under `FOR KEY SHARE`, the lock every insert referencing the tenant takes anyway.
The two conflict, so a writer either commits before the tenant is closed (and its rows are
deleted with the rest) or sees it closed and is refused: none can slip in behind the purge.
A suspended tenant is not closed: its members' logins are still recorded and an operator can
still export its data to hand it back.
"""

from __future__ import annotations

from django.db import connection

from .models import Tenant

CLOSED = (Tenant.Status.PURGING, Tenant.Status.PURGED)
# The purge's own audit entries ("purge.approved", "purge.work_stopped", ...) still go in.
PURGE_ACTION_PREFIX = "purge."


class TenantClosed(PermissionError):
    """The tenant is being purged, or was: nothing new is written for it."""


def status_of(tenant: Tenant, *, lock: bool = False) -> str:
    """The tenant's status as committed now (not the possibly stale `tenant.status`); with
    `lock`, held under FOR KEY SHARE until the caller's transaction ends (PostgreSQL)."""
    if lock and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT status FROM {Tenant._meta.db_table} WHERE id = %s "  # noqa: S608
                           "FOR KEY SHARE", [tenant.pk])
            row = cursor.fetchone()
        return str(row[0]) if row else Tenant.Status.PURGED
    status = Tenant.objects.filter(pk=tenant.pk).values_list("status", flat=True).first()
    return status or Tenant.Status.PURGED  # a tenant row that is gone is as closed as it gets


def is_closed(tenant: Tenant) -> bool:
    return status_of(tenant) in CLOSED


def refuse_if_closed(tenant: Tenant, what: str = "") -> None:
    """Raise TenantClosed when the tenant is purging or purged. Call it inside the transaction
    that then writes; `what` starting with "purge." (the purge's own entries) always passes."""
    if what.startswith(PURGE_ACTION_PREFIX):
        return
    if status_of(tenant, lock=True) in CLOSED:
        raise TenantClosed(f"Tenant {tenant.pk} is being purged; {what or 'this'} is refused.")


def close(tenant: Tenant) -> None:
    """Mark the tenant purging, in the caller's transaction (waits for writers holding the
    tenant's row, see the module docstring)."""
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
    Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.PURGING)
