"""Documents in, passages out: chunking by structure, ingestion with its PHI gate, versions,
deletion, and retrieval that sees the tenant in scope only (real PostgreSQL, real embedder)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from knowledge import chunking, embeddings, ingest, retrieval
from knowledge.models import Chunk, Document, DocumentVersion
from tenants.models import AuditEntry
from tenants.scoping import tenant_scope

from .pdfs import Bookmark, build_pdf

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parent.parent / "demo" / "documents"
FORMULARY = (DEMO / "northwind-formulary.md").read_bytes()
Status = DocumentVersion.Status


def upload(users, data: bytes = FORMULARY, name: str = "Formulary",
           filename: str = "formulary.md") -> DocumentVersion:
    with tenant_scope(users.tenant):
        version = ingest.upload_version(users.admin, name, filename, data)
    assert ingest.ingest_version(str(users.tenant.pk), str(version.pk)) in ("ready", "blocked")
    with tenant_scope(users.tenant):
        version.refresh_from_db()
    return version


def search(users, question: str, **kwargs):
    with tenant_scope(users.tenant):
        return retrieval.search(question, **kwargs)


def actions(tenant) -> list[str]:
    with tenant_scope(tenant):
        return list(AuditEntry.objects.filter(action__startswith="knowledge.")
                    .values_list("action", flat=True))


# --- chunking -------------------------------------------------------------------------------


def test_chunks_keep_their_section_paths():
    _, pieces = chunking.chunk_document(FORMULARY, "text/markdown")
    sections = [p.section for p in pieces]
    assert "Northwind Cardiology formulary > Anticoagulation > Atrial fibrillation" in sections
    assert ("Northwind Cardiology formulary > Heart failure > Reduced ejection fraction"
            in sections)
    af = next(p for p in pieces if p.section.endswith("Atrial fibrillation"))
    assert af.text.startswith("Apixaban is the first-line")  # the lead-in with its list
    assert "- Standard dose: apixaban 5 mg twice daily." in af.text.split("\n")


def test_html_headings_and_lists_make_the_same_structure():
    page = (b"<html><head><title>t</title><style>p{}</style></head><body><h1>Protocols</h1>"
            b"<h2>Sepsis</h2><p>Give <b>fluids</b> first.</p><ul><li>30 ml/kg</li></ul>"
            b"<h2>Stroke</h2><p>Call the team.</p></body></html>")
    pieces = chunking.chunk_document(page, "text/html")[1]
    assert [(p.section, p.text) for p in pieces] == [
        ("Protocols > Sepsis", "Give fluids first.\n- 30 ml/kg"),
        ("Protocols > Stroke", "Call the team.")]


def test_long_sections_are_split_below_the_embedders_limit():
    text = "# Policy\n\n" + " ".join(f"Sentence number {i} says one thing." for i in range(300))
    pieces = chunking.chunk_document(text.encode(), "text/plain")[1]
    assert len(pieces) > 5 and {p.section for p in pieces} == {"Policy"}
    assert max(chunking.estimate_tokens(p.text) for p in pieces) <= chunking.CHUNK_TOKENS


def test_a_pdf_without_an_outline_is_read_page_by_page():
    pieces = chunking.chunk_document(build_pdf([["Vancomycin trough 15 to 20 mg per litre."],
                                                ["Gentamicin once daily."]]),
                                     "application/pdf")[1]
    assert pieces == [chunking.Piece("Page 1", "Vancomycin trough 15 to 20 mg per litre."),
                      chunking.Piece("Page 2", "Gentamicin once daily.")]


PROTOCOLS_PDF = build_pdf([
    ["Cardiology protocols", "Anticoagulation", "Apixaban 5 mg twice daily is first line.",
     "Reversal", "Give prothrombin complex concentrate 50 units/kg for major bleeding."],
    ["Heart failure", "Start dapagliflozin 10 mg once daily."],
    ["Continue dapagliflozin unless the eGFR is below 20."],
    ["Renal dosing follows the table on the ward."],
], outline=[Bookmark("Anticoagulation", 0, [Bookmark("Reversal", 0)]),
            Bookmark("Heart failure", 1),
            Bookmark("Appendix: renal dosing", 3)])  # a title not on its page


def test_a_pdfs_outline_gives_the_section_paths():
    pieces = chunking.chunk_document(PROTOCOLS_PDF, "application/pdf")[1]
    assert [(p.section, p.text) for p in pieces] == [
        ("Page 1", "Cardiology protocols"),  # before the first bookmark
        ("Anticoagulation", "Apixaban 5 mg twice daily is first line."),
        ("Anticoagulation > Reversal",
         "Give prothrombin complex concentrate 50 units/kg for major bleeding."),
        ("Heart failure", "Start dapagliflozin 10 mg once daily.\n"
                          "Continue dapagliflozin unless the eGFR is below 20."),  # over a page
        ("Appendix: renal dosing", "Renal dosing follows the table on the ward."),
    ]


def test_a_pdf_outline_section_is_what_retrieval_cites(alpha):
    version = upload(alpha, PROTOCOLS_PDF, name="Protocols", filename="protocols.pdf")
    assert version.status == Status.READY
    found = search(alpha, "What do we give for major bleeding?")
    assert found[0].section == "Anticoagulation > Reversal"
    assert found[0].document == "Protocols" and "prothrombin complex" in found[0].text


def test_only_documents_we_can_read_are_accepted(alpha):
    with tenant_scope(alpha.tenant), pytest.raises(ingest.KnowledgeError, match=r"\.pdf"):
        ingest.upload_version(alpha.admin, "Sheet", "numbers.xlsx", b"PK..")


# --- ingestion and retrieval ----------------------------------------------------------------


def test_an_ingested_document_answers_its_own_question(alpha):
    version = upload(alpha)
    assert version.status == Status.READY and version.chunks_done == version.chunks_total > 3
    found = search(alpha, "Which anticoagulant is first line for atrial fibrillation?")
    assert found[0].section.endswith("Atrial fibrillation")
    assert found[0].document == "Formulary" and found[0].version == 1
    with tenant_scope(alpha.tenant):
        chunk = Chunk.objects.get(pk=found[0].chunk_id)
    assert chunk.vector().shape == (384,) and abs(float(np.linalg.norm(chunk.vector())) - 1) < 1e-3
    assert actions(alpha.tenant) == ["knowledge.version_uploaded", "knowledge.version_ready"]


def test_full_text_ranks_on_postgresql_and_in_python_alike(alpha):
    upload(alpha)
    with tenant_scope(alpha.tenant):
        versions = retrieval.current_versions()
        in_sql = retrieval.text_ranking("ticagrelor aspirin", versions, 5)
        in_python = retrieval._python_text_ranking("ticagrelor aspirin", versions, 5)
        top = Chunk.objects.get(pk=in_sql[0])
    assert connection.vendor == "postgresql" and in_sql[0] == in_python[0]
    assert top.section.endswith("Antiplatelets")


FULL_COVER_DENSITY = """
    WITH q AS (SELECT replace(websearch_to_tsquery('english', %s)::text, ' & ', ' | ') AS text)
    SELECT c.id FROM knowledge_chunk c, q
    WHERE q.text <> '' AND c.version_id = ANY(%s::uuid[]) AND c.search @@ q.text::tsquery
    ORDER BY ts_rank_cd(c.search, q.text::tsquery) DESC, c.id LIMIT %s"""


def test_full_text_keeps_the_cover_density_order_below_its_candidate_cap(alpha, monkeypatch):
    upload(alpha)
    questions = ["ticagrelor aspirin", "apixaban dose in atrial fibrillation",
                 "Which diuretic in acute decompensation?", "statin intensity"]
    with tenant_scope(alpha.tenant), connection.cursor() as cursor:
        versions = retrieval.current_versions()
        for question in questions:
            cursor.execute(FULL_COVER_DENSITY, [question, versions, 5])
            every = [row[0] for row in cursor.fetchall()]
            assert every and retrieval.text_ranking(question, versions, 5) == every, question
        # with fewer candidates than matches, the cap is what was ranked: the best by ts_rank
        monkeypatch.setattr(retrieval, "TEXT_CANDIDATES", 1)
        few = retrieval.text_ranking("apixaban dose in atrial fibrillation", versions, 2)
        assert len(few) == 2 and set(few) <= set(Chunk.objects.values_list("pk", flat=True))


def test_full_text_reads_its_tsvector_from_the_row_not_toast():
    """Migration knowledge.0004: what a row-level-security scan reads stays in the row."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT attname, attstorage FROM pg_attribute WHERE attrelid = "
                       "'knowledge_chunk'::regclass AND attname IN ('search', 'embedding')")
        assert dict(cursor.fetchall()) == {"search": "m", "embedding": "e"}


def test_a_redelivered_task_finds_the_work_done(alpha):
    version = upload(alpha)
    with tenant_scope(alpha.tenant):
        before = list(Chunk.objects.values_list("pk", flat=True))
    assert ingest.ingest_version(str(alpha.tenant.pk), str(version.pk)) == "ready"
    with tenant_scope(alpha.tenant):
        assert list(Chunk.objects.values_list("pk", flat=True)) == before


def test_a_duplicate_delivery_leaves_a_version_whose_worker_still_reports(alpha):
    with tenant_scope(alpha.tenant):
        version = ingest.upload_version(alpha.admin, "Formulary", "f.md", FORMULARY)
        DocumentVersion.objects.filter(pk=version.pk).update(status=Status.INGESTING,
                                                             heartbeat_at=timezone.now())
    assert ingest.ingest_version(str(alpha.tenant.pk), str(version.pk)) == "ingesting"
    with tenant_scope(alpha.tenant):
        assert not Chunk.objects.exists()


def test_a_worker_that_died_half_way_starts_the_version_again(alpha):
    with tenant_scope(alpha.tenant):
        version = ingest.upload_version(alpha.admin, "Formulary", "f.md", FORMULARY)
        DocumentVersion.objects.filter(pk=version.pk).update(
            status=Status.INGESTING, heartbeat_at=timezone.now() - timedelta(hours=1))
        Chunk.objects.create(version=version, ordinal=0, text="half", sha256="0" * 64,
                             embedding=np.zeros(384, dtype=np.float32).tobytes())
    assert ingest.ingest_version(str(alpha.tenant.pk), str(version.pk)) == "ready"
    with tenant_scope(alpha.tenant):
        assert not Chunk.objects.filter(text="half").exists()
        assert Chunk.objects.filter(version=version).count() == \
            DocumentVersion.objects.get(pk=version.pk).chunks_total


def test_a_new_version_changes_the_citation_and_a_failed_one_changes_nothing(
        alpha, monkeypatch):
    upload(alpha)
    question = "Which statin is high intensity?"
    assert {p.version for p in search(alpha, question)} == {1}
    changed = FORMULARY.replace(b"Atorvastatin 80 mg", b"Rosuvastatin 40 mg")
    upload(alpha, changed, filename="formulary-v2.md")
    found = search(alpha, question)
    assert {p.version for p in found} == {2} and "Rosuvastatin" in found[0].text

    def broken(texts):
        raise RuntimeError("embedder down")

    monkeypatch.setattr(embeddings, "embed", broken)
    with tenant_scope(alpha.tenant):
        third = ingest.upload_version(alpha.admin, "Formulary", "f3.md", FORMULARY)
    assert ingest.ingest_version(str(alpha.tenant.pk), str(third.pk)) == "failed"
    monkeypatch.undo()
    with tenant_scope(alpha.tenant):
        third.refresh_from_db()
        assert third.status == Status.FAILED and "previous version" in third.error
        assert not third.chunks.exists()
    assert {p.version for p in search(alpha, question)} == {2}


def test_deleting_a_document_removes_its_chunks_files_and_answers(
        alpha, django_capture_on_commit_callbacks):
    first, second = upload(alpha), upload(alpha, FORMULARY + b"\nNew line.\n")
    assert search(alpha, "apixaban dose")
    with tenant_scope(alpha.tenant), django_capture_on_commit_callbacks(execute=True):
        ingest.delete_document(Document.objects.get(), alpha.admin)
    with tenant_scope(alpha.tenant):
        assert not Chunk.objects.exists() and not DocumentVersion.objects.exists()
    assert not default_storage.exists(first.storage_key)
    assert not default_storage.exists(second.storage_key)
    assert search(alpha, "apixaban dose") == []
    assert actions(alpha.tenant)[-1] == "knowledge.document_deleted"


def test_a_phi_finding_blocks_indexing_until_a_tenant_admin_clears_it(alpha):
    note = FORMULARY + b"\nCall Dr. Harriet Lindqvist on 617-555-0143 about apixaban.\n"
    version = upload(alpha, note)
    assert version.status == Status.BLOCKED and version.phi_findings
    with tenant_scope(alpha.tenant):
        text = ingest.read_text(version)
    flagged = " ".join(text[f["start"]:f["end"]] for f in version.phi_findings)
    assert "Lindqvist" in flagged or "555-0143" in flagged
    assert all(set(f) == {"type", "start", "end", "sha256"} for f in version.phi_findings)
    with tenant_scope(alpha.tenant):
        assert not Chunk.objects.exists()
    assert search(alpha, "apixaban dose") == []
    with tenant_scope(alpha.tenant):
        ingest.clear_findings(version, alpha.admin)
        with pytest.raises(ingest.KnowledgeError):
            ingest.clear_findings(version, alpha.admin)  # only a blocked version
    assert ingest.ingest_version(str(alpha.tenant.pk), str(version.pk)) == "ready"
    assert search(alpha, "apixaban dose")
    assert actions(alpha.tenant) == ["knowledge.version_uploaded", "knowledge.version_blocked",
                                     "knowledge.findings_cleared", "knowledge.version_ready"]
    with tenant_scope(alpha.tenant):
        cleared = AuditEntry.objects.get(action="knowledge.findings_cleared")
    assert "Lindqvist" not in cleared.payload_json and "617" not in cleared.payload_json


# --- isolation --------------------------------------------------------------------------------


def test_b_retrieves_nothing_of_a(alpha, beta):
    upload(alpha)
    question = "Which anticoagulant is first line for atrial fibrillation?"
    assert search(alpha, question)
    assert search(beta, question) == []
    upload(beta, (DEMO / "riverside-formulary.md").read_bytes())
    found = search(beta, question)
    assert found and all(p.document == "Formulary" for p in found)
    with tenant_scope(beta.tenant):
        assert {c.version.tenant_id for c in Chunk.objects.filter(
            pk__in=[p.chunk_id for p in found]).select_related("version")} == {beta.tenant.pk}
    assert all("Northwind" not in p.text and "Apixaban is the first-line" not in p.text
               for p in found)


def test_row_level_security_hides_a_chunks_from_raw_sql_in_bs_scope(alpha, beta):
    upload(alpha)
    with tenant_scope(beta.tenant), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM knowledge_chunk")
        assert cursor.fetchone()[0] == 0
    with tenant_scope(alpha.tenant), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM knowledge_chunk")
        assert cursor.fetchone()[0] > 0  # positive control


def test_the_vector_cache_is_keyed_by_the_document_set_and_bounded(alpha, beta):
    retrieval.cache.clear()
    upload(alpha)
    search(alpha, "apixaban")
    search(alpha, "warfarin")
    loads = retrieval.cache.loads
    upload(alpha, FORMULARY + b"\nA new paragraph.\n")
    search(alpha, "apixaban")
    assert retrieval.cache.loads == loads + 1  # a new version: a new key, loaded once
    upload(beta, (DEMO / "riverside-formulary.md").read_bytes())
    small = retrieval.VectorCache(max_bytes=1)
    with tenant_scope(alpha.tenant):
        versions = retrieval.current_versions()
        small.get(str(alpha.tenant.pk), retrieval.set_version(versions), versions)
    with tenant_scope(beta.tenant):
        versions = retrieval.current_versions()
        small.get(str(beta.tenant.pk), retrieval.set_version(versions), versions)
    assert small.tenants() == [str(beta.tenant.pk)]  # the least recently used went
