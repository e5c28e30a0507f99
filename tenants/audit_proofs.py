"""Inclusion proofs: show a tenant that one entry is in its signed log, and nothing else.

The hash chain proves order and completeness to whoever holds every entry. To prove a single
entry to someone who should see only that one, each signed checkpoint also signs the RFC 6962
Merkle tree head over the chain's entry hashes (leaf i = SHA-256(0x00 ‖ entry_hash of #i+1)).
An inclusion proof is then the entry, its position, and the O(log n) sibling hashes on its
path to the signed root (RFC 9162 §2.1.3): hashes of hashes, never another entry's contents.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from . import audit, signing
from .models import AuditEntry, Tenant
from .scoping import tenant_scope

PROOF_FORMAT = "sanoweb-audit-inclusion/1"


def leaf_hash(entry_hash_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(entry_hash_hex)).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class TreeHead:
    """RFC 6962 tree heads of every prefix of a leaf stream in one pass: a stack of perfect
    subtree roots (the binary decomposition of the size), O(log n) per head."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (height, root), heights decreasing

    def add(self, leaf: bytes) -> None:
        height, node = 0, leaf
        while self._stack and self._stack[-1][0] == height:
            _, left = self._stack.pop()
            height, node = height + 1, _node(left, node)
        self._stack.append((height, node))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return hashlib.sha256(b"").digest()  # RFC 6962: the empty tree
        node = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            node = _node(left, node)
        return node


def tree_root(leaves: Iterable[bytes]) -> bytes:
    head = TreeHead()
    for leaf in leaves:
        head.add(leaf)
    return head.root()


def audit_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 6962 PATH(m, D[n]): the siblings from leaf `index` up to the root."""
    n = len(leaves)
    if n <= 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)  # the largest power of two below n
    if index < k:
        return [*audit_path(leaves[:k], index), tree_root(leaves[k:])]
    return [*audit_path(leaves[k:], index - k), tree_root(leaves[:k])]


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes],
                     root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, node = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            node = _node(sibling, node)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            node = _node(node, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and node == root


def chain_leaves(tenant: Tenant, upto: int) -> list[bytes]:
    with tenant_scope(tenant):
        hashes = AuditEntry.objects.filter(seq__lte=upto).order_by("seq").values_list(
            "entry_hash", flat=True)
        return [leaf_hash(h) for h in hashes.iterator()]


def prefix_roots(tenant: Tenant, sizes: set[int]) -> dict[int, str]:
    """The tree head (hex) at each of `sizes`, in one walk of the chain."""
    roots: dict[int, str] = {}
    if not sizes:
        return roots
    head = TreeHead()
    with tenant_scope(tenant):
        hashes = AuditEntry.objects.filter(seq__lte=max(sizes)).order_by("seq").values_list(
            "entry_hash", flat=True)
        for entry_hash in hashes.iterator():
            head.add(leaf_hash(entry_hash))
            if head.size in sizes:
                roots[head.size] = head.root().hex()
    return roots


def entry_document(entry: AuditEntry) -> dict[str, Any]:
    """What the tenant receives of its entry: everything its entry_hash covers."""
    return {"seq": entry.seq, "prev_hash": entry.prev_hash, "entry_hash": entry.entry_hash,
            **audit._hashed_fields(entry)}


def prove(tenant: Tenant, seq: int) -> dict[str, Any]:
    """The proof that entry #seq is in the tree the latest signed checkpoint covers."""
    from .checkpoints import verify_audit

    latest = verify_audit(tenant).latest_checkpoint
    if latest is None or seq > latest.seq or seq < 1:
        raise ValueError(f"entry #{seq} is not covered by a signed checkpoint yet")
    with tenant_scope(tenant):
        entry = AuditEntry.objects.get(seq=seq)
    leaves = chain_leaves(tenant, latest.seq)
    return {"format": PROOF_FORMAT, "tenant": str(tenant.pk), "entry": entry_document(entry),
            "leaf_index": seq - 1, "tree_size": latest.seq,
            "audit_path": [h.hex() for h in audit_path(leaves, seq - 1)],
            "checkpoint": {"body": latest.body, "signature": latest.signature}}


def check_proof(proof: dict[str, Any], public_key_pem: str) -> str:
    """What is wrong with a proof, or "" when it holds: the entry's own hash, the checkpoint's
    signature under the platform key, and the path from the entry to the signed root."""
    entry, checkpoint = proof["entry"], proof["checkpoint"]
    body = checkpoint["body"]
    fields = {k: entry[k] for k in ("created_at", "actor", "action", "target", "model_pin",
                                    "request_sha256", "payload")}
    if audit.compute_entry_hash(proof["tenant"], entry["seq"], entry["prev_hash"],
                                fields) != entry["entry_hash"]:
        return "the entry does not match its entry_hash"
    if not signing.verify(audit.canonical_json(body).encode(), checkpoint["signature"],
                          public_key_pem):
        return "the checkpoint's signature does not verify"
    if body.get("tenant") != proof["tenant"] or "merkle_root" not in body:
        return "the checkpoint is not a tree head of this tenant"
    if int(body["seq"]) != proof["tree_size"] or proof["leaf_index"] != entry["seq"] - 1:
        return "the proof's position does not match the checkpoint"
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    if not verify_inclusion(leaf_hash(entry["entry_hash"]), proof["leaf_index"],
                            proof["tree_size"], path, bytes.fromhex(body["merkle_root"])):
        return "the audit path does not lead to the signed tree head"
    return ""
