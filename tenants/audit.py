"""The per-tenant, append-only, hash-chained audit log.

entry_hash = sha256(DOMAIN ‖ canonical JSON of (tenant, seq, prev_hash, fields)). Entries are
numbered and chained under the tenant's chain-head row lock, so writers never fork the chain;
the head row also makes a dropped tail visible. Signed checkpoints outside the database
(tenants.checkpoints) catch what the owner role could still do. Payloads must be PHI-free.

Two ways in, chosen by AUDIT_SEQUENCING:
  "inline"   each append takes the head lock in the caller's transaction and chains its entry
             (sanoweb_audit_append on PostgreSQL, the ORM on SQLite). One writer at a time per
             tenant: ~300 appends/s on 2 cores, and every request waits on the head.
  "batched"  (PostgreSQL) an append only *accepts*: it writes a pending entry with its content
             hash in the caller's transaction (sanoweb_audit_accept), taking no lock, so the
             state change and its entry still commit together; the sequencer
             (tenants.sequencer) then chains pending entries in batches and moves the head once
             a batch. Like Certificate Transparency logs, accepting is apart from sequencing.
The runtime role writes the log only through those SECURITY DEFINER functions (tenants.rls).

What outlives a purge: not the chain. Its rows name the tenant and its users (actor ids), so
the purge deletes them with the rest of the tenant's rows (offboarding.purge). What stays,
outside the database, is the series of signed checkpoints (tenants.checkpoints) ending at the
chain's final head, and the signed deletion certificate that records that head: together they
prove what the chain was without keeping it. From the moment a purge is approved the chain
takes no entries but the purge's own (tenants.closing).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from .closing import TenantClosed, refuse_if_closed
from .models import AuditChainHead, AuditEntry, AuditPending, Tenant
from .scoping import tenant_scope

DOMAIN = b"sanoweb.audit.v1\x00"
PENDING_DOMAIN = b"sanoweb.audit.pending.v1\x00"
GENESIS_HASH = "0" * 64


class Action:
    """Audit action names, one constant per kind of event."""

    TENANT_CREATED = "tenant.created"
    MEMBER_ADDED = "membership.added"
    MEMBER_REMOVED = "membership.removed"
    MEMBER_ROLE_CHANGED = "membership.role_changed"
    MEMBER_PASSWORD_SET_BY_OPERATOR = "membership.password_set_by_operator"  # noqa: S105
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    PAGE_VIEWED = "tenant.page_viewed"
    TENANT_SELECTED = "tenant.selected"
    EXPORT_DOWNLOAD_REFUSED = "export.download_refused"
    EXPORT_EXPIRED = "export.expired"
    MEMBER_ACCOUNT_CHANGED_BY_OPERATOR = "membership.account_changed_by_operator"
    MFA_ENROLLED = "auth.mfa_enrolled"
    MFA_VERIFIED = "auth.mfa_verified"
    MFA_FAILED = "auth.mfa_failed"
    MFA_RESET_BY_OPERATOR = "auth.mfa_reset_by_operator"
    MFA_POLICY_CHANGED = "tenant.mfa_policy_changed"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_entry_hash(
    tenant_id: str, seq: int, prev_hash: str, fields: dict[str, str]
) -> str:
    body = canonical_json({"tenant": tenant_id, "seq": seq, "prev_hash": prev_hash, **fields})
    return hashlib.sha256(DOMAIN + body.encode()).hexdigest()


def compute_pending_hash(
    pending_id: int, tenant_id: str, fields: dict[str, str]
) -> str:
    """The content hash an accepted entry carries until it is sequenced; it covers the row's
    id and tenant, so a swapped or moved row does not match either."""
    body = canonical_json({"id": pending_id, "tenant": tenant_id, **fields})
    return hashlib.sha256(PENDING_DOMAIN + body.encode()).hexdigest()


def _hashed_fields(entry: AuditEntry | AuditPending) -> dict[str, str]:
    return {
        "created_at": entry.created_at.astimezone(UTC).isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "model_pin": entry.model_pin,
        "request_sha256": entry.request_sha256,
        "payload": entry.payload_json,
    }


def actor_for_user(user: Any) -> str:
    return f"user:{user.pk}" if user is not None and user.pk is not None else "system"


def append(
    tenant: Tenant,
    action: str,
    *,
    actor: str,
    target: str = "",
    model_pin: str = "",
    request_sha256: str = "",
    payload: dict[str, Any] | None = None,
) -> None:
    """Append one entry to `tenant`'s chain, in the caller's transaction when there is one.
    A tenant being purged takes only the purge's own entries (closing.TenantClosed)."""
    if batched():
        # One statement, in the caller's transaction or (outside one) its own; it scopes
        # itself and refuses a closed tenant as the inline path does below.
        _accept(tenant, action, actor, target, model_pin, request_sha256, payload or {})
        return
    if connection.vendor == "postgresql":
        with tenant_scope(tenant), transaction.atomic():
            refuse_if_closed(tenant, action)  # in the appending transaction: see closing
            # The function locks the head, numbers, hashes and inserts; see tenants.rls.
            _write("sanoweb_audit_append", tenant, action, actor, target, model_pin,
                   request_sha256, payload or {})
            return
    for attempt in range(5):
        try:
            with tenant_scope(tenant), transaction.atomic():
                refuse_if_closed(tenant, action)
                _append_locked(
                    tenant, action, actor, target, model_pin, request_sha256, payload or {}
                )
                return
        except IntegrityError:
            # Only reachable where row locks are no-ops (SQLite): another writer won the seq.
            if attempt == 4 or transaction.get_connection().in_atomic_block:
                raise
    raise AssertionError("unreachable")


def batched() -> bool:
    """Whether appends are accepted for the sequencer (see the module docstring)."""
    return bool(settings.AUDIT_SEQUENCING == "batched" and connection.vendor == "postgresql")


def _accept(
    tenant: Tenant,
    action: str,
    actor: str,
    target: str,
    model_pin: str,
    request_sha256: str,
    payload: dict[str, Any],
) -> None:
    # No head lock: the function checks the tenant is not closed (as refuse_if_closed does,
    # under FOR KEY SHARE) and inserts one pending row with its content hash; see tenants.rls.
    accepted = _write("sanoweb_audit_accept", tenant, action, actor, target, model_pin,
                      request_sha256, payload)
    if accepted is None or accepted < 0:
        raise TenantClosed(f"Tenant {tenant.pk} is being purged; {action} is refused.")
    from .sequencer import nudge  # the sequencer imports this module

    transaction.on_commit(partial(nudge, tenant.pk))


def _write(
    function: str,
    tenant: Tenant,
    action: str,
    actor: str,
    target: str,
    model_pin: str,
    request_sha256: str,
    payload: dict[str, Any],
) -> int | None:
    """Call one of the log's SECURITY DEFINER write functions (a fixed name, never input)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {function}(%s, %s, %s, %s, %s, %s, %s)",
            [tenant.pk, actor, action, target, model_pin, request_sha256,
             canonical_json(payload)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None


def _append_locked(
    tenant: Tenant,
    action: str,
    actor: str,
    target: str,
    model_pin: str,
    request_sha256: str,
    payload: dict[str, Any],
) -> None:
    # FOR NO KEY UPDATE: serialises appends without blocking inserts that reference the tenant.
    # The ORM path, for SQLite (the embedded default); it must hash as sanoweb_audit_append does.
    head = AuditChainHead.objects.select_for_update(no_key=True).filter(pk=tenant.pk).first()
    if head is None:  # the tenant's first entry; create_tenant() writes it in one transaction
        head = AuditChainHead.objects.create(tenant=tenant, seq=0, entry_hash=GENESIS_HASH)
    entry = AuditEntry(
        tenant=tenant,
        seq=head.seq + 1,
        created_at=datetime.now(UTC),
        actor=actor,
        action=action,
        target=target,
        model_pin=model_pin,
        request_sha256=request_sha256,
        payload_json=canonical_json(payload),
        prev_hash=head.entry_hash,
    )
    entry.entry_hash = compute_entry_hash(
        str(tenant.pk), entry.seq, entry.prev_hash, _hashed_fields(entry)
    )
    entry.save()
    head.seq, head.entry_hash = entry.seq, entry.entry_hash
    head.save(update_fields=["seq", "entry_hash"])


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    entries: int
    broken_seq: int | None = None
    reason: str = ""
    last_hash: str = GENESIS_HASH  # the entry_hash of entry #entries, when ok
    pending: int = 0  # accepted, not yet sequenced (each checked against its content hash)


def verify_chain(tenant: Tenant) -> ChainVerdict:
    """Walk the chain: contiguous seqs from 1, each link and hash, and the head row."""
    prev_hash, expected_seq, count = GENESIS_HASH, 1, 0
    with tenant_scope(tenant):
        for entry in AuditEntry.objects.order_by("seq").iterator():
            if entry.seq != expected_seq:
                reason = f"missing entry (found #{entry.seq})"
                return ChainVerdict(False, count, expected_seq, reason)
            if entry.prev_hash != prev_hash:
                return ChainVerdict(False, count, entry.seq, "prev_hash does not link")
            fields = _hashed_fields(entry)
            if compute_entry_hash(str(tenant.pk), entry.seq, prev_hash, fields) != entry.entry_hash:
                return ChainVerdict(False, count, entry.seq, "entry_hash does not match contents")
            prev_hash, expected_seq, count = entry.entry_hash, expected_seq + 1, count + 1
        head = AuditChainHead.objects.filter(tenant=tenant).first()
        pending, altered = _check_pending(tenant)
    head_seq, head_hash = (head.seq, head.entry_hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (count, prev_hash):
        reason = f"chain ends at #{count}, head says #{head_seq}"
        return ChainVerdict(False, count, count + 1, reason, pending=pending)
    if altered is not None:
        return ChainVerdict(False, count, None, f"accepted entry {altered} (not yet sequenced) "
                            "does not match its content hash", pending=pending)
    return ChainVerdict(True, count, last_hash=prev_hash, pending=pending)


def _check_pending(tenant: Tenant) -> tuple[int, int | None]:
    """How many entries wait for the sequencer, and the id of the first whose content hash
    does not match (edited, forged, swapped or moved from another tenant), if any."""
    count, altered = 0, None
    for row in AuditPending.objects.order_by("id").iterator():
        if altered is None and compute_pending_hash(
                row.pk, str(tenant.pk), _hashed_fields(row)) != row.content_hash:
            altered = row.pk
        count += 1
    return count, altered
