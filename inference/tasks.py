"""Celery tasks of the serving layer: periodic engine checks (scheduled in
settings.CELERY_BEAT_SCHEDULE) and the evaluation of a new adapter (the `gpu` queue)."""

from celery import shared_task

from . import evaluation
from .health import check_engine


@shared_task
def isolation_canary() -> bool:
    return check_engine().passed


@shared_task(acks_late=True, ignore_result=True, reject_on_worker_lost=True)
def evaluate_adapter(tenant_id: str, adapter_id: str) -> str:
    """Ids only cross the broker; a finished evaluation delivered again is left alone."""
    return evaluation.evaluate(tenant_id, adapter_id)


def evaluation_task_id(tenant_id: object, adapter_id: object) -> str:
    """Names its tenant, like a training run's, so that a purge finds it by the tenant's id."""
    tenant, adapter = (str(v).replace("-", "") for v in (tenant_id, adapter_id))
    return f"{tenant}-eval-{adapter[:24]}"
