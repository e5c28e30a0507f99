"""Celery tasks of offboarding: export bundles, their expiry, tenant purges."""

from typing import Any

from celery import shared_task

from . import export, purge


@shared_task(acks_late=True, ignore_result=True)  # the row is the result
def build_export(export_id: int) -> str:
    return str(export.run_export(export_id).status)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True,
             max_retries=None)
def purge_tenant(self: Any, purge_id: int) -> str:
    # Idempotent and resumable: finished steps are recorded on the request and skipped. Work
    # still running, or something verify_purge still finds, is tried again a minute later.
    try:
        return str(purge.run_purge(purge_id).status)
    except purge.PurgeNotYet as exc:
        raise self.retry(exc=exc, countdown=60) from exc


@shared_task(acks_late=True)
def expire_exports() -> int:
    # Periodic (CELERY_BEAT_SCHEDULE): bundles not downloaded by their expiry are deleted.
    return len(export.expire_exports())
