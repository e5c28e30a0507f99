"""Where the tenancy app keeps a tenant's data (registered on tenants.tenant_data in ready)."""

from __future__ import annotations

import json

from django.core.files.storage import default_storage

from . import tenant_data
from .models import AuditChainHead, AuditEntry, AuditPending, Membership, Tenant
from .places import (
    CeleryMessages,
    KeyedTable,
    Retained,
    SharedStateEntries,
    StoragePrefix,
    TenantTable,
)
from .storage import tenant_prefix

RETAINED_CHECKPOINTS = (
    "signed audit checkpoints stay outside the database after a purge: with the deletion "
    "certificate they prove what the chain was (tenant uuid, seq, hashes, times; no PHI, no "
    "user ids)")


def _audit_evidence(tenant: Tenant) -> dict[str, bytes]:
    """The chain's verification and its signed checkpoints, so the customer can check their
    log against signatures made outside the database."""
    from .checkpoints import stored_checkpoints, verify_audit

    verdict = verify_audit(tenant)
    files = {"data/audit_verification.json": json.dumps(
        {"ok": verdict.ok, "entries": verdict.chain.entries,
         "broken_seq": verdict.chain.broken_seq, "checkpoints": verdict.checkpoints,
         "message": verdict.message}, sort_keys=True).encode()}
    for key in stored_checkpoints(tenant):
        with default_storage.open(key, "rb") as handle:
            files[f"audit-checkpoints/{key.rsplit('/', 1)[-1]}"] = handle.read()
    return files


def register() -> None:
    tenant_data.register(
        TenantTable(AuditEntry),
        TenantTable(AuditPending),
        TenantTable(AuditChainHead),
        KeyedTable(Membership),
        StoragePrefix("storage:tenant prefix", tenant_prefix),
        SharedStateEntries(),
        CeleryMessages(),
        Retained("audit checkpoints", RETAINED_CHECKPOINTS, collector=_audit_evidence),
        Retained("tenant row", "the tenant's id, slug and name, marked purged: what the "
                 "purge record and certificate refer to", models=(Tenant,)),
    )
