"""Celery tasks of the training app (routed to the `gpu` queue in settings).

Ids only cross the broker. The task is idempotent (execute_run finds finished work and
stops), so it is acknowledged late and re-queued if its worker dies.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import retrain, services


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,  # the run's row is the result; a stored one would outlive a purge
    reject_on_worker_lost=True,
    soft_time_limit=settings.TRAINING_SOFT_TIME_LIMIT,
    time_limit=settings.TRAINING_SOFT_TIME_LIMIT + 300,
)
def train_adapter(self: object, tenant_id: str, run_id: str) -> str:
    # A soft time limit raises inside the training loop; execute_run records the run as
    # failed_system before the exception leaves the task.
    return services.execute_run(tenant_id, run_id)


@shared_task
def reap_stale_runs() -> int:
    return services.mark_stale_runs_failed()


@shared_task(ignore_result=True)
def retrain_due_tenants() -> int:
    """Celery beat: freeze and queue a run for every tenant its retrain policy says is due."""
    return retrain.retrain_due_tenants()
