"""Offboarding's own records on the data map (their models live in tenants, so that the
tables keep their names), and the exports a purge must stop first."""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone

from tenants import tenant_data
from tenants.models import DeletionCertificate, ExportRequest, PurgeRequest, Tenant
from tenants.places import CeleryResults, KeyedTable, Retained, StorageCategory

log = logging.getLogger(__name__)


def export_task_id(tenant_id: Any, export_id: int) -> str:
    """Names its tenant, so that a purge finds the task's messages by the tenant's id."""
    return f"{str(tenant_id).replace('-', '')}-export-{export_id}"


def _export_task_ids(tenant: Tenant) -> list[str]:
    return [export_task_id(tenant.pk, pk)
            for pk in ExportRequest.objects.filter(tenant=tenant).values_list("pk", flat=True)]


class PendingExports:
    """Queued exports are failed at once (their task finds them no longer queued); a running
    one checks the tenant between places and stops itself."""

    name = "exports"

    def stop(self, tenant: Tenant) -> list[str]:
        from celery import current_app

        asked = []
        for item in ExportRequest.objects.filter(tenant=tenant, status__in=[
                ExportRequest.Status.QUEUED, ExportRequest.Status.RUNNING]):
            if item.status == ExportRequest.Status.QUEUED:
                ExportRequest.objects.filter(pk=item.pk, status=ExportRequest.Status.QUEUED) \
                    .update(status=ExportRequest.Status.FAILED)
                try:
                    current_app.control.revoke(export_task_id(tenant.pk, item.pk))
                except Exception:  # (the row's state is what stops it)
                    log.warning("could not revoke export %s", item.pk)
            asked.append(f"export {item.pk}: {item.status} -> "
                         f"{'failed' if item.status == 'queued' else 'asked to stop'}")
        return asked

    def running(self, tenant: Tenant) -> list[str]:
        from .export import EXPORT_STALE_AFTER

        alive = timezone.now() - EXPORT_STALE_AFTER  # older: its worker died (request_export)
        return [f"export {pk}: running" for pk in ExportRequest.objects.filter(
            tenant=tenant, status=ExportRequest.Status.RUNNING, created_at__gt=alive)
            .values_list("pk", flat=True)]


def register() -> None:
    tenant_data.register(
        KeyedTable(ExportRequest, not_exported="operators' records of earlier exports; each "
                   "one is in the audit chain (export.requested, .ready, .downloaded)"),
        StorageCategory("exports", not_exported="earlier export bundles waiting for download"),
        CeleryResults("celery results: exports", task_ids=_export_task_ids),
        Retained("purge records", "the request, its two operators and its evidence: the "
                 "platform's record that the purge happened", models=(PurgeRequest,)),
        Retained("deletion certificates", "signed proof of the purge, kept for the BAA",
                 models=(DeletionCertificate,)),
    )
    tenant_data.register_activity(PendingExports())
