"""The tenant scope: one context that the ORM and PostgreSQL both obey.

`tenant_scope(tenant)` is used by the request middleware, by Celery tasks (from the task's
tenant id) and by management commands. Inside it, `TenantOwned.objects` filters to the tenant
and, on PostgreSQL, the transaction carries `app.tenant_id` for the row-level-security policy.
Outside it, `TenantOwned.objects` raises: forgetting the scope fails closed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, TypeVar

from django.db import connection, models, transaction

if TYPE_CHECKING:
    from .models import Tenant


class TenantScopeError(RuntimeError):
    """A tenant-owned table was queried with no tenant scope active."""


_current: ContextVar[Tenant | None] = ContextVar("sanoweb_tenant", default=None)


def current_tenant() -> Tenant:
    tenant = _current.get()
    if tenant is None:
        raise TenantScopeError("No tenant scope is active; use tenant_scope(tenant).")
    return tenant


def current_tenant_or_none() -> Tenant | None:
    return _current.get()


def _set_db_tenant(tenant_id: str) -> None:
    """Set the RLS variable for the current transaction only (never session-wide)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [tenant_id])


@contextmanager
def tenant_scope(tenant: Tenant) -> Iterator[Tenant]:
    """Act for `tenant` in this block: ORM filter plus a transaction-local RLS setting."""
    previous = _current.get()
    token = _current.set(tenant)
    try:
        with transaction.atomic():
            _set_db_tenant(str(tenant.pk))
            yield tenant
    finally:
        _current.reset(token)
        # An enclosing transaction keeps transaction-local settings: put the outer value back.
        if connection.in_atomic_block and not connection.needs_rollback:
            _set_db_tenant(str(previous.pk) if previous is not None else "")


_M = TypeVar("_M", bound=models.Model)


class TenantQuerySet(models.QuerySet[_M]):
    pass


class TenantOwnedManager(models.Manager[_M]):
    """Default manager of tenant-owned models: filters to the active tenant or raises."""

    def get_queryset(self) -> models.QuerySet[_M]:
        tenant = current_tenant()
        return TenantQuerySet(self.model, using=self._db).filter(tenant=tenant)


class UnscopedManager(models.Manager[_M]):
    """`Model.unscoped_objects`: the explicit escape hatch; grep for it in reviews.

    On PostgreSQL the RLS policy still limits it to the tenant set in the transaction, so it
    cannot read across tenants there either.
    """
