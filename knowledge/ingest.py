"""Documents in, passages indexed: upload, PHI scan, ingestion, clearing and deletion.

Every state change writes its audit entry in the same transaction (ids, counts, hashes; never
document text). Ingestion runs in a Celery task (knowledge.tasks) that calls `ingest_version`
with ids only; it is idempotent: a re-delivered task finds a finished version and stops, and
one whose worker died half-way starts that version again from nothing. A version that fails
leaves every earlier ready version in place, so retrieval keeps answering from the newest
ready one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tenants import audit
from tenants.models import Tenant
from tenants.scoping import current_tenant, tenant_scope
from tenants.storage import read_verified, sha256_hex, tenant_key, write_new

from . import chunking, embeddings
from .models import Chunk, Document, DocumentVersion

log = logging.getLogger(__name__)
Status = DocumentVersion.Status


class Action:
    """Audit action names of this app."""

    UPLOADED = "knowledge.version_uploaded"
    BLOCKED = "knowledge.version_blocked"
    CLEARED = "knowledge.findings_cleared"
    READY = "knowledge.version_ready"
    FAILED = "knowledge.version_failed"
    DELETED = "knowledge.document_deleted"


class KnowledgeError(ValueError):
    """Something a tenant admin can fix; the message says what."""


MAX_NAME = 200
EMBED_BATCH = 32


def upload_version(user: User, name: str, filename: str, data: bytes) -> DocumentVersion:
    """A new version of the tenant's document `name` (created on first upload), queued for
    ingestion once this transaction commits."""
    tenant = current_tenant()
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise KnowledgeError(f"Give the document a name of 1 to {MAX_NAME} characters.")
    if not data:
        raise KnowledgeError("The file is empty.")
    if len(data) > settings.KNOWLEDGE_MAX_UPLOAD_BYTES:
        raise KnowledgeError(f"The file is larger than {settings.KNOWLEDGE_MAX_UPLOAD_BYTES} "
                             "bytes.")
    try:
        content_type = chunking.kind_of(filename)
    except chunking.ExtractionError as exc:
        raise KnowledgeError(str(exc)) from exc
    suffix = "." + filename.rsplit(".", 1)[-1].lower()
    with transaction.atomic():
        document, created = Document.objects.select_for_update().get_or_create(
            name=name, defaults={"created_by": user})
        number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = DocumentVersion(document=document, number=number,
                                  original_filename=filename[-255:], content_type=content_type,
                                  sha256=sha256_hex(data), size_bytes=len(data),
                                  uploaded_by=user)
        version.storage_key = tenant_key(tenant, "documents", str(version.id),
                                         f"original{suffix}")
        write_new(version.storage_key, data)
        try:
            version.save()
        except Exception:
            default_storage.delete(version.storage_key)  # no row, no file
            raise
        audit.append(tenant, Action.UPLOADED, actor=audit.actor_for_user(user),
                     target=f"document_version:{version.pk}",
                     payload={"document": str(document.pk), "version": number,
                              "sha256": version.sha256, "size_bytes": len(data),
                              "content_type": content_type, "new_document": created})
        transaction.on_commit(lambda: enqueue(tenant.pk, version.pk))
    return version


def enqueue(tenant_id: object, version_id: object) -> None:
    from .tasks import ingest_document_version

    ingest_document_version.delay(str(tenant_id), str(version_id))


@dataclass(frozen=True)
class Finding:
    type: str
    start: int
    end: int
    sha256: str


def scan_for_phi(text: str) -> list[Finding]:
    """The curation redactor's findings in a document's text: where and what kind, with the
    sha256 of the words, never the words."""
    from curation import redaction

    return [Finding(kind, start, end, sha256_hex(text[start:end].encode()))
            for start, end, kind in redaction.redact(text).spans]


def ingest_version(tenant_id: str, version_id: str) -> str:
    """Scan, chunk, embed and index one version; returns its final status."""
    tenant = Tenant.objects.get(pk=tenant_id)
    with tenant_scope(tenant):
        version = DocumentVersion.objects.select_for_update().filter(pk=version_id).first()
        if version is None:
            return "missing"  # deleted while queued
        if version.status not in (Status.QUEUED, Status.INGESTING):
            return str(version.status)  # a re-delivered task: the work is done
        alive = timezone.now() - timedelta(seconds=settings.KNOWLEDGE_INGEST_STALE_AFTER)
        if (version.status == Status.INGESTING and version.heartbeat_at is not None
                and version.heartbeat_at > alive):
            return str(Status.INGESTING)  # a duplicate delivery: its worker is still at it
        # INGESTING and silent means a worker died half-way: start this version again.
        version.chunks.all().delete()
        version.status, version.chunks_done, version.error = Status.INGESTING, 0, ""
        version.heartbeat_at = timezone.now()
        version.save(update_fields=["status", "chunks_done", "error", "heartbeat_at"])
    try:
        return _ingest(tenant, version_id)
    except Exception as exc:
        message = str(exc) if isinstance(exc, chunking.ExtractionError) else (
            f"Ingestion failed ({type(exc).__name__}); the previous version stays in use.")
        log.exception("ingestion of document version %s failed", version_id)
        with tenant_scope(tenant):
            version = DocumentVersion.objects.select_for_update().get(pk=version_id)
            version.chunks.all().delete()
            version.status, version.error = Status.FAILED, message[:500]
            version.save(update_fields=["status", "error"])
            audit.append(tenant, Action.FAILED, actor="system:ingest",
                         target=f"document_version:{version.pk}",
                         payload={"error": type(exc).__name__})
        return str(Status.FAILED)


def _ingest(tenant: Tenant, version_id: str) -> str:
    with tenant_scope(tenant):
        version = DocumentVersion.objects.get(pk=version_id)
        data = read_verified(tenant, version.storage_key, version.sha256)
    text, pieces = chunking.chunk_document(data, version.content_type)
    if version.cleared_by_id is None:
        findings = scan_for_phi(text)
        if findings:
            with tenant_scope(tenant):
                DocumentVersion.objects.filter(pk=version_id).update(
                    status=Status.BLOCKED, phi_findings=[f.__dict__ for f in findings])
                audit.append(tenant, Action.BLOCKED, actor="system:ingest",
                             target=f"document_version:{version_id}",
                             payload={"findings": _counts(findings)})
            return str(Status.BLOCKED)
    with tenant_scope(tenant):
        DocumentVersion.objects.filter(pk=version_id).update(chunks_total=len(pieces))
    for start in range(0, len(pieces), EMBED_BATCH):
        batch = pieces[start:start + EMBED_BATCH]
        vectors = embeddings.embed([embeddings.passage_input(p.section, p.text) for p in batch])
        with tenant_scope(tenant):  # one transaction per batch: progress shows as it goes
            if not DocumentVersion.objects.filter(pk=version_id,
                                                  status=Status.INGESTING).exists():
                return "missing"  # deleted (or restarted) meanwhile
            Chunk.objects.bulk_create([
                Chunk(tenant=tenant, version_id=version_id, ordinal=start + i,
                      section=p.section[:500], text=p.text,
                      sha256=sha256_hex(f"{p.section}\n{p.text}".encode()),
                      embedding=vector.tobytes())
                for i, (p, vector) in enumerate(zip(batch, vectors, strict=True))])
            DocumentVersion.objects.filter(pk=version_id).update(
                chunks_done=start + len(batch), heartbeat_at=timezone.now())
    with tenant_scope(tenant):
        version = DocumentVersion.objects.select_for_update().get(pk=version_id)
        version.status, version.ready_at = Status.READY, timezone.now()
        version.save(update_fields=["status", "ready_at"])
        audit.append(tenant, Action.READY, actor="system:ingest",
                     target=f"document_version:{version_id}",
                     payload={"document": str(version.document_id), "version": version.number,
                              "chunks": len(pieces), "sha256": version.sha256})
    return str(Status.READY)


def _counts(findings: list[Finding]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.type] = counts.get(finding.type, 0) + 1
    return dict(sorted(counts.items()))


def clear_findings(version: DocumentVersion, user: User) -> DocumentVersion:
    """A tenant admin says the findings are not PHI: the version is queued for indexing."""
    tenant = current_tenant()
    with transaction.atomic():
        version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != Status.BLOCKED:
            raise KnowledgeError("Only a version blocked by PHI findings can be cleared.")
        version.status, version.cleared_by, version.cleared_at = (Status.QUEUED, user,
                                                                  timezone.now())
        version.save(update_fields=["status", "cleared_by", "cleared_at"])
        audit.append(tenant, Action.CLEARED, actor=audit.actor_for_user(user),
                     target=f"document_version:{version.pk}",
                     payload={"findings": _counts([Finding(**f) for f in version.phi_findings]),
                              "sha256": [f["sha256"] for f in version.phi_findings]})
        transaction.on_commit(lambda: enqueue(tenant.pk, version.pk))
    return version


def delete_document(document: Document, user: User) -> None:
    """The document, every version, every chunk and every stored file."""
    tenant = current_tenant()
    with transaction.atomic():
        keys = list(document.versions.values_list("storage_key", flat=True))
        counts = {"versions": len(keys),
                  "chunks": Chunk.objects.filter(version__document=document).count()}
        Chunk.objects.filter(version__document=document).delete()
        document.versions.all().delete()
        document_id = document.pk
        document.delete()
        audit.append(tenant, Action.DELETED, actor=audit.actor_for_user(user),
                     target=f"document:{document_id}", payload=counts)
        transaction.on_commit(lambda: _delete_files(keys))


def _delete_files(keys: list[str]) -> None:
    for key in keys:
        default_storage.delete(key)


def read_text(version: DocumentVersion) -> str:
    """The extracted text of a version (the findings' offsets point into it)."""
    data = read_verified(current_tenant(), version.storage_key, version.sha256)
    return chunking.chunk_document(data, version.content_type)[0]
