"""Continuous retraining: a tenant whose approved training examples not yet in any snapshot
reach its policy's threshold gets a new snapshot and a training run, by itself.

Celery beat calls `retrain_due_tenants`; each tenant due is frozen and queued through the same
services a tenant admin uses (`freeze_training_set`, `start_run`), so the PHI gate, the
validation and the one-unfinished-run rule all apply. Held-out examples never count: they do
not train. A tenant with a run still unfinished is not due (one run at a time), and a freeze
the PHI gate blocks is audited once per reason, not at every beat.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from curation import phi_gate
from curation import services as curation_services
from curation.models import Example, Split
from tenants import audit, closing
from tenants.models import Membership, Role, Tenant
from tenants.scoping import current_tenant, tenant_scope

from .models import UNFINISHED_STATES, RetrainPolicy, RunState, TrainingRun
from .services import TrainingError, default_base_model, start_run

log = logging.getLogger(__name__)
ACTOR = "system:retrain"


def is_due(new_approved: int, threshold: int, *, run_unfinished: bool) -> bool:
    """Retrain once `threshold` (> 0) new approved training examples wait and no run is."""
    return threshold > 0 and new_approved >= threshold and not run_unfinished


def threshold() -> int:
    """The current tenant's threshold: its policy, else RETRAIN_AFTER_APPROVALS."""
    policy = RetrainPolicy.objects.filter(tenant=current_tenant()).first()
    if policy is not None and policy.retrain_after_approvals is not None:
        return policy.retrain_after_approvals
    return int(settings.RETRAIN_AFTER_APPROVALS)


def new_approved_count() -> int:
    """Approved training examples that no snapshot has frozen yet (held-out ones never)."""
    return (Example.objects.filter(status=Example.Status.APPROVED, frozen_in__isnull=True)
            .exclude(split=Split.EVAL).count())


@transaction.atomic
def set_policy(user: User, retrain_after_approvals: int | None) -> RetrainPolicy:
    """A tenant admin sets the threshold (None: the platform's default; 0: never)."""
    if retrain_after_approvals is not None and not 0 <= retrain_after_approvals <= 100_000:
        raise TrainingError("bad_policy", "Give a number of approvals between 0 and 100000.")
    tenant = current_tenant()
    policy, _ = RetrainPolicy.objects.get_or_create(tenant=tenant)
    policy.retrain_after_approvals, policy.set_by = retrain_after_approvals, user
    policy.save()
    audit.append(tenant, "training.retrain_policy_set", actor=audit.actor_for_user(user),
                 payload={"retrain_after_approvals": retrain_after_approvals})
    return policy


def _acting_user(tenant: Tenant) -> User | None:
    """Whose name the snapshot and run carry: the admin who set the policy while still an
    admin, else the tenant's longest-standing admin (the audit names the system as actor)."""
    admins = Membership.objects.filter(tenant=tenant, role=Role.TENANT_ADMIN,
                                       user__is_active=True).order_by("created_at")
    policy = RetrainPolicy.objects.filter(tenant=tenant).first()
    if policy is not None and policy.set_by_id is not None:
        chosen = admins.filter(user_id=policy.set_by_id).first()
        if chosen is not None:
            return chosen.user
    first = admins.select_related("user").first()
    return first.user if first is not None else None


def _skip(tenant: Tenant, reason: str, **payload: Any) -> None:
    policy, _ = RetrainPolicy.objects.get_or_create(tenant=tenant)
    if policy.last_skip_reason != reason:  # once per reason, not at every beat
        audit.append(tenant, "training.retrain_skipped", actor=ACTOR,
                     payload={"reason": reason, **payload})
        policy.last_skip_reason = reason
        policy.save(update_fields=["last_skip_reason", "updated_at"])


def retrain_if_due(tenant: Tenant) -> TrainingRun | None:
    """Freeze and queue a run for `tenant` when its policy says so; the run, or None."""
    if tenant.status != Tenant.Status.ACTIVE or closing.is_closed(tenant):
        return None
    with tenant_scope(tenant):
        limit, waiting = threshold(), new_approved_count()
        busy = TrainingRun.objects.filter(state__in=UNFINISHED_STATES).exists()
        if not is_due(waiting, limit, run_unfinished=busy):
            return None
        user = _acting_user(tenant)
        if user is None:
            _skip(tenant, "no_tenant_admin")
            return None
        try:
            default_base_model()  # before freezing: a snapshot left without a run is not due
        except TrainingError as exc:
            _skip(tenant, exc.code)
            return None
        try:
            snapshot = curation_services.freeze_training_set(user)
        except phi_gate.ResidualPhiBlocked as exc:
            _skip(tenant, "residual_phi", examples=len(exc.example_ids))
            return None
        except curation_services.CurationError:
            _skip(tenant, "nothing_to_freeze")
            return None
        previous = (TrainingRun.objects.filter(state=RunState.SUCCEEDED)
                    .order_by("-created_at").first())
        params = dict(previous.hyperparameters) if previous is not None else {}
        audit.append(tenant, "training.retrain_triggered", actor=ACTOR,
                     target=f"training_set:{snapshot.pk}",
                     payload={"new_approved": waiting, "threshold": limit,
                              "on_behalf_of": audit.actor_for_user(user)})
        try:
            run = start_run(snapshot, user, params)
        except TrainingError as exc:
            _skip(tenant, exc.code)
            return None
        RetrainPolicy.objects.update_or_create(
            tenant=tenant, defaults={"last_triggered_at": timezone.now(), "last_skip_reason": ""})
    return run


def retrain_due_tenants() -> int:
    """Every active tenant that is due: how many runs were started."""
    started = 0
    for tenant in Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("pk"):
        try:
            started += retrain_if_due(tenant) is not None
        except closing.TenantClosed:
            continue  # being purged since the query: nothing to train
        except Exception:
            log.exception("retrain check of tenant %s failed", tenant.pk)  # ids only
    return started
