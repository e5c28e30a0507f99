"""Per-tenant API keys: created and revoked by tenant admins, shown once, stored hashed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from tenants import audit
from tenants.models import Tenant
from tenants.scoping import tenant_scope

from .models import ApiKey, InferenceSettings

KEY_PREFIX = "sk-sano-"


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str  # the full key, shown to the admin once


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_key(tenant: Tenant, name: str, user: User) -> NewKey:
    name = name.strip()[:100] or "API key"
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}{prefix}-{secrets.token_urlsafe(32)}"
    expires = timezone.now() + timedelta(days=settings.INFERENCE_API_KEY_DAYS)
    key = ApiKey.objects.create(tenant=tenant, name=name, prefix=prefix,
                                secret_sha256=_hash(secret), created_by=user, expires_at=expires)
    audit.append(tenant, "inference.api_key_created", actor=audit.actor_for_user(user),
                 target=f"apikey:{prefix}")
    return NewKey(key, secret)


@transaction.atomic
def revoke_key(key: ApiKey, user: User) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.append(key.tenant, "inference.api_key_revoked", actor=audit.actor_for_user(user),
                     target=f"apikey:{key.prefix}")


def authenticate(secret: str) -> ApiKey | None:
    """The live key for `secret`, or None (never says which part failed). The caller refuses
    keys of a suspended tenant (403)."""
    if not secret.startswith(KEY_PREFIX):
        return None
    prefix = secret[len(KEY_PREFIX):].split("-", 1)[0]
    key = ApiKey.objects.select_related("tenant").filter(prefix=prefix).first()
    if (key is None or key.revoked_at is not None
            or not hmac.compare_digest(key.secret_sha256, _hash(secret))
            or (key.expires_at is not None and key.expires_at <= timezone.now())):
        return None
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def revoke_keys_of_departed(membership_tenant_id: Any, user_id: Any, *, reason: str) -> int:
    """Keys a member created stop working when they leave the tenant or stop being its admin:
    a key must not outlive the authority of the person who made it."""
    with transaction.atomic():
        keys = list(ApiKey.objects.select_for_update().filter(
            tenant_id=membership_tenant_id, created_by_id=user_id, revoked_at__isnull=True))
        for key in keys:
            key.revoked_at, key.revoked_reason = timezone.now(), reason
            key.save(update_fields=["revoked_at", "revoked_reason"])
            audit.append(key.tenant, "inference.api_key_revoked", actor="system:membership",
                         target=f"apikey:{key.prefix}", payload={"reason": reason})
    return len(keys)


def set_require_adapter(tenant: Tenant, value: bool, user: User) -> None:
    with tenant_scope(tenant):
        InferenceSettings.objects.update_or_create(tenant=tenant,
                                                   defaults={"require_adapter": value})
    audit.append(tenant, "inference.settings_changed", actor=audit.actor_for_user(user),
                 payload={"require_adapter": value})
