"""Celery tasks of the tenants app."""

from celery import shared_task

from . import export, purge


@shared_task(acks_late=True)
def build_export(export_id: int) -> str:
    return str(export.run_export(export_id).status)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def purge_tenant(purge_id: int) -> str:
    # Idempotent and resumable: finished steps are recorded on the request and skipped.
    return str(purge.run_purge(purge_id).status)


@shared_task(acks_late=True)
def expire_exports() -> int:
    # Periodic (CELERY_BEAT_SCHEDULE): bundles not downloaded by their expiry are deleted.
    return len(export.expire_exports())
