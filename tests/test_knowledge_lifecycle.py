"""A tenant's documents leave with it: in the export bundle (explained by its README), deleted
by the purge, and looked for by verify_purge (the data map's places for knowledge)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from knowledge import ingest
from knowledge.models import Chunk, Document, DocumentVersion
from offboarding import bundle_readme, export, purge
from tenants.scoping import tenant_scope
from tenants.storage import list_keys, tenant_prefix

from .factories import indexed_document
from .mock_engine import mock_engine
from .test_purge import approved, no_queue, operators  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_export_holds_documents_versions_chunks_and_files(alpha, beta):
    chunk = indexed_document(alpha, "Alpha formulary", "Zorbitanib 42 mg daily.")
    indexed_document(beta, "Beta formulary", "Betamab 7 mg weekly.")
    files = export.collect(alpha.tenant)
    for model in ("knowledge.Document", "knowledge.DocumentVersion", "knowledge.Chunk"):
        assert f"data/{model}.json" in files, model
    chunks = json.loads(files["data/knowledge.Chunk.json"])
    assert [row["pk"] for row in chunks] == [chunk.pk]
    assert chunks[0]["fields"]["text"] == "Zorbitanib 42 mg daily."
    with tenant_scope(alpha.tenant):
        key = chunk.version.storage_key
    assert f"storage/{key[len(tenant_prefix(alpha.tenant)):]}" in files
    assert not any(b"Betamab" in data for data in files.values())


def test_the_purge_deletes_them_and_verify_purge_finds_a_leftover(
        alpha, beta, operators, no_queue, settings, tmp_path):  # noqa: F811
    settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
    indexed_document(alpha, "Alpha formulary", "Zorbitanib 42 mg daily.")
    kept = indexed_document(beta, "Beta formulary", "Betamab 7 mg weekly.")
    with mock_engine():
        done = purge.run_purge(approved(alpha, operators).pk)
        assert done.status == "done" and purge.verify_purge(alpha.tenant) == []
        assert {"delete:table:knowledge.Chunk", "delete:storage:documents"} <= set(
            done.steps_done)
        with tenant_scope(alpha.tenant):
            assert not Chunk.objects.exists() and not Document.objects.exists()
            assert not DocumentVersion.objects.exists()
        assert list_keys(tenant_prefix(alpha.tenant)) == []
        with tenant_scope(beta.tenant):
            assert Chunk.objects.filter(pk=kept.pk).exists()  # the other tenant keeps its own
        default_storage.save(f"{tenant_prefix(alpha.tenant)}documents/late/original.md",
                             ContentFile(b"late"))
        left = "\n".join(purge.verify_purge(alpha.tenant))
    assert "documents/" in left


def test_the_bundle_readme_says_what_each_knowledge_file_is_enough_to_read_it(alpha):
    with tenant_scope(alpha.tenant):
        version = ingest.upload_version(alpha.admin, "Protocols", "protocols.md",
                                        b"# Protocols\n\n## Sepsis\n\nGive fluids first.\n")
    assert ingest.ingest_version(str(alpha.tenant.pk), str(version.pk)) == "ready"
    with zipfile.ZipFile(io.BytesIO(export.build(alpha.tenant))) as archive:
        readme = archive.read("README.md").decode()
        names = archive.namelist()
        [row] = json.loads(archive.read("data/knowledge.Chunk.json"))
    described = {}
    for line in readme.splitlines():
        if line.startswith("| `"):
            name = line.split("`")[1]
            described[name] = line[len(f"| `{name}` | "):-len(" |")]
    ours = [n for n in names if n.startswith(("data/knowledge.", "storage/documents/"))]
    assert len(ours) == 4, ours  # three tables and the uploaded file
    for name in ours:
        assert described[name] and described[name] != bundle_readme.GENERIC_STORAGE, name
    [upload] = [n for n in ours if n.startswith("storage/")]
    assert upload == f"storage/documents/{version.pk}/original.md"
    assert "one version of a document" in described[upload]
    assert "newest ready version" in described["data/knowledge.DocumentVersion.json"]
    # What the README says of a chunk is enough to read one back without the platform.
    chunk_text = described["data/knowledge.Chunk.json"]
    assert not [words for words in ("384 float32", "little-endian", "base64",
                                    "of the section, a newline and the text")
                if words not in chunk_text], chunk_text
    fields = row["fields"]
    vector = np.frombuffer(base64.b64decode(fields["embedding"]), dtype="<f4")
    with tenant_scope(alpha.tenant):
        stored = Chunk.objects.get(pk=row["pk"])
    assert vector.shape == (384,) and np.array_equal(vector, stored.vector())
    assert hashlib.sha256(f"{fields['section']}\n{fields['text']}".encode()).hexdigest() == \
        fields["sha256"] == stored.sha256
