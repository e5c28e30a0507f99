"""Signed checkpoints of each tenant's audit chain head, kept outside the database.

The hash chain alone cannot stop someone who can write the tables as the owner role: they can
cut the tail and rewrite the head, or rewrite an entry and every hash after it. So, like
CloudTrail's digest files, a periodic checkpoint signs (tenant, seq, entry_hash, time, the
previous checkpoint's signature) with the platform's Ed25519 key (tenants.signing) and stores
it in the configured storage under audit-checkpoints/<tenant-uuid>/, never in the database.
`verify_audit` then checks the chain against every checkpoint. Entries after the latest
checkpoint are protected only by the chain until the next one is written.

After a purge the chain's rows are gone by design and the checkpoints stay (tenants/audit.py):
`verify_audit` of a purged tenant then checks that no entry is left, that the checkpoints
still verify and link, and that the latest one is the final head the deletion certificate
records, instead of reporting the chain as cut back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.files.storage import default_storage

from . import audit, audit_proofs, signing
from .models import AuditEntry, DeletionCertificate, Tenant
from .scoping import tenant_scope
from .storage import list_keys, write_new

PREFIX = "audit-checkpoints/"
FORMAT = "sanoweb-audit-checkpoint/1"


class CheckpointError(RuntimeError):
    """A checkpoint was refused (the chain it would sign does not verify)."""


@dataclass(frozen=True)
class Checkpoint:
    key: str
    body: dict[str, Any]
    signature: str

    @property
    def seq(self) -> int:
        return int(self.body["seq"])

    @property
    def signed_at(self) -> datetime:
        return datetime.fromisoformat(self.body["signed_at"])


def tenant_checkpoint_prefix(tenant: Tenant) -> str:
    return f"{PREFIX}{tenant.pk}/"


def checkpoint_key(tenant: Tenant, seq: int) -> str:
    # Zero-padded so that the keys sort in seq order.
    return f"{tenant_checkpoint_prefix(tenant)}{seq:012d}.json"


def _canonical(body: dict[str, Any]) -> bytes:
    return audit.canonical_json(body).encode()


def _load(key: str) -> Checkpoint:
    with default_storage.open(key, "rb") as handle:
        document = json.loads(handle.read())
    return Checkpoint(key, document["body"], document["signature"])


def stored_checkpoints(tenant: Tenant) -> list[str]:
    return [k for k in list_keys(tenant_checkpoint_prefix(tenant)) if k.endswith(".json")]


def write_checkpoint(tenant: Tenant) -> Checkpoint | None:
    """Sign the tenant's current head, linked to its previous checkpoint; None when nothing was
    appended since. Refuses to sign a chain that does not verify against what is signed."""
    verdict = verify_audit(tenant)
    if not verdict.ok:
        raise CheckpointError(f"Not checkpointing {tenant.slug}: {verdict.message}")
    latest = verdict.latest_checkpoint
    if verdict.chain.entries == 0 or (latest and latest.seq == verdict.chain.entries):
        return None
    size = verdict.chain.entries
    body = {
        "format": FORMAT,
        "tenant": str(tenant.pk),
        "seq": size,
        "entry_hash": verdict.chain.last_hash,
        # The RFC 6962 tree head over the same entries: what inclusion proofs lead to.
        "merkle_root": audit_proofs.prefix_roots(tenant, {size})[size],
        "signed_at": datetime.now(UTC).isoformat(),
        "previous_signature": latest.signature if latest else None,
    }
    signature = signing.sign(_canonical(body))
    document = {"body": body, "signature": signature, "algorithm": "Ed25519",
                "public_key": signing.public_key_pem()}
    key = checkpoint_key(tenant, size)
    try:
        write_new(key, json.dumps(document, indent=2, sort_keys=True).encode())
    except FileExistsError:
        return _load(key)  # a concurrent run signed the same head first
    return Checkpoint(key, body, signature)


def checkpoint_all_tenants() -> dict[str, int | None]:
    """One checkpoint per tenant that still has a chain; the seq signed, None when unchanged."""
    done: dict[str, int | None] = {}
    # Not a tenant being purged: its purge signs the final head itself, then deletes the rows.
    for tenant in Tenant.objects.exclude(
            status__in=[Tenant.Status.PURGING, Tenant.Status.PURGED]).order_by("slug"):
        checkpoint = write_checkpoint(tenant)
        done[tenant.slug] = checkpoint.seq if checkpoint else None
    return done


@dataclass(frozen=True)
class AuditVerdict:
    chain: audit.ChainVerdict
    checkpoints: int = 0
    latest_checkpoint: Checkpoint | None = None
    checkpoint_problem: str = ""
    purged_at: str = ""  # set for a purged tenant: the chain's rows were deleted on purpose

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.checkpoint_problem

    @property
    def message(self) -> str:
        waiting = (f"; {self.chain.pending} accepted, not yet sequenced"
                   if self.chain.pending else "")
        return self._message() + waiting

    def _message(self) -> str:
        if not self.chain.ok:
            return (f"BROKEN at entry #{self.chain.broken_seq}: {self.chain.reason} "
                    f"({self.chain.entries} entries verified before it)")
        if self.checkpoint_problem:
            return f"does NOT match its signed checkpoints: {self.checkpoint_problem}"
        if self.purged_at:
            last = self.latest_checkpoint
            return (f"purged on {self.purged_at[:10]}: the chain was deleted with the tenant; "
                    f"{self.checkpoints} signed checkpoints verify, the latest (#"
                    f"{last.seq if last else 0}) is the final head the deletion certificate "
                    "records")
        if self.latest_checkpoint is None:
            return f"{self.chain.entries} entries; no signed checkpoint yet"
        plural = "s" if self.checkpoints != 1 else ""
        return (f"{self.chain.entries} entries; verified against {self.checkpoints} signed "
                f"checkpoint{plural}, the latest at #{self.latest_checkpoint.seq} "
                f"({self.latest_checkpoint.signed_at:%Y-%m-%d %H:%M:%S} UTC)")


def verify_audit(tenant: Tenant) -> AuditVerdict:
    """The chain, then every checkpoint: its signature (under the platform's own public key,
    not the one in the file), its link to the previous one, and its (seq, entry_hash) against
    the entry in the database."""
    chain = audit.verify_chain(tenant)
    certificate = _deletion_certificate(tenant)
    public_pem = signing.public_key_pem()
    previous: Checkpoint | None = None
    count = 0
    loaded: list[Checkpoint | str] = []
    for key in stored_checkpoints(tenant):
        try:
            loaded.append(_load(key))
        except (ValueError, KeyError, TypeError) as exc:  # unreadable or malformed JSON
            loaded.append(f"{key} is unreadable ({type(exc).__name__})")
    roots = {} if certificate is not None else audit_proofs.prefix_roots(
        tenant, {_tree_size(c) for c in loaded if isinstance(c, Checkpoint)} - {0})
    for checkpoint in loaded:
        if isinstance(checkpoint, str):
            return AuditVerdict(chain, count, previous, checkpoint)
        try:
            problem = _check_one(tenant, checkpoint, previous, public_pem,
                                 rows_deleted=certificate is not None)
            if not problem and certificate is None and _tree_size(checkpoint) and roots.get(
                    checkpoint.seq) != checkpoint.body["merkle_root"]:
                problem = (f"checkpoint #{checkpoint.seq}: the signed tree head does not "
                           "match the entries (rewritten)")
        except (ValueError, KeyError, TypeError) as exc:  # malformed body
            problem = f"{checkpoint.key} is unreadable ({type(exc).__name__})"
        if problem:
            return AuditVerdict(chain, count, previous, problem)
        previous, count = checkpoint, count + 1
    if certificate is None:
        return AuditVerdict(chain, count, previous)
    return AuditVerdict(chain, count, previous, _against_certificate(chain, previous, certificate),
                        purged_at=str(certificate.get("completed_at", "")))


def _tree_size(checkpoint: Checkpoint) -> int:
    """The size of the tree a checkpoint signs; 0 for one written before tree heads were (or
    one too malformed to say: _check_one reports it)."""
    try:
        return checkpoint.seq if "merkle_root" in checkpoint.body else 0
    except (ValueError, KeyError, TypeError):
        return 0


def _deletion_certificate(tenant: Tenant) -> dict[str, Any] | None:
    """The signed body of the purged tenant's deletion certificate, if it was purged."""
    if Tenant.objects.filter(pk=tenant.pk, status=Tenant.Status.PURGED).first() is None:
        return None
    certificate = DeletionCertificate.objects.filter(purge__tenant=tenant).order_by(
        "-created_at").first()
    if certificate is None:
        return {}  # purged with no certificate: nothing vouches for the deleted chain
    if not signing.verify(certificate.body.encode(), certificate.signature,
                          signing.public_key_pem()):
        return {"forged": True}
    body: dict[str, Any] = json.loads(certificate.body)
    return body


def _against_certificate(chain: audit.ChainVerdict, latest: Checkpoint | None,
                         certificate: dict[str, Any]) -> str:
    if certificate.get("forged"):
        return "the deletion certificate's signature does not verify"
    head = certificate.get("final_audit_head") or certificate.get("deleted", {}).get(
        "final_audit_head")
    if not head:
        return "no deletion certificate records the chain's final head"
    if chain.entries:
        return f"{chain.entries} entries are still in the database after the purge"
    if latest is None:
        return "no signed checkpoint of the chain is left"
    if (latest.seq, latest.body.get("entry_hash")) != (head.get("seq"), head.get("entry_hash")):
        return (f"the latest checkpoint (#{latest.seq}) is not the final head the deletion "
                f"certificate records (#{head.get('seq')})")
    return ""


def _check_one(
    tenant: Tenant, checkpoint: Checkpoint, previous: Checkpoint | None, public_pem: str,
    *, rows_deleted: bool = False,
) -> str:
    body, name = checkpoint.body, checkpoint.key.rsplit("/", 1)[-1]
    if not signing.verify(_canonical(body), checkpoint.signature, public_pem):
        return f"checkpoint {name}: the signature does not verify (tampered or foreign)"
    if body.get("format") != FORMAT or body.get("tenant") != str(tenant.pk):
        return f"checkpoint {name}: not a checkpoint of this tenant"
    if checkpoint.key != checkpoint_key(tenant, checkpoint.seq):
        return f"checkpoint {name}: stored under the wrong name for #{checkpoint.seq}"
    expected_link = previous.signature if previous else None
    if body.get("previous_signature") != expected_link or (
        previous and checkpoint.seq <= previous.seq
    ):
        return f"checkpoint #{checkpoint.seq}: does not link to the previous checkpoint"
    if rows_deleted:
        return ""  # purged: the rows are gone by design; the certificate is checked instead
    with tenant_scope(tenant):
        entry = AuditEntry.objects.filter(seq=checkpoint.seq).first()
    if entry is None:
        return (f"checkpoint #{checkpoint.seq}: entry #{checkpoint.seq} is gone from the "
                "database (the log was cut back)")
    if entry.entry_hash != body.get("entry_hash"):
        return (f"checkpoint #{checkpoint.seq}: entry #{checkpoint.seq} differs from the "
                "signed one (rewritten)")
    return ""
