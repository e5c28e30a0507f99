"""Celery tasks of the tenants app."""

from celery import shared_task

from . import checkpoints, export, purge


@shared_task(acks_late=True)
def build_export(export_id: int) -> str:
    return str(export.run_export(export_id).status)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def purge_tenant(purge_id: int) -> str:
    # Idempotent and resumable: finished steps are recorded on the request and skipped.
    return str(purge.run_purge(purge_id).status)


@shared_task(soft_time_limit=15 * 60, time_limit=20 * 60)
def checkpoint_audit_chains() -> dict[str, int | None]:
    # Idempotent: a head that was already signed is skipped, a lost run is redone next hour.
    return checkpoints.checkpoint_all_tenants()


@shared_task(acks_late=True)
def expire_exports() -> int:
    # Periodic (CELERY_BEAT_SCHEDULE): bundles not downloaded by their expiry are deleted.
    return len(export.expire_exports())
