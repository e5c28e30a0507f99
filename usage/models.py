"""No table of its own: usage is computed from the rows the capability apps already keep (the
audit log's inference entries, training runs, adapter versions, snapshots and documents)."""

from __future__ import annotations

from tenants.models import Tenant


class TenantUsage(Tenant):
    """Tenants as the operators' usage export sees them (a proxy: no table, no tenant data).

    It gives the admin site a place for the platform-wide export and the export its own model
    permission (`usage.view_tenantusage`), held by superusers only in practice (usage.admin)."""

    class Meta:
        proxy = True
        verbose_name = "tenant usage"
        verbose_name_plural = "tenant usage"
