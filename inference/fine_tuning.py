"""OpenAI's fine-tuning objects over the platform's own: a job is a training run, a training
file is a frozen training set, a checkpoint is the adapter version a run produced.

Clients written for OpenAI's API (`client.fine_tuning.jobs.*`) see the objects, statuses and
cursor pages they expect; underneath, the run is the same one the web UI starts, validated,
queued on the `gpu` queue and audited the same way. A fine-tuned model's name addresses one
adapter version of the caller's own tenant; no name reaches another tenant's.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from curation.models import TrainingSet
from tenants import audit
from tenants.models import Membership, Role, Tenant
from tenants.scoping import tenant_scope
from training import services as training
from training.models import AdapterVersion, RunState, TrainingRun

from .models import ApiKey, FineTuningJob
from .validation import FINE_TUNED_NAME

BASE_NAME = "sanoweb"
STATUS = {
    RunState.VALIDATING: "validating_files", RunState.QUEUED: "queued",
    RunState.RUNNING: "running", RunState.UPLOADING: "running",
    RunState.CANCEL_REQUESTED: "running",  # until the worker has stopped: then "cancelled"
    RunState.SUCCEEDED: "succeeded", RunState.FAILED_USER: "failed",
    RunState.FAILED_SYSTEM: "failed", RunState.CANCELLED: "cancelled",
}
# OpenAI's hyperparameter names -> ours; "auto" (or absent) keeps the platform's default.
HYPERPARAMETERS = {"n_epochs": "epochs", "learning_rate_multiplier": None, "batch_size": None}
SUFFIX = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
NAME = FINE_TUNED_NAME
JOB_ID = re.compile(r"^ftjob-([0-9a-f]{32})$")


class FineTuningRefused(ValueError):
    """A request the API answers with OpenAI's error shape: `status`, `code`, `param`."""

    def __init__(self, status: int, code: str, message: str, param: str | None = None):
        super().__init__(message)
        self.status, self.code, self.param = status, code, param


def _ts(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value else None


def job_id(run: TrainingRun) -> str:
    return f"ftjob-{run.pk.hex}"


def training_file_id(training_set: TrainingSet) -> str:
    return str(training_set.pk)


def _suffix(run: TrainingRun) -> str:
    job = FineTuningJob.objects.filter(run=run).first()
    return job.suffix if job and job.suffix else f"v{run.training_set.version}"


def fine_tuned_name(adapter: AdapterVersion) -> str:
    """ft:sanoweb:<tenant>:<suffix>:<first 12 of the adapter's sha256>, as OpenAI spells it."""
    return (f"ft:{BASE_NAME}:{adapter.tenant.slug}:{_suffix(adapter.run)}:"
            f"{adapter.sha256[:12]}")


def adapter_named(tenant: Tenant, name: str) -> AdapterVersion | None:
    """The tenant's own adapter version that `name` addresses, else None (for every other
    name: unknown, malformed, or another tenant's)."""
    if not NAME.match(name):
        return None
    with tenant_scope(tenant):
        for adapter in AdapterVersion.objects.select_related("run__training_set", "tenant") \
                .filter(sha256__startswith=name.rsplit(":", 1)[1]):
            if fine_tuned_name(adapter) == name:
                return adapter
    return None


def own_models(tenant: Tenant) -> list[str]:
    with tenant_scope(tenant):
        adapters = list(AdapterVersion.objects.select_related("run__training_set", "tenant")
                        .order_by("created_at"))
        return [fine_tuned_name(a) for a in adapters]


def job_object(run: TrainingRun) -> dict[str, Any]:
    with tenant_scope(run.tenant):
        return _job_object(run)


def _job_object(run: TrainingRun) -> dict[str, Any]:
    adapter = AdapterVersion.objects.filter(run=run).first()
    job = FineTuningJob.objects.filter(run=run).first()
    status = STATUS[RunState(run.state)]
    params = run.hyperparameters or {}
    metrics = run.metrics or {}
    tokens = metrics.get("tokens_per_s", 0) * metrics.get("seconds", 0)
    return {
        "object": "fine_tuning.job", "id": job_id(run), "model": BASE_NAME,
        "created_at": _ts(run.created_at), "finished_at": _ts(run.finished_at),
        "fine_tuned_model": fine_tuned_name(adapter) if adapter else None,
        "organization_id": run.tenant.slug, "status": status,
        "training_file": training_file_id(run.training_set), "validation_file": None,
        "result_files": [], "trained_tokens": int(tokens) if adapter else None,
        "hyperparameters": {"n_epochs": params.get("epochs", "auto"), "batch_size": "auto",
                            "learning_rate_multiplier": "auto"},
        "method": {"type": "supervised", "supervised": {"hyperparameters": {
            "n_epochs": params.get("epochs", "auto"), "batch_size": "auto",
            "learning_rate_multiplier": "auto"}}},
        "seed": params.get("seed"), "suffix": job.suffix if job and job.suffix else None,
        "metadata": job.metadata if job and job.metadata else None,
        "error": ({"code": run.error_code or "failed", "message": run.error_message,
                   "param": None} if status == "failed" else None),
        "estimated_finish": None, "integrations": [], "user_provided_suffix":
            job.suffix if job and job.suffix else None,
    }


def events(run: TrainingRun) -> list[dict[str, Any]]:
    """Newest first, as OpenAI lists them: the run's life and one metrics event a step."""
    found: list[tuple[int, str, str, dict[str, Any], str]] = []
    created = _ts(run.created_at) or 0
    found.append((created, "info", "Created fine-tuning job", {}, "message"))
    if run.queued_at:
        found.append((_ts(run.queued_at) or created, "info", "Validated training file; job "
                      "queued", {}, "message"))
    if run.started_at:
        found.append((_ts(run.started_at) or created, "info", "Fine-tuning job started", {},
                      "message"))
    started = _ts(run.started_at) or created
    for point in run.loss_history or []:
        data = {"step": point.get("step"), "train_loss": point.get("loss"),
                "total_steps": run.total_steps}
        if point.get("eval_loss") is not None:
            data["valid_loss"] = point["eval_loss"]
        found.append((started, "info", f"Step {point.get('step')}/{run.total_steps}: "
                      f"training loss={point.get('loss')}", data, "metrics"))
    if run.finished_at:
        status = STATUS[RunState(run.state)]
        message = {"succeeded": "The job has successfully completed",
                   "cancelled": "Fine-tuning job cancelled"}.get(
            status, f"Fine-tuning job failed: {run.error_message}")
        found.append((_ts(run.finished_at) or started, "info" if status != "failed" else
                      "error", message, {}, "message"))
    return [{"object": "fine_tuning.job.event", "id": f"ftevent-{run.pk.hex[:20]}-{n:05d}",
             "created_at": at, "level": level, "message": message, "data": data,
             "type": kind} for n, (at, level, message, data, kind) in enumerate(found)][::-1]


def checkpoints(run: TrainingRun) -> list[dict[str, Any]]:
    """One checkpoint per job: the adapter version it produced (the weights the tenant can
    export and serve)."""
    with tenant_scope(run.tenant):
        adapter = AdapterVersion.objects.filter(run=run).first()
        name = fine_tuned_name(adapter) if adapter else ""
    if adapter is None:
        return []
    metrics = run.metrics or {}
    return [{"object": "fine_tuning.job.checkpoint", "id": f"ftckpt-{adapter.pk.hex}",
             "created_at": _ts(adapter.created_at), "fine_tuning_job_id": job_id(run),
             "fine_tuned_model_checkpoint": name,
             "step_number": run.step, "metrics": {
                 "step": run.step, "train_loss": metrics.get("final_loss"),
                 "valid_loss": metrics.get("eval_loss"), "full_valid_loss": metrics.get(
                     "eval_loss")}}]


def page(items: list[dict[str, Any]], after: str | None, limit: Any) -> dict[str, Any]:
    """OpenAI's cursor page: the items after the one named `after`, at most `limit`."""
    try:
        size = 20 if limit in (None, "") else int(limit)
    except (TypeError, ValueError) as exc:
        raise FineTuningRefused(400, "invalid_limit", "limit must be a number.", "limit") from exc
    if not 1 <= size <= 100:
        raise FineTuningRefused(400, "invalid_limit", "limit must be 1 to 100.", "limit")
    if after:
        ids = [item["id"] for item in items]
        if after not in ids:
            raise FineTuningRefused(400, "invalid_after", "after is not an id of this list.",
                                    "after")
        items = items[ids.index(after) + 1:]
    chosen = items[:size]
    return {"object": "list", "data": chosen, "has_more": len(items) > size,
            "first_id": chosen[0]["id"] if chosen else None,
            "last_id": chosen[-1]["id"] if chosen else None}


@dataclass(frozen=True)
class Caller:
    """Who asks through the API: the key, its tenant, and the tenant admin who made it."""

    key: ApiKey
    tenant: Tenant
    user: User

    @property
    def actor(self) -> str:
        return f"apikey:{self.key.prefix}"


def caller(key: ApiKey) -> Caller:
    """Training is a tenant admin's act: a key works here only while the person who created it
    is still an admin of its tenant."""
    user = User.objects.get(pk=key.created_by_id)
    if not Membership.objects.filter(tenant=key.tenant, user=user, role=Role.TENANT_ADMIN).exists():
        raise FineTuningRefused(403, "permission_denied", "This key's owner is no longer a "
                                "tenant admin; fine-tuning needs one.")
    return Caller(key, key.tenant, user)


def run_for(who: Caller, identifier: str) -> TrainingRun:
    """The caller's own run, or 404 for any other id (another tenant's reads the same)."""
    match = JOB_ID.match(identifier)
    run = None
    if match:
        with tenant_scope(who.tenant):
            run = TrainingRun.objects.select_related("training_set", "tenant").filter(
                pk=uuid.UUID(match.group(1))).first()
    if run is None:
        raise FineTuningRefused(404, "not_found", f"No fine-tuning job {identifier[:60]!r}.",
                                "fine_tuning_job_id")
    return run


def list_jobs(who: Caller) -> list[dict[str, Any]]:
    with tenant_scope(who.tenant):
        runs = TrainingRun.objects.select_related("training_set", "tenant").order_by(
            "-created_at")
        return [job_object(run) for run in runs]


def _hyperparameters(body: dict[str, Any]) -> dict[str, Any]:
    raw = body.get("hyperparameters")
    method = body.get("method")
    if isinstance(method, dict):
        if method.get("type", "supervised") != "supervised":
            raise FineTuningRefused(400, "invalid_method", "Only supervised fine-tuning is "
                                    "offered.", "method")
        raw = ((method.get("supervised") or {}).get("hyperparameters")) or raw
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise FineTuningRefused(400, "invalid_hyperparameters", "hyperparameters must be an "
                                "object.", "hyperparameters")
    ours: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in HYPERPARAMETERS:
            raise FineTuningRefused(400, "invalid_hyperparameters", f"Unknown hyperparameter "
                                    f"{str(name)[:40]!r}.", "hyperparameters")
        target = HYPERPARAMETERS[name]
        if value == "auto" or value is None:
            continue
        if target is None:
            raise FineTuningRefused(400, "invalid_hyperparameters", f"{name} is chosen by the "
                                    "platform here; send \"auto\".", "hyperparameters")
        ours[target] = value
    return ours


ALLOWED = {"training_file", "model", "hyperparameters", "method", "suffix", "seed", "metadata",
           "validation_file", "integrations"}


def create_job(who: Caller, body: Any) -> TrainingRun:
    if not isinstance(body, dict):
        raise FineTuningRefused(400, "invalid_request", "The body must be a JSON object.")
    unknown = sorted(set(body) - ALLOWED)
    if unknown:
        raise FineTuningRefused(400, "invalid_request", f"Unsupported fields: "
                                f"{', '.join(str(u)[:40] for u in unknown)}.", unknown[0])
    if body.get("model") != BASE_NAME:
        raise FineTuningRefused(400, "invalid_model", f"model must be \"{BASE_NAME}\": each "
                                "team fine-tunes its own adapter on the platform's base.",
                                "model")
    if body.get("validation_file") or body.get("integrations"):
        raise FineTuningRefused(400, "invalid_request", "The evaluation split is the team's own "
                                "held-out examples; validation_file and integrations are not "
                                "offered.", "validation_file")
    suffix = body.get("suffix") or ""
    if suffix and (not isinstance(suffix, str) or not SUFFIX.match(suffix)):
        raise FineTuningRefused(400, "invalid_suffix", "suffix: 1 to 40 letters, digits, - "
                                "or _.", "suffix")
    metadata = body.get("metadata") or {}
    if not isinstance(metadata, dict) or len(metadata) > 16 or not all(
            isinstance(k, str) and isinstance(v, str) and len(k) <= 64 and len(v) <= 512
            for k, v in metadata.items()):
        raise FineTuningRefused(400, "invalid_metadata", "metadata: up to 16 string keys "
                                "(64 chars) and string values (512 chars).", "metadata")
    params = _hyperparameters(body)
    if body.get("seed") is not None:
        params["seed"] = body["seed"]
    identifier = body.get("training_file")
    try:
        set_id = uuid.UUID(str(identifier))
    except ValueError:
        set_id = None
    with tenant_scope(who.tenant):
        training_set = TrainingSet.objects.filter(pk=set_id).first() if set_id else None
        if training_set is None:
            raise FineTuningRefused(404, "file_not_found", "training_file must be the id of "
                                    "one of your team's frozen training sets.", "training_file")
        try:
            with transaction.atomic():
                run = training.start_run(training_set, who.user, params)
                if run.state == RunState.FAILED_USER and run.error_code == "bad_hyperparameters":
                    raise FineTuningRefused(400, "invalid_hyperparameters", run.error_message,
                                            "hyperparameters")
                FineTuningJob.objects.get_or_create(run=run, defaults={
                    "suffix": suffix, "metadata": metadata, "key_prefix": who.key.prefix})
                audit.append(who.tenant, "finetune.job_created", actor=who.actor,
                             target=f"run:{run.pk}",
                             payload={"training_set": str(training_set.pk),
                                      "state": run.state})
        except training.TrainingError as exc:
            raise FineTuningRefused(400, exc.code, str(exc), "training_file") from exc
    return run


def cancel_job(who: Caller, run: TrainingRun) -> TrainingRun:
    with tenant_scope(who.tenant):
        try:
            run = training.request_cancel(run, who.user)
        except training.TrainingError as exc:
            raise FineTuningRefused(409, exc.code, str(exc), "fine_tuning_job_id") from exc
        audit.append(who.tenant, "finetune.job_cancel_requested", actor=who.actor,
                     target=f"run:{run.pk}")
        return TrainingRun.objects.select_related("training_set", "tenant").get(pk=run.pk)


def freeze(who: Caller) -> TrainingSet:
    """A frozen training set from the approved examples, so a client can do the whole cycle
    without the web UI (the same freeze and PHI gate as the training page)."""
    from curation import services as curation
    from curation.errors import CurationError

    with tenant_scope(who.tenant):
        try:
            with transaction.atomic():
                training_set = curation.freeze_training_set(who.user)
        except CurationError as exc:  # nothing approved, or residual PHI (phi_gate)
            raise FineTuningRefused(409, "cannot_freeze", str(exc)) from exc
        audit.append(who.tenant, "finetune.training_set_frozen", actor=who.actor,
                     target=f"training_set:{training_set.pk}",
                     payload={"examples": training_set.example_count})
        return training_set


def training_set_object(training_set: TrainingSet) -> dict[str, Any]:
    return {"object": "sanoweb.training_set", "id": training_file_id(training_set),
            "version": training_set.version, "examples": training_set.example_count,
            "sha256": training_set.sha256, "bytes": training_set.size_bytes,
            "created_at": _ts(training_set.created_at), "purpose": "fine-tune"}


def list_training_sets(who: Caller) -> list[dict[str, Any]]:
    with tenant_scope(who.tenant):
        return [training_set_object(t) for t in TrainingSet.objects.order_by("-version")]
