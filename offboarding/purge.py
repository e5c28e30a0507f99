"""Tenant deletion under a BAA: two-person approval, purge everywhere, signed certificate.

The purge is a list of idempotent steps recorded on the PurgeRequest as they finish, so a
purge killed halfway resumes where it stopped. What it deletes is found through
tenants.registry (every tenant-owned table) and the tenant's storage prefix, and
`verify_purge` checks the same places plus the vLLM server and the shared state.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from datetime import timedelta
from typing import Any

import httpx
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from . import audit, shared_state, signing
from .dbroles import owner_credentials
from .models import (
    AuditChainHead,
    DeletionCertificate,
    ExportRequest,
    Membership,
    PurgeRequest,
    Tenant,
)
from .registry import model_label, tenant_owned_models
from .scoping import tenant_scope
from .storage import list_keys, tenant_prefix

STEPS = ("evidence", "engine", "storage", "shared_state", "rows", "finish")


class PurgeError(ValueError):
    """A purge request the rules refuse; the message is safe to show."""


ALREADY_OPEN = "A purge of this tenant is already open."


def request_purge(tenant: Tenant, operator: AbstractBaseUser, reason: str) -> PurgeRequest:
    if not getattr(operator, "is_superuser", False):
        raise PurgeError("Only platform operators may request a purge.")
    if not reason.strip():
        raise PurgeError("Give the reason for the purge.")
    if tenant.status == Tenant.Status.PURGED:
        raise PurgeError("This tenant is already purged.")
    with transaction.atomic():
        if _open_purge_exists(tenant):
            raise PurgeError(ALREADY_OPEN)
        try:
            # The check above is only the fast answer: two requests at once both pass it, and
            # the constraint one_open_purge_per_tenant refuses the second insert.
            with transaction.atomic():
                purge = PurgeRequest.objects.create(
                    tenant=tenant, reason=reason.strip()[:500], requested_by=operator,
                    deadline=timezone.now() + timedelta(days=tenant.deletion_sla_days))
        except IntegrityError as exc:
            if not _open_purge_exists(tenant):
                raise  # not the race: some other integrity problem
            raise PurgeError(ALREADY_OPEN) from exc
        audit.append(tenant, "purge.requested", actor=audit.actor_for_user(operator),
                     target=f"purge:{purge.pk}")
    return purge


def _open_purge_exists(tenant: Tenant) -> bool:
    return PurgeRequest.objects.filter(tenant=tenant).exclude(
        status=PurgeRequest.Status.DONE).exists()


def approve_purge(purge: PurgeRequest, operator: AbstractBaseUser) -> PurgeRequest:
    """A second operator approves: the tenant is suspended at once and the purge queued."""
    if not getattr(operator, "is_superuser", False):
        raise PurgeError("Only platform operators may approve a purge.")
    with transaction.atomic():
        purge = PurgeRequest.objects.select_for_update().get(pk=purge.pk)
        if purge.requested_by_id == operator.pk:
            raise PurgeError("Another operator must approve a purge you requested.")
        if purge.status != PurgeRequest.Status.PENDING:
            raise PurgeError("This purge request is not waiting for approval.")
        purge.status, purge.approved_by, purge.approved_at = (
            PurgeRequest.Status.APPROVED, operator, timezone.now())
        purge.save()
        Tenant.objects.filter(pk=purge.tenant_id).update(status=Tenant.Status.PURGING)
        audit.append(purge.tenant, "purge.approved", actor=audit.actor_for_user(operator),
                     target=f"purge:{purge.pk}")
        transaction.on_commit(lambda: _enqueue(purge.pk))
    return purge


def _enqueue(purge_id: int) -> None:
    from .tasks import purge_tenant

    purge_tenant.delay(purge_id)


def run_purge(purge_id: int) -> PurgeRequest:
    purge = PurgeRequest.objects.select_related("tenant").get(pk=purge_id)
    if purge.status == PurgeRequest.Status.DONE:
        return purge
    if purge.status != PurgeRequest.Status.APPROVED:
        raise PurgeError("The purge has not been approved.")
    for step in STEPS:
        if step in purge.steps_done:
            continue
        globals()[f"_step_{step}"](purge)
        purge.steps_done = [*purge.steps_done, step]
        purge.save(update_fields=["steps_done", "evidence", "status", "completed_at"])
    return purge


def purge_evidence_list(tenant: Tenant, kind: str) -> list[str]:
    training = apps.get_model("training", "AdapterVersion")
    snapshots = apps.get_model("curation", "TrainingSet")
    runs = apps.get_model("training", "TrainingRun")
    with tenant_scope(tenant):
        if kind == "adapters":
            return sorted(training.objects.values_list("sha256", flat=True))
        if kind == "training_sets":
            return sorted(snapshots.objects.values_list("sha256", flat=True))
        return sorted(t for t in runs.objects.values_list("task_id", flat=True) if t)


def _step_evidence(purge: PurgeRequest) -> None:
    tenant = purge.tenant
    audit.append(tenant, "purge.executing", actor="system:purge", target=f"purge:{purge.pk}")
    with tenant_scope(tenant):
        counts = {model_label(m): m.objects.count()  # type: ignore[attr-defined]
                  for m in tenant_owned_models()}
        head = AuditChainHead.objects.filter(tenant=tenant).first()
    purge.evidence = {
        "counts": counts,
        "memberships": Membership.objects.filter(tenant=tenant).count(),
        "api_keys": apps.get_model("inference", "ApiKey").objects.filter(tenant=tenant).count(),
        "adapter_sha256": purge_evidence_list(tenant, "adapters"),
        "training_set_sha256": purge_evidence_list(tenant, "training_sets"),
        "task_ids": purge_evidence_list(tenant, "tasks"),
        "storage_objects": len(list_keys(tenant_prefix(tenant))),
        "final_audit_head": {"seq": head.seq if head else 0,
                             "entry_hash": head.entry_hash if head else audit.GENESIS_HASH},
    }


def _engine_headers() -> dict[str, str]:
    from inference import engine_auth

    return engine_auth.headers()


def _step_engine(purge: PurgeRequest) -> None:
    from inference import residency

    tenant = purge.tenant
    for sha in purge.evidence.get("adapter_sha256", []):
        residency.unload(f"t{tenant.pk.hex}-{sha[:16]}")
    shutil.rmtree(residency.cache_root() / str(tenant.pk), ignore_errors=True)


def _step_storage(purge: PurgeRequest) -> None:
    for key in list_keys(tenant_prefix(purge.tenant)):
        default_storage.delete(key)
    if hasattr(default_storage, "path"):  # filesystem: remove the emptied folders too
        with contextlib.suppress(NotImplementedError):
            shutil.rmtree(default_storage.path(tenant_prefix(purge.tenant)), ignore_errors=True)


def _step_shared_state(purge: PurgeRequest) -> None:
    """Celery results of the tenant's tasks and every shared-state entry naming the tenant,
    on whichever backend is configured (Redis, or the embedded default's files)."""
    from celery import current_app

    for task_id in purge.evidence.get("task_ids", []):
        with contextlib.suppress(NotImplementedError):
            current_app.backend.forget(task_id)
    shared_state.backend().delete_matching(purge.tenant.pk.hex)


def _step_rows(purge: PurgeRequest) -> None:
    """Delete every tenant-owned row (the owner role, with the audit purge flag), then the
    memberships and API keys."""
    tenant = purge.tenant
    with owner_credentials():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('sanoweb.allow_audit_purge', 'on', false)")
        remaining = list(tenant_owned_models())
        with tenant_scope(tenant):
            while remaining:
                progress = False
                for model in list(remaining):
                    try:
                        with transaction.atomic():
                            model.objects.all().delete()  # type: ignore[attr-defined]
                        remaining.remove(model)
                        progress = True
                    except ProtectedError:
                        continue  # rows of another model still point here: later pass
                if not progress:
                    raise PurgeError(f"Could not delete {[model_label(m) for m in remaining]}")
    Membership.objects.filter(tenant=tenant).delete()
    apps.get_model("inference", "ApiKey").objects.filter(tenant=tenant).delete()
    ExportRequest.objects.filter(tenant=tenant).delete()  # their files went with the prefix


def _step_finish(purge: PurgeRequest) -> None:
    tenant = purge.tenant
    now = timezone.now()
    Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.PURGED)
    body = {
        "certificate": "sanoweb-deletion/1",
        "tenant": {"id": str(tenant.pk), "slug": tenant.slug, "name": tenant.name},
        "reason": purge.reason,
        "requested_by": purge.requested_by.get_username(),
        "approved_by": purge.approved_by.get_username() if purge.approved_by else None,
        "requested_at": purge.requested_at.isoformat(),
        "approved_at": purge.approved_at.isoformat() if purge.approved_at else None,
        "completed_at": now.isoformat(),
        "deadline": purge.deadline.isoformat(),
        "sla_met": now <= purge.deadline,
        "deleted": purge.evidence,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    DeletionCertificate.objects.get_or_create(purge=purge, defaults={
        "body": canonical.decode(), "signature": signing.sign(canonical),
        "public_key": signing.public_key_pem()})
    purge.status, purge.completed_at = PurgeRequest.Status.DONE, now


def verify_purge(tenant: Tenant) -> list[str]:
    """Everything of `tenant` still found in the database, storage, vLLM or the shared state."""
    left: list[str] = []
    with tenant_scope(tenant):
        for model in tenant_owned_models():
            count = model.objects.count()  # type: ignore[attr-defined]
            if count:
                left.append(f"database: {count} rows in {model_label(model)}")
    for label, count in (("memberships", Membership.objects.filter(tenant=tenant).count()),
                         ("exports", ExportRequest.objects.filter(tenant=tenant).count()),
                         ("api keys", apps.get_model("inference", "ApiKey").objects.filter(
                             tenant=tenant).count())):
        if count:
            left.append(f"database: {count} {label}")
    keys = list_keys(tenant_prefix(tenant))
    if keys:
        left.append(f"storage: {len(keys)} objects under {tenant_prefix(tenant)}")
    try:
        served = httpx.get(f"{settings.VLLM_URL}/v1/models", timeout=10,
                           headers=_engine_headers()).json().get("data", [])
        loaded = [m["id"] for m in served if m["id"].startswith(f"t{tenant.pk.hex}-")]
        if loaded:
            left.append(f"vLLM: adapters still loaded: {', '.join(loaded)}")
    except (httpx.HTTPError, ValueError):
        left.append(f"vLLM: could not be checked at {settings.VLLM_URL}")
    state = shared_state.backend()
    found = state.find(tenant.pk.hex)
    if found:
        left.append(f"shared state ({state.description}): {len(found)} entries")
    return left


def certificate_document(certificate: DeletionCertificate) -> dict[str, Any]:
    return {"body": json.loads(certificate.body), "signature": certificate.signature,
            "public_key": certificate.public_key, "algorithm": "Ed25519"}
