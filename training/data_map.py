"""Where training keeps a tenant's data, and the work in flight a purge must stop first."""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from tenants import tenant_data
from tenants.models import Tenant
from tenants.places import CeleryResults, LocalCache, StorageCategory, TenantTable
from tenants.scoping import tenant_scope

from .models import (
    UNFINISHED_STATES,
    AdapterEvaluation,
    AdapterVersion,
    PinnedAdapter,
    RetrainPolicy,
    RunState,
    TrainingRun,
)

log = logging.getLogger(__name__)


def _task_ids(tenant: Tenant) -> list[str]:
    """Training runs' tasks and the evaluations that follow them."""
    with tenant_scope(tenant):
        runs = list(TrainingRun.objects.values_list("task_id", flat=True))
        evaluations = list(AdapterEvaluation.objects.values_list("task_id", flat=True))
        return [t for t in runs + evaluations if t]


def _revoke(task_id: str) -> None:
    """A queued message is dropped by the worker that receives it (best effort: a broker
    without broadcast cannot revoke, and the run's cancelled state stops it anyway)."""
    from celery import current_app

    try:
        current_app.control.revoke(task_id)
    except Exception:  # (the run row is what stops the work)
        log.warning("could not revoke task %s", task_id)


class TrainingRuns:
    """Queued runs are cancelled at once; running ones are asked to stop and do so between
    two steps (the trainer's should_cancel, which also sees the tenant closed)."""

    name = "training runs"

    def stop(self, tenant: Tenant) -> list[str]:
        from .services import _finish

        asked = []
        with tenant_scope(tenant):
            for run in TrainingRun.objects.select_for_update().filter(
                    state__in=UNFINISHED_STATES):
                before = run.state
                if run.state in (RunState.VALIDATING, RunState.QUEUED):
                    _finish(run, RunState.CANCELLED, "tenant_purged",
                            "Cancelled: the team is being deleted.")
                elif run.state != RunState.CANCEL_REQUESTED:
                    run.state = RunState.CANCEL_REQUESTED
                    run.save(update_fields=["state"])
                if run.task_id:
                    _revoke(run.task_id)
                asked.append(f"run {run.pk}: {before} -> {run.state}")
        return asked

    def running(self, tenant: Tenant) -> list[str]:
        # A run whose worker stopped reporting is dead, not running (the reaper fails it).
        alive = timezone.now() - timedelta(seconds=settings.TRAINING_STALE_AFTER)
        with tenant_scope(tenant):
            runs = TrainingRun.objects.filter(state__in=UNFINISHED_STATES).exclude(
                heartbeat_at__lt=alive)
            return [f"run {run.pk}: {run.state} at step {run.step}" for run in runs]


def _scratch_pattern(tenant: Tenant) -> str:
    from .services import scratch_prefix

    return f"{scratch_prefix(tenant)}*"


def register() -> None:
    tenant_data.register(
        TenantTable(TrainingRun),
        TenantTable(AdapterVersion, evidence=("sha256",)),
        TenantTable(AdapterEvaluation),
        TenantTable(PinnedAdapter),
        TenantTable(RetrainPolicy),
        StorageCategory("adapters"),
        StorageCategory("tmp", not_exported="partial uploads of a run in progress; the "
                        "finished adapter is exported from adapters/"),
        LocalCache("training scratch folders", root=lambda: Path(tempfile.gettempdir()),
                   pattern=_scratch_pattern,
                   not_exported="a run's working copy; its adapter is exported from storage"),
        CeleryResults("celery results: training runs and evaluations", task_ids=_task_ids),
    )
    tenant_data.register_activity(TrainingRuns())
