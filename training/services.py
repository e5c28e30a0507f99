"""Training-run lifecycle: validate, queue, execute (in the worker), register, pin.

`execute_run` is what the Celery task calls; it is plain code, tested without Celery too.
Only ids cross the broker; the worker reopens the run inside the tenant's scope.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from curation import phi_gate
from curation import services as curation_services
from curation.models import TrainingSet
from tenants import audit, closing, host_caches
from tenants.models import Tenant
from tenants.scoping import current_tenant, tenant_scope
from tenants.storage import IntegrityError as StorageIntegrityError
from tenants.storage import read_verified, tenant_key, write_new

from . import adapter_files, promotion
from .models import (
    TERMINAL_STATES,
    UNFINISHED_STATES,
    AdapterVersion,
    BaseModel,
    PinnedAdapter,
    RunState,
    TrainingRun,
)
from .signals import adapter_retired

log = logging.getLogger(__name__)

DEFAULT_HYPERPARAMETERS: dict[str, Any] = {
    "rank": 8, "alpha": 16, "learning_rate": 1e-3, "epochs": 20, "max_steps": 200,
    "max_seq_len": 256, "seed": 1234, "eval_fraction": 0.1,
}
HYPERPARAMETER_LIMITS: dict[str, tuple[float, float]] = {
    "rank": (1, 64), "alpha": (1, 128), "learning_rate": (1e-6, 1e-2), "epochs": (1, 100),
    "max_steps": (1, 100_000), "max_seq_len": (32, 4096), "seed": (0, 2**31 - 1),
    "eval_fraction": (0.0, 0.5),
}


class TrainingError(ValueError):
    """A run the rules refuse; `code` is stored on the run, the message is shown to users."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# --- base models ---------------------------------------------------------------------------------


def default_base_model() -> BaseModel:
    base = BaseModel.objects.filter(is_default=True).order_by("-created_at").first()
    if base is None:
        raise TrainingError("no_base_model",
                            "No base model is prepared: run `manage.py prepare_base_model`.")
    return base


def register_base_model(name: str, path: Path, revision: str, *, public_id: str,
                        converted_from: dict[str, Any] | None = None) -> BaseModel:
    """Make `path` the default base. `public_id` ("" when unknown) is what adapter configs
    name as their base; `converted_from` is recorded beside every adapter trained on it."""
    if public_id and not adapter_files.is_public_id(public_id):
        raise TrainingError("bad_base_model_id", f"{public_id!r} is not a public model id.")
    with transaction.atomic():
        BaseModel.objects.filter(is_default=True).exclude(revision=revision).update(
            is_default=False)
        base, _ = BaseModel.objects.update_or_create(
            revision=revision, defaults={"name": name, "path": str(path), "is_default": True,
                                         "public_id": public_id,
                                         "converted_from": converted_from or {}})
    return base


# --- starting and cancelling ---------------------------------------------------------------------


def clean_hyperparameters(raw: dict[str, Any]) -> dict[str, Any]:
    params = dict(DEFAULT_HYPERPARAMETERS)
    for key, value in raw.items():
        if key not in HYPERPARAMETER_LIMITS:
            raise TrainingError("bad_hyperparameters", f"Unknown setting {key!r}.")
        if value in ("", None):
            continue
        low, high = HYPERPARAMETER_LIMITS[key]
        kind = float if isinstance(DEFAULT_HYPERPARAMETERS[key], float) else int
        try:
            number = kind(value)
        except (TypeError, ValueError) as exc:
            raise TrainingError("bad_hyperparameters", f"{key} must be a number.") from exc
        if not low <= number <= high:
            raise TrainingError("bad_hyperparameters", f"{key} must be between {low} and {high}.")
        params[key] = number
    if params["rank"] > settings.VLLM_MAX_LORA_RANK:
        raise TrainingError("rank_too_high", f"Rank {params['rank']} is above the serving "
                            f"engine's limit of {settings.VLLM_MAX_LORA_RANK}.")
    return params


def _refuse_flagged(training_set: TrainingSet) -> None:
    if phi_gate.is_flagged(training_set):
        raise TrainingError("phi_reported", f"PHI was found in training set "
                            f"v{training_set.version} after it was frozen; it cannot be used. "
                            "Retrain from a corrected snapshot.")


def _validate(training_set: TrainingSet) -> list[dict[str, Any]]:
    _refuse_flagged(training_set)  # again in the worker: a run queued before a report stops
    try:
        records = curation_services.read_training_set(training_set)
    except StorageIntegrityError as exc:
        raise TrainingError("snapshot_tampered", "The training set's file does not match its "
                            "recorded sha256; it cannot be used.") from exc
    except FileNotFoundError as exc:
        raise TrainingError("snapshot_missing", "The training set's file is missing.") from exc
    if len(records) < settings.TRAINING_MIN_EXAMPLES:
        raise TrainingError("too_few_examples", f"The training set has {len(records)} "
                            f"examples; at least {settings.TRAINING_MIN_EXAMPLES} are needed.")
    return records


def start_run(training_set: TrainingSet, user: User,
              hyperparameters: dict[str, Any] | None = None) -> TrainingRun:
    """Validate, then queue on the gpu queue. A refused run is kept, failed_user, unqueued;
    a snapshot flagged for PHI is refused outright (TrainingError), with no run at all.

    Idempotent per snapshot: while one of its runs is unfinished, the same start again returns
    that run (no second row, audit entry or task) and a different one is refused. The database
    constraint one_unfinished_run_per_training_set decides when two starts race.
    """
    tenant = current_tenant()
    if closing.is_closed(tenant):
        raise TrainingError("tenant_closed", "This team is being deleted; no training starts.")
    base = default_base_model()
    try:
        _refuse_flagged(training_set)  # before the double-click path hands back a queued run
    except TrainingError as exc:
        audit.append(tenant, "training.run_refused", actor=audit.actor_for_user(user),
                     target=f"training_set:{training_set.pk}", payload={"error": exc.code})
        raise
    with transaction.atomic():
        unfinished = _unfinished_run(training_set)
        if unfinished is not None:
            return _same_run_or_refuse(unfinished, base, hyperparameters)
        try:
            with transaction.atomic():  # a savepoint: losing the race must not end the outer one
                run = TrainingRun.objects.create(
                    training_set=training_set, base_revision=base.revision,
                    hyperparameters={}, created_by=user)
        except IntegrityError:
            unfinished = _unfinished_run(training_set)
            if unfinished is None:
                raise  # not the race: some other integrity problem
            return _same_run_or_refuse(unfinished, base, hyperparameters)
        try:
            run.hyperparameters = clean_hyperparameters(hyperparameters or {})
            _validate(training_set)
        except TrainingError as exc:
            _finish(run, RunState.FAILED_USER, exc.code, str(exc))
            audit.append(tenant, "training.run_refused", actor=audit.actor_for_user(user),
                         target=f"run:{run.pk}", payload={"error": exc.code})
            return run
        run.state, run.queued_at = RunState.QUEUED, timezone.now()
        run.save()
        audit.append(tenant, "training.run_queued", actor=audit.actor_for_user(user),
                     target=f"run:{run.pk}", model_pin=f"base:{base.revision}",
                     payload={"training_set": str(training_set.pk),
                              "hyperparameters": run.hyperparameters})
        transaction.on_commit(lambda: _enqueue(tenant.pk, run.pk))
    return run


def retrain_corrected(flagged: TrainingSet, user: User) -> TrainingRun:
    """Freeze a new snapshot of the (now corrected) approved examples and start a run with the
    flagged snapshot's last hyperparameters. The freeze gate applies: it raises
    phi_gate.ResidualPhiBlocked while candidates are left, and then nothing is created."""
    if not phi_gate.is_flagged(flagged):
        raise TrainingError("not_flagged", f"Training set v{flagged.version} has no PHI "
                            "report; start a run from the training page instead.")
    default_base_model()  # fail before freezing, not after
    previous = TrainingRun.objects.filter(training_set=flagged).order_by("-created_at").first()
    params = dict(previous.hyperparameters) if previous is not None else {}
    snapshot = curation_services.freeze_training_set(user)
    audit.append(current_tenant(), "training.retrain_after_phi_report",
                 actor=audit.actor_for_user(user), target=f"training_set:{snapshot.pk}",
                 payload={"flagged": str(flagged.pk),
                          "previous_run": str(previous.pk) if previous else None})
    return start_run(snapshot, user, params)


def phi_flagged_snapshots() -> list[dict[str, Any]]:
    """The tenant's flagged snapshots, newest first, with the adapters trained from them and
    the snapshot that replaced each (the first unflagged one frozen after its last flag)."""
    flagged = list(TrainingSet.objects.filter(phi_flags__isnull=False).distinct())
    found = []
    for snapshot in flagged:
        flags = list(snapshot.phi_flags.order_by("-created_at"))
        replaced_by = (TrainingSet.objects.filter(created_at__gt=flags[0].created_at,
                                                  phi_flags__isnull=True)
                       .order_by("version").first())
        adapters = list(AdapterVersion.objects.filter(run__training_set=snapshot))
        found.append({"snapshot": snapshot, "flagged_at": flags[0].created_at,
                      "reasons": sorted({f.reason for f in flags}), "adapters": adapters,
                      "replaced_by": replaced_by})
    return sorted(found, key=lambda f: -f["snapshot"].version)


def _unfinished_run(training_set: TrainingSet) -> TrainingRun | None:
    return TrainingRun.objects.filter(training_set=training_set,
                                      state__in=UNFINISHED_STATES).first()


def _same_run_or_refuse(run: TrainingRun, base: BaseModel,
                        hyperparameters: dict[str, Any] | None) -> TrainingRun:
    """The unfinished run when this start asks for exactly it (a double click), else refuse."""
    if run.state == RunState.CANCEL_REQUESTED:
        # Handing back a run that is about to stop would look like a start that worked.
        raise TrainingError("run_in_progress", "The last run of this snapshot is still "
                            "stopping; start it again once it has.")
    try:
        same = (clean_hyperparameters(hyperparameters or {}) == run.hyperparameters
                and run.base_revision == base.revision)
    except TrainingError:
        same = False
    if not same:
        raise TrainingError("run_in_progress", f"A run of this snapshot is already {run.state};"
                            " cancel it or wait for it to finish.")
    return run


def run_task_id(tenant_id: Any, run_id: Any) -> str:
    """The run's Celery task id names its tenant, so that a purge can find its messages and
    results by the tenant's id even where no row records them (at most 64 characters)."""
    return f"{_hex(tenant_id)}-train-{_hex(run_id)[:24]}"


def _hex(value: Any) -> str:
    return str(value).replace("-", "")


def _enqueue(tenant_id: Any, run_id: Any) -> None:
    from .tasks import train_adapter

    task_id = run_task_id(tenant_id, run_id)
    with tenant_scope(Tenant.objects.get(pk=tenant_id)):
        TrainingRun.objects.filter(pk=run_id).update(task_id=task_id)
    train_adapter.apply_async((str(tenant_id), str(run_id)), task_id=task_id)


def request_cancel(run: TrainingRun, user: User) -> TrainingRun:
    with transaction.atomic():
        run = TrainingRun.objects.select_for_update().get(pk=run.pk)
        if run.is_finished:
            raise TrainingError("finished", "This run has already finished.")
        if run.state in (RunState.VALIDATING, RunState.QUEUED):
            _finish(run, RunState.CANCELLED, "cancelled", "Cancelled before it started.")
        else:
            run.state = RunState.CANCEL_REQUESTED
            run.save(update_fields=["state"])
        audit.append(current_tenant(), "training.cancel_requested",
                     actor=audit.actor_for_user(user), target=f"run:{run.pk}")
    return run


def _finish(run: TrainingRun, state: str, code: str = "", message: str = "") -> None:
    run.state, run.error_code, run.error_message = state, code, message[:500]
    run.finished_at = timezone.now()
    run.save()


# --- execution (in the worker) -------------------------------------------------------------------


class _RunReporter:
    """Writes progress in short transactions of its own, so the UI sees it live."""

    def __init__(self, tenant: Tenant, run_id: Any) -> None:
        self.tenant, self.run_id = tenant, run_id

    def progress(self, update: Any) -> None:
        with tenant_scope(self.tenant):
            run = TrainingRun.objects.select_for_update().get(pk=self.run_id)
            run.step, run.total_steps = update.step, update.total
            point = {"step": update.step, "loss": round(float(update.loss), 5)}
            if update.eval_loss is not None:
                point["eval_loss"] = round(float(update.eval_loss), 5)
            run.loss_history = [*run.loss_history, point]
            run.metrics = {**run.metrics, "tokens_per_s": round(float(update.tokens_per_s), 1)}
            run.heartbeat_at = timezone.now()
            run.save(update_fields=["step", "total_steps", "loss_history", "metrics",
                                    "heartbeat_at"])

    def should_cancel(self) -> bool:
        """Checked by the trainer between steps: a cancel, or a purge of the tenant."""
        if closing.is_closed(self.tenant):
            return True
        with tenant_scope(self.tenant):
            state = TrainingRun.objects.filter(pk=self.run_id).values_list("state", flat=True)
            return state.first() == RunState.CANCEL_REQUESTED


def _audit_if_open(tenant: Tenant, action: str, **fields: Any) -> None:
    """The worker's own entries: a tenant being purged takes none, and the run must still
    reach its end state (the purge waits for it)."""
    try:
        audit.append(tenant, action, **fields)
    except closing.TenantClosed:
        log.info("not auditing %s of a tenant being purged", action)


def execute_run(tenant_id: str, run_id: str,
                trainer: Callable[..., Any] | None = None) -> str:
    """Train, upload and register one run; safe to call again for the same run."""
    from . import trainer as trainer_module

    train = trainer or trainer_module.train_lora
    tenant = Tenant.objects.get(pk=tenant_id)
    with tenant_scope(tenant):
        run = TrainingRun.objects.select_for_update().get(pk=run_id)
        if run.state in TERMINAL_STATES or AdapterVersion.objects.filter(run=run).exists():
            return run.state  # re-delivered after the work was done: nothing to do
        if run.state == RunState.CANCEL_REQUESTED:
            _finish(run, RunState.CANCELLED, "cancelled", "Cancelled before it started.")
            return run.state
        if closing.is_closed(tenant):
            _finish(run, RunState.CANCELLED, "tenant_purged", "The team is being deleted.")
            return run.state
        base = BaseModel.objects.filter(revision=run.base_revision).first()
        if base is None:
            _finish(run, RunState.FAILED_SYSTEM, "base_missing", "The base model is gone.")
            return run.state
        run.state, run.started_at = RunState.RUNNING, timezone.now()
        run.heartbeat_at = run.started_at
        run.worker_host, run.step, run.loss_history = socket.gethostname(), 0, []
        run.save()
        training_set = run.training_set
        params = dict(run.hyperparameters)
    reporter = _RunReporter(tenant, run.pk)
    host_caches.announce()  # the scratch folder below is a local copy of tenant data
    try:
        with tenant_scope(tenant):
            records = _validate(training_set)
        with tempfile.TemporaryDirectory(prefix=scratch_prefix(tenant)) as workdir:
            out_dir = Path(workdir) / "adapter"
            result = train(base_dir=Path(base.path), examples=records, out_dir=out_dir,
                           config=trainer_module.TrainConfig.from_dict(params),
                           max_lora_rank=settings.VLLM_MAX_LORA_RANK,
                           progress=reporter.progress, should_cancel=reporter.should_cancel,
                           base_model_id=base.public_id or None)
            if reporter.should_cancel():  # cancelled or purged while the last step ran
                raise trainer_module.TrainingCancelled
            with tenant_scope(tenant):
                TrainingRun.objects.filter(pk=run.pk).update(state=RunState.UPLOADING)
            adapter = _upload_and_register(tenant, run.pk, out_dir, base.revision,
                                           int(params["rank"]), result)
    except trainer_module.TrainingCancelled:
        with tenant_scope(tenant):
            _finish(TrainingRun.objects.get(pk=run.pk), RunState.CANCELLED, "cancelled",
                    "Cancelled while training.")
            _audit_if_open(tenant, "training.run_cancelled", actor="system:worker",
                           target=f"run:{run.pk}")
        return RunState.CANCELLED
    except (TrainingError, trainer_module.InvalidTrainingData) as exc:
        code = getattr(exc, "code", "invalid_data")
        _fail(tenant, run.pk, RunState.FAILED_USER, code, str(exc))
        return RunState.FAILED_USER
    except Exception as exc:
        log.exception("training run %s failed", run.pk)  # ids only: no training text
        _fail(tenant, run.pk, RunState.FAILED_SYSTEM, "worker_error", type(exc).__name__)
        raise
    return adapter.run.state


def _fail(tenant: Tenant, run_id: Any, state: str, code: str, message: str) -> None:
    with tenant_scope(tenant):
        run = TrainingRun.objects.get(pk=run_id)
        if not run.is_finished:
            _finish(run, state, code, message)
            _audit_if_open(tenant, "training.run_failed", actor="system:worker",
                           target=f"run:{run_id}", payload={"error": code})


def scratch_prefix(tenant: Tenant) -> str:
    """Training scratch folders name their tenant, so that a purge finds them on every host."""
    return f"sanoweb-train-{tenant.pk.hex}-"


def adapter_digest(file_hashes: dict[str, str]) -> str:
    """The adapter's identity: sha256 over its files' names and hashes."""
    return hashlib.sha256(json.dumps(file_hashes, sort_keys=True).encode()).hexdigest()


def _upload_and_register(tenant: Tenant, run_id: Any, out_dir: Path, base_revision: str,
                         rank: int, result: Any) -> AdapterVersion:
    # Whatever trainer wrote `out_dir`, what is stored names the base by its public id only,
    # with the exact base (revision, conversion source) recorded beside the config.
    base = BaseModel.objects.get(revision=base_revision)
    blobs = adapter_files.stored_files(out_dir, base.public_id or None, base.revision,
                                       base.converted_from)
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in blobs.items()}
    digest = adapter_digest(hashes)
    # Write under a temporary key first, then the final content-addressed key, verifying
    # each; the version row comes last, so a crash leaves at most orphaned bytes.
    tmp = [tenant_key(tenant, "tmp", f"run-{run_id}", name) for name in blobs]
    for key in tmp:
        if default_storage.exists(key):
            default_storage.delete(key)
    for key, name in zip(tmp, blobs, strict=True):
        write_new(key, blobs[name])
        read_verified(tenant, key, hashes[name])
    prefix = tenant_key(tenant, "adapters", digest)
    for name in blobs:
        final = f"{prefix}/{name}"
        if not default_storage.exists(final):  # same content from an earlier attempt is fine
            write_new(final, blobs[name])
        read_verified(tenant, final, hashes[name])
    for key in tmp:
        default_storage.delete(key)
    with tenant_scope(tenant):
        run = TrainingRun.objects.select_for_update().get(pk=run_id)
        try:
            with transaction.atomic():
                adapter = AdapterVersion.objects.create(
                    run=run, sha256=digest, size_bytes=sum(len(b) for b in blobs.values()),
                    storage_prefix=prefix, files=hashes, base_revision=base_revision, rank=rank)
        except IntegrityError:  # another delivery registered it first
            return AdapterVersion.objects.get(run=run)
        run.metrics = {**run.metrics, **getattr(result, "metrics", {})}
        _finish(run, RunState.SUCCEEDED)
        audit.append(tenant, "training.adapter_registered", actor="system:worker",
                     target=f"adapter:{adapter.pk}", model_pin=adapter.model_pin,
                     payload={"run": str(run_id), "sha256": digest})
        first = not PinnedAdapter.objects.exists()
        if first:  # a tenant's first adapter goes live at once
            _pin(adapter, "system:worker")
        # every later one waits for its evaluation and the promotion gate
        promotion.queue_evaluation(adapter, first=first)
    return adapter


def mark_stale_runs_failed(now: Any = None) -> int:
    """Runs whose worker stopped reporting (killed, host lost) become failed_system."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.TRAINING_STALE_AFTER)
    count = 0
    for tenant in Tenant.objects.all():
        with tenant_scope(tenant):
            for run in TrainingRun.objects.filter(
                    state__in=[RunState.RUNNING, RunState.UPLOADING, RunState.CANCEL_REQUESTED],
                    heartbeat_at__lt=cutoff):
                _finish(run, RunState.FAILED_SYSTEM, "worker_lost",
                        "The worker stopped reporting; start the run again.")
                _audit_if_open(tenant, "training.run_failed", actor="system:reaper",
                               target=f"run:{run.pk}", payload={"error": "worker_lost"})
                count += 1
    return count


# --- the adapter registry ------------------------------------------------------------------------


def _pin(adapter: AdapterVersion, actor: str) -> None:
    previous = PinnedAdapter.objects.filter(tenant=adapter.tenant).first()
    PinnedAdapter.objects.update_or_create(tenant=adapter.tenant, defaults={"adapter": adapter})
    audit.append(adapter.tenant, "training.adapter_pinned", actor=actor,
                 target=f"adapter:{adapter.pk}", model_pin=adapter.model_pin,
                 payload={"previous": str(previous.adapter_id) if previous else None})
    if previous is not None and previous.adapter_id != adapter.pk:
        # The retired version leaves the serving engine once the new pin is committed.
        # (inference unloads it: training does not reach up into the serving layer)
        retired = previous.adapter.serving_name
        transaction.on_commit(lambda: adapter_retired.send(AdapterVersion, serving_name=retired))


@transaction.atomic
def activate(adapter: AdapterVersion, user: User) -> None:
    """Pin `adapter` for inference (activation and roll-back are the same act); never one the
    serving engine's load-time check refused."""
    if not adapter.servable:
        raise TrainingError("adapter_refused", f"{adapter.serving_name} was refused when it was "
                            f"loaded ({adapter.load_check_reason}); it cannot be activated.")
    _pin(adapter, audit.actor_for_user(user))


def version_numbers() -> dict[Any, int]:
    """The tenant's adapter versions as people name them: v1, v2, ... in registration order."""
    ordered = AdapterVersion.objects.order_by("created_at", "pk").values_list("pk", flat=True)
    return {pk: number for number, pk in enumerate(ordered, start=1)}


def pinned_adapter() -> AdapterVersion | None:
    pin = PinnedAdapter.objects.select_related("adapter").first()
    return pin.adapter if pin else None
