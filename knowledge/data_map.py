"""Where knowledge keeps a tenant's data: its documents, versions, chunks and uploaded files."""

from __future__ import annotations

from tenants import tenant_data
from tenants.places import StorageCategory, TenantTable

from .models import Chunk, Document, DocumentVersion


def register() -> None:
    tenant_data.register(
        # chunks before their versions before their documents (each also cascades)
        TenantTable(Chunk, order=77),
        TenantTable(DocumentVersion, evidence=("sha256",), order=78),
        TenantTable(Document, order=79),
        StorageCategory("documents", describes=(
            "A file a tenant admin uploaded, byte for byte: one version of a document. The "
            "folder is named by the version's id; its row in "
            "`data/knowledge.DocumentVersion.json` has the original file name, the sha256 "
            "of these bytes and what became of it.")),
    )
