"""Tenants, memberships, the tenant-owned base model and the audit chain tables."""

from __future__ import annotations

import json
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from .scoping import TenantOwnedManager, UnscopedManager


class Tenant(models.Model):
    """A clinical team. Global (not tenant-owned): it is the scope itself."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        SUSPENDED = "suspended"
        PURGING = "purging"
        PURGED = "purged"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=63, unique=True)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    deletion_sla_days = models.PositiveIntegerField(
        default=30, help_text="Days the BAA allows between a purge request and its completion."
    )
    mfa_for_clinicians = models.BooleanField(
        default=False, help_text="Ask clinicians for a second factor too (admins and reviewers "
                                 "always need one)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Role(models.TextChoices):
    CLINICIAN = "clinician"
    REVIEWER = "reviewer"
    TENANT_ADMIN = "tenant_admin", "Tenant admin"


# A role grants the pages of the roles it contains: a tenant admin can review and chat, a
# reviewer can chat, a clinician can only chat.
ROLE_GRANTS: dict[str, frozenset[str]] = {
    Role.CLINICIAN: frozenset({Role.CLINICIAN}),
    Role.REVIEWER: frozenset({Role.CLINICIAN, Role.REVIEWER}),
    Role.TENANT_ADMIN: frozenset({Role.CLINICIAN, Role.REVIEWER, Role.TENANT_ADMIN}),
}


class Membership(models.Model):
    """A user's role in one tenant.

    Global by design (on the allow-list in tenants.registry): it is read before a tenant is
    chosen, to list the tenants a user may act for.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant"], name="one_membership_per_tenant")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant} ({self.role})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        from .services import refuse_operator

        refuse_operator(self.user)  # whatever the path; tenants.access also ignores such rows
        super().save(*args, **kwargs)

    def grants(self, role: str) -> bool:
        return role in ROLE_GRANTS[self.role]


class TenantOwned(models.Model):
    """Base of every tenant-owned table.

    `objects` raises outside `tenant_scope()` and filters to the active tenant inside it; on
    PostgreSQL a row-level-security policy (tenants.rls) backs that up for raw SQL too.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, db_index=True, editable=False)

    # Rows of an immutable model are written once; PostgreSQL rejects UPDATE (tenants.rls).
    immutable: ClassVar[bool] = False

    objects = TenantOwnedManager()
    # The greppable escape hatch for platform code; RLS still applies to it on PostgreSQL.
    unscoped_objects = UnscopedManager()

    class Meta:
        abstract = True
        base_manager_name = "unscoped_objects"

    def save(self, *args: Any, **kwargs: Any) -> None:
        from .scoping import current_tenant

        active = current_tenant()
        if self.tenant_id is None:
            self.tenant = active
        elif self.tenant_id != active.pk:
            # Same words as a missing object: a write never hints at another tenant's rows.
            raise self.DoesNotExist("No such object in this tenant.")
        super().save(*args, **kwargs)


class AuditEntry(TenantOwned):
    """One link of a tenant's append-only, hash-chained audit log (see tenants.audit)."""

    seq = models.BigIntegerField()
    created_at = models.DateTimeField()
    actor = models.CharField(max_length=200)
    action = models.CharField(max_length=64, db_index=True)
    target = models.CharField(max_length=200, blank=True)
    model_pin = models.CharField(max_length=200, blank=True)
    request_sha256 = models.CharField(max_length=64, blank=True)
    # Canonical JSON text, hashed exactly as stored; never PHI.
    payload_json = models.TextField(default="{}")
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "seq"], name="audit_seq_unique_per_tenant")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    @property
    def payload(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.payload_json)
        return value


class AuditPending(TenantOwned):
    """An audit entry accepted but not yet sequenced into the chain (see tenants.sequencer).

    Written in the caller's transaction without touching the chain head, so appends of one
    tenant never wait for each other; `content_hash` covers the row's id, tenant, time and
    fields, so an edit, a swap or a row moved from another tenant shows before it is chained.
    """

    created_at = models.DateTimeField()
    actor = models.CharField(max_length=200)
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=200, blank=True)
    model_pin = models.CharField(max_length=200, blank=True)
    request_sha256 = models.CharField(max_length=64, blank=True)
    payload_json = models.TextField(default="{}")
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"pending {self.pk} {self.action}"


class AuditChainHead(TenantOwned):
    """The latest seq and hash of a tenant's chain.

    Locking this row serialises appends per tenant, and keeping the head apart from the
    entries makes a dropped tail visible to the verifier.
    """

    tenant = models.OneToOneField(
        Tenant, on_delete=models.PROTECT, primary_key=True, editable=False
    )
    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class PurgeRequest(models.Model):
    """A request to destroy a tenant's data everywhere (global: it outlives the tenant's rows).

    Two platform operators: one requests, another approves; approval suspends the tenant at
    once and starts the purge. `steps_done` makes the purge resumable after a crash.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        DONE = "done"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="purge_requests")
    reason = models.CharField(max_length=500)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateTimeField(help_text="The BAA deletion SLA deadline.")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    steps_done = models.JSONField(default=list, blank=True)
    evidence = models.JSONField(default=dict, blank=True)  # counts/hashes captured before deletion
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            # Two operators clicking at once must not open two purges (purge.request_purge).
            models.UniqueConstraint(fields=["tenant"], condition=~Q(status="done"),
                                    name="one_open_purge_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"purge of {self.tenant} ({self.status})"


class DeletionCertificate(models.Model):
    """Signed proof of a completed purge (global: it must survive the purge)."""

    purge = models.OneToOneField(PurgeRequest, on_delete=models.PROTECT,
                                 related_name="certificate")
    body = models.TextField(help_text="Canonical JSON that was signed.")
    signature = models.CharField(max_length=200)
    public_key = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"deletion certificate for {self.purge.tenant}"


class ExportRequest(models.Model):
    """An operator's export of one tenant: built by a task, downloadable once, then expired.

    Global (allow-listed): an operator record; the bundle itself lies under the tenant's
    storage prefix (exports/), so a purge removes it with everything else.
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        READY = "ready"
        DOWNLOADED = "downloaded"
        FAILED = "failed"
        EXPIRED = "expired"  # not downloaded in time: the bundle was deleted (expire_exports)

    # The id in the download URL: unguessable, unlike the integer key.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    storage_key = models.CharField(max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("download_exportrequest", "Can download an export bundle it requested")]
        constraints = [
            # A double click builds one bundle, not two (export.request_export).
            models.UniqueConstraint(fields=["tenant"],
                                    condition=Q(status__in=["queued", "running"]),
                                    name="one_pending_export_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"export of {self.tenant} ({self.status})"
