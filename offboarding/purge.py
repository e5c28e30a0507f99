"""Tenant deletion under a BAA: two-person approval, purge everywhere, signed certificate.

Approval closes the tenant at once (tenants.closing: no new audit entries but the purge's
own, no exports, training or inference). The purge then runs idempotent steps, recorded on the
PurgeRequest as they finish so that a purge killed halfway resumes where it stopped:

  stop         every activity on the data map is stopped (training runs cancelled, queued
               exports failed, open streams ended) and waited for
  evidence     what each place holds (counts, hashes, ids), the audit chain's final head and a
               signed checkpoint of it
  delete:<p>   each place on the data map deleted, in the map's order
  verify       verify_purge over the whole map; anything found undoes the delete steps and the
               task tries again later (PurgeNotYet)
  certificate  only now, with nothing found: the tenant is marked purged and the certificate
               signed

What survives is on the map as Retained places: the tenant row, the purge record, the
certificate and the signed audit checkpoints (tenants/audit.py says why not the chain).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from tenants import audit, checkpoints, closing, sequencer, signing, tenant_data
from tenants.dbroles import owner_credentials
from tenants.models import AuditChainHead, DeletionCertificate, PurgeRequest, Tenant
from tenants.scoping import tenant_scope
from tenants.tenant_data import Kind

STEPS = ("stop", "evidence", "delete", "verify", "certificate")
CERTIFICATE = "sanoweb-deletion/2"


class PurgeError(ValueError):
    """A purge request the rules refuse; the message is safe to show."""


class PurgeNotYet(RuntimeError):
    """Work is still running, or verification still finds data: the purge is tried again."""


ALREADY_OPEN = "A purge of this tenant is already open."


def request_purge(tenant: Tenant, operator: User, reason: str) -> PurgeRequest:
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


def approve_purge(purge: PurgeRequest, operator: User) -> PurgeRequest:
    """A second operator approves: the tenant is closed at once and the purge queued."""
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
        closing.close(purge.tenant)  # waits for writers of the tenant holding its row
        audit.append(purge.tenant, "purge.approved", actor=audit.actor_for_user(operator),
                     target=f"purge:{purge.pk}")
        transaction.on_commit(lambda: _enqueue(purge.pk))
    return purge


def _enqueue(purge_id: int) -> None:
    from .tasks import purge_tenant

    purge_tenant.delay(purge_id)


def run_purge(purge_id: int) -> PurgeRequest:
    """Run the purge's remaining steps; PurgeNotYet when it must be tried again later."""
    purge = PurgeRequest.objects.select_related("tenant").get(pk=purge_id)
    if purge.status == PurgeRequest.Status.DONE:
        return purge
    if purge.status != PurgeRequest.Status.APPROVED:
        raise PurgeError("The purge has not been approved.")
    for step in STEPS:
        if step not in purge.steps_done:
            globals()[f"_step_{step}"](purge)
            _done(purge, step)
    return purge


def _done(purge: PurgeRequest, step: str) -> None:
    purge.steps_done = [*purge.steps_done, step]
    purge.save(update_fields=["steps_done", "evidence", "status", "completed_at"])


def _step_stop(purge: PurgeRequest) -> None:
    """Stop every activity of the tenant and wait until none runs (each stop is idempotent:
    a retry asks again)."""
    tenant = purge.tenant
    stopped = {activity.name: activity.stop(tenant) for activity in tenant_data.activities()}
    if "stopped" not in purge.evidence:  # what the first attempt found running is the record
        purge.evidence = {**purge.evidence, "stopped": stopped}
        purge.save(update_fields=["evidence"])
    deadline = time.monotonic() + settings.PURGE_STOP_WAIT
    while running := {a.name: left for a in tenant_data.activities()
                      if (left := a.running(tenant))}:
        if time.monotonic() > deadline:
            purge.evidence = {**purge.evidence, "still_running": running}
            purge.save(update_fields=["evidence"])
            raise PurgeNotYet(f"still running: {running}")
        time.sleep(0.25)
    purge.evidence = {**purge.evidence, "still_running": {}}
    audit.append(tenant, "purge.work_stopped", actor="system:purge", target=f"purge:{purge.pk}",
                 payload={name: len(lines) for name, lines in purge.evidence["stopped"].items()})


def _step_evidence(purge: PurgeRequest) -> None:
    tenant = purge.tenant
    audit.append(tenant, "purge.executing", actor="system:purge", target=f"purge:{purge.pk}")
    sequencer.flush(tenant)  # the final head covers every entry accepted until now
    inventory = {p.name: p.inventory(tenant) for p in tenant_data.places()
                 if p.kind != Kind.RETAINED}
    with tenant_scope(tenant):
        head = AuditChainHead.objects.filter(tenant=tenant).first()
    try:
        # The last signed checkpoint is the final head: what stays of the chain (audit.py).
        signed = checkpoints.write_checkpoint(tenant)
        latest = signed or checkpoints.verify_audit(tenant).latest_checkpoint
        final_checkpoint: dict[str, Any] = (
            {"seq": latest.seq, "signature": latest.signature} if latest else {})
    except checkpoints.CheckpointError as exc:  # a broken chain is recorded, not kept
        final_checkpoint = {"refused": str(exc)}
    purge.evidence = {
        **purge.evidence,
        "places": inventory,
        "final_audit_head": {"seq": head.seq if head else 0,
                             "entry_hash": head.entry_hash if head else audit.GENESIS_HASH},
        "final_checkpoint": final_checkpoint,
    }


@contextmanager
def _deletion_rights() -> Iterator[None]:
    """The owner role with the audit purge flag: the runtime role may delete neither audit
    entries nor immutable rows (tenants.rls)."""
    with owner_credentials():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('sanoweb.allow_audit_purge', 'on', false)")
        yield


def _step_delete(purge: PurgeRequest) -> None:
    """Every place on the map, in its order; a table still referenced by another place's rows
    (ProtectedError) is retried after the others."""
    tenant, inventory = purge.tenant, purge.evidence.get("places", {})
    pending = [p for p in tenant_data.places() if p.kind != Kind.RETAINED
               and f"delete:{p.name}" not in purge.steps_done]
    with _deletion_rights():
        while pending:
            progress = False
            for place in list(pending):
                try:
                    with transaction.atomic():
                        place.delete(tenant, inventory.get(place.name, {}))
                except ProtectedError:
                    continue
                pending.remove(place)
                progress = True
                _done(purge, f"delete:{place.name}")
            if not progress:
                raise PurgeError(f"Could not delete {[p.name for p in pending]}")


def _step_verify(purge: PurgeRequest) -> None:
    """verify_purge over the whole map; anything found sends the purge back to delete."""
    left = verify_purge(purge.tenant, purge.evidence.get("places", {}))
    purge.evidence = {**purge.evidence, "verified": {
        "at": timezone.now().isoformat(), "left": left,
        "places": [p.name for p in tenant_data.places()]}}
    if left:
        purge.steps_done = [s for s in purge.steps_done if not s.startswith("delete")]
        purge.save(update_fields=["steps_done", "evidence"])
        raise PurgeNotYet("verify_purge still finds: " + "; ".join(left))


def _step_certificate(purge: PurgeRequest) -> None:
    tenant = purge.tenant
    now = timezone.now()
    if purge.evidence.get("verified", {}).get("left", ["not verified"]):
        raise PurgeError("The purge was not verified clean; no certificate.")
    Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.PURGED)
    evidence = purge.evidence
    body = {
        "certificate": CERTIFICATE,
        "tenant": {"id": str(tenant.pk), "slug": tenant.slug, "name": tenant.name},
        "reason": purge.reason,
        "requested_by": purge.requested_by.get_username(),
        "approved_by": purge.approved_by.get_username() if purge.approved_by else None,
        "requested_at": purge.requested_at.isoformat(),
        "approved_at": purge.approved_at.isoformat() if purge.approved_at else None,
        "completed_at": now.isoformat(),
        "deadline": purge.deadline.isoformat(),
        "sla_met": now <= purge.deadline,
        "stopped": evidence.get("stopped", {}),
        "deleted": evidence.get("places", {}),
        "verified": evidence["verified"],
        "final_audit_head": evidence.get("final_audit_head", {}),
        "final_checkpoint": evidence.get("final_checkpoint", {}),
        "retained": {p.name: p.not_exported or "retained" for p in tenant_data.places(
            Kind.RETAINED)},
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    DeletionCertificate.objects.get_or_create(purge=purge, defaults={
        "body": canonical.decode(), "signature": signing.sign(canonical),
        "public_key": signing.public_key_pem()})
    purge.status, purge.completed_at = PurgeRequest.Status.DONE, now


def verify_purge(tenant: Tenant, inventory: dict[str, Any] | None = None) -> list[str]:
    """Everything of `tenant` still found by any place on the data map: tables, storage (every
    object version), shared state, Celery, every host's caches, every engine. `inventory`
    defaults to the one the tenant's purge recorded."""
    if inventory is None:
        last = PurgeRequest.objects.filter(tenant=tenant).order_by("-requested_at").first()
        inventory = last.evidence.get("places", {}) if last else {}
    left: list[str] = []
    for place in tenant_data.places():
        left += place.remaining(tenant, inventory.get(place.name, {}))
    return left


def certificate_document(certificate: DeletionCertificate) -> dict[str, Any]:
    return {"body": json.loads(certificate.body), "signature": certificate.signature,
            "public_key": certificate.public_key, "algorithm": "Ed25519"}
