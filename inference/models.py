"""Per-tenant API keys and inference settings; the platform's view of its serving engines."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from tenants.models import Tenant, TenantOwned


class InferenceSettings(TenantOwned):
    tenant = models.OneToOneField(Tenant, on_delete=models.PROTECT, primary_key=True,
                                  editable=False)
    require_adapter = models.BooleanField(
        default=False, help_text="Refuse inference (503) until the tenant has its own adapter.")

    def __str__(self) -> str:
        return f"inference settings (require_adapter={self.require_adapter})"


class ApiKey(models.Model):
    """A tenant's API key. Global table (allow-listed): it is looked up by prefix before the
    tenant is known. Only a hash of the secret is kept; the key is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=64, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Keys end: a key nobody rotates is a key nobody watches (INFERENCE_API_KEY_DAYS).
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class EngineState(models.Model):
    """What the router knows about one vLLM server (global; holds no tenant data)."""

    url = models.CharField(max_length=200, unique=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # In rotation: only after a canary passed on this start, and never while quarantined.
    healthy = models.BooleanField(default=False)
    # Set by a failed or broken canary; only an operator's return_to_rotation clears it, so a
    # restart (which passes a fresh canary) cannot quietly put a leaking engine back.
    quarantined = models.BooleanField(default=False)
    canary_passed_at = models.DateTimeField(null=True, blank=True)
    last_canary = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.url} ({'healthy' if self.healthy else 'OUT OF ROTATION'})"

    @property
    def canary_passed_since_start(self) -> bool:
        return bool(self.canary_passed_at and self.started_at
                    and self.canary_passed_at >= self.started_at)


class PlatformEvent(models.Model):
    """Append-only platform record (engine taken out of rotation, canary results)."""

    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=64)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.created_at:%Y-%m-%d %H:%M}"


class FineTuningJob(TenantOwned):
    """What the OpenAI-compatible fine-tuning API adds to a training run it started: the
    caller's suffix and metadata, and the key that asked (inference.fine_tuning)."""

    run = models.OneToOneField("training.TrainingRun", on_delete=models.PROTECT,
                               related_name="api_job")
    suffix = models.CharField(max_length=64, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    key_prefix = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"fine-tuning job for {self.run_id}"
