"""The document pages and API: tenant admins upload versions and see them; others may not."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from knowledge.models import Document, DocumentVersion
from tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db
FORMULARY = (Path(__file__).resolve().parent.parent / "demo" / "documents" /
             "northwind-formulary.md").read_bytes()


def test_an_admin_uploads_versions_on_the_page_and_through_the_api(alpha):
    client = alpha.client_for(alpha.admin)
    response = client.post(reverse("knowledge:documents"), {
        "name": "Formulary", "file": SimpleUploadedFile("formulary.md", FORMULARY)})
    with tenant_scope(alpha.tenant):
        document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "knowledge:document_detail", kwargs={"pk": document.pk})
    api = client.post(reverse("knowledge-api:document-list"), {
        "name": "Formulary", "file": SimpleUploadedFile("formulary-v2.md", FORMULARY)})
    assert api.status_code == 201 and api.json()["number"] == 2
    assert api.json()["status"] == "queued"
    page = client.get(reverse("knowledge:document_detail", kwargs={"pk": document.pk}))
    assert b"formulary-v2.md" in page.content and b"v2" in page.content
    listed = client.get(reverse("knowledge-api:document-list")).json()
    assert [len(d["versions"]) for d in listed] == [2]
    status = client.get(reverse("knowledge:version_status",
                                kwargs={"pk": api.json()["id"]})).json()
    assert status["status"] == "queued" and status["progress"] == 0


def test_a_file_we_cannot_read_is_refused_in_words(alpha):
    client = alpha.client_for(alpha.admin)
    api = client.post(reverse("knowledge-api:document-list"), {
        "name": "Sheet", "file": SimpleUploadedFile("sheet.xlsx", b"PK\x03\x04")})
    assert api.status_code == 400 and ".pdf" in api.json()["detail"]
    with tenant_scope(alpha.tenant):
        assert not DocumentVersion.objects.exists()


@pytest.mark.parametrize("role", ["clinician", "reviewer"])
def test_only_tenant_admins_manage_documents(alpha, role):
    client = alpha.client_for(getattr(alpha, role))
    assert client.get(reverse("knowledge:documents")).status_code == 403
    assert client.get(reverse("knowledge-api:document-list")).status_code == 403
