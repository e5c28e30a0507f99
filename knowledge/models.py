"""A tenant's documents, their versions and the indexed chunks retrieval reads.

Documents are the institution's (formulary, protocols, order sets), not patients'; they are
scanned for PHI all the same, and a version with findings is not indexed until a tenant admin
clears it. On PostgreSQL each chunk also has a generated `search` tsvector with a GIN index
(added by the migration, not a model field), for full-text retrieval.
"""

from __future__ import annotations

import uuid

import numpy as np
from django.conf import settings
from django.db import models

from tenants.models import TenantOwned

EMBEDDING_DIM = 384  # all-MiniLM-L6-v2


class Document(TenantOwned):
    """A named document; each upload is a new DocumentVersion of it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"],
                                               name="document_name_unique_per_tenant")]

    def __str__(self) -> str:
        return self.name


class DocumentVersion(TenantOwned):
    """One upload of a document: the file's name, type, size and sha256, where it is stored,
    and its ingestion (status, passages done of total, any error). `phi_findings` says where
    the PHI scan found something (type, offsets and the sha256 of the words, never the words),
    `cleared_by` who said it was not PHI. The newest ready version of each document is the
    one answers cite.

    Older versions stay listed; a failed one leaves the one before it in use."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        INGESTING = "ingesting"
        READY = "ready"
        FAILED = "failed"
        BLOCKED = "blocked", "blocked (PHI findings)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    original_filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField(default=0)
    storage_key = models.CharField(max_length=300)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    # [{"type", "start", "end", "sha256"}] in the extracted text: where, never the words
    phi_findings = models.JSONField(default=list, blank=True)
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    cleared_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    # set when a worker claims the version and after each batch: a re-delivered task leaves
    # a version alone while its worker still reports (knowledge.ingest)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"],
                                               name="document_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.document.name} v{self.number}"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return int(100 * self.chunks_done / self.chunks_total) if self.chunks_total else 0


class Chunk(TenantOwned):
    """One indexed passage of a version: `ordinal`, its place in the version; `section`, the
    heading path ("Heading > Subheading"); `text` as extracted (not the embedder's lower-cased
    tokens); `sha256` of the section, a newline and the text, which the audit entries of
    grounded answers cite beside the chunk's id; `embedding`, all-MiniLM-L6-v2's 384 float32
    as little-endian bytes (base64 in JSON)."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="chunks")
    ordinal = models.PositiveIntegerField()
    section = models.CharField(max_length=500, blank=True)  # "Heading > Subheading"
    text = models.TextField()
    sha256 = models.CharField(max_length=64)  # of section and text: what the audit cites
    embedding = models.BinaryField()

    class Meta:
        ordering = ["version", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["version", "ordinal"],
                                               name="chunk_ordinal_unique_per_version")]

    def __str__(self) -> str:
        return f"chunk {self.ordinal} of {self.version_id}"

    def vector(self) -> np.ndarray:
        return np.frombuffer(bytes(self.embedding), dtype=np.float32)
