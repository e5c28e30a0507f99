"""API keys end with their creator's authority: when a membership is deleted, or its role
no longer grants tenant admin, the keys that member created in that tenant are revoked. On
the model's signals, so that every path (services, admin, purge) is covered.

A retired adapter version (training.signals.adapter_retired) leaves the serving engine."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tenants.models import Membership, Role, Tenant
from training.signals import adapter_registered, adapter_retired

from . import residency
from .services import revoke_keys_of_departed

log = logging.getLogger(__name__)


def _active(instance: Membership) -> bool:
    # A tenant being purged loses its keys and its audit chain wholesale; nothing to append.
    return Tenant.objects.filter(pk=instance.tenant_id, status=Tenant.Status.ACTIVE).exists()


@receiver(post_save, sender=Membership)
def _role_changed(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    if not instance.grants(Role.TENANT_ADMIN) and _active(instance):
        revoke_keys_of_departed(instance.tenant_id, instance.user_id, reason="role_changed")


@receiver(post_delete, sender=Membership)
def _member_left(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    if _active(instance):
        revoke_keys_of_departed(instance.tenant_id, instance.user_id, reason="member_left")


@receiver(adapter_retired, dispatch_uid="inference.unload_retired")
def _unload_retired(sender: Any, serving_name: str, **kwargs: Any) -> None:
    try:
        residency.unload(serving_name)
    except Exception:  # (best effort: LRU eviction removes it later anyway)
        log.warning("could not unload retired adapter %s", serving_name)


@receiver(adapter_registered, dispatch_uid="inference.evaluate_registered")
def _evaluate_registered(sender: Any, tenant_id: Any, adapter_id: Any, **kwargs: Any) -> None:
    """Queue the new adapter's evaluation on the gpu queue (training.promotion queued its row)."""
    from tenants.scoping import tenant_scope
    from training.models import AdapterEvaluation

    from .tasks import evaluate_adapter, evaluation_task_id

    task_id = evaluation_task_id(tenant_id, adapter_id)
    with tenant_scope(Tenant.objects.get(pk=tenant_id)):
        AdapterEvaluation.objects.filter(adapter_id=adapter_id).update(task_id=task_id)
    evaluate_adapter.apply_async((str(tenant_id), str(adapter_id)), task_id=task_id)
