"""In a real browser, with a real Celery worker doing the ingestion: a tenant admin uploads a
PDF on the documents page and watches it ingest; a clinician of that tenant asks in the chat
and the answer links to the passage it used; the other tenant's clinician asking the same gets
no citation and none of its text, and so does its API key (the engine stand-in keeps every
prompt the router sent it, which is how "none of its text" is checked). Then a new version
moves the citation to that version, and deleting the document takes its passages out of the
answers, the export bundle and storage."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import httpx
import pytest
from django.urls import reverse
from playwright.sync_api import FilePayload, Locator, Page

from inference.services import create_key
from knowledge.models import Chunk, Document, DocumentVersion
from offboarding import export
from tenants.scoping import tenant_scope
from tenants.storage import list_keys, tenant_prefix

from .browser import chromium, login
from .conftest import PASSWORD, in_rotation
from .factories import base_model
from .mock_engine import MockEngine, chunk, completion, engine_server, sse
from .pdfs import Bookmark, build_pdf
from .pg import first_value, superuser_connection
from .workers import celery_worker, flush_broker

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.worker,
              pytest.mark.django_db(transaction=True)]

QUESTION = "What is the first-line anticoagulant for atrial flutter, and at what dose?"
ANSWER = "See the cited passage [1]."  # the stand-in's words: none of them the document's
# Made-up drug names (lower case: the PHI scan takes capitalised unknown words for names), so
# that finding one in a prompt can only mean the passage was sent.
V1_WORDS = ("zorbitanib", "quellastatin", "orvanexa")
V1 = build_pdf([
    ["Orvanexa cardiology formulary", "Anticoagulation", "Atrial flutter",
     "The first-line anticoagulant for atrial flutter is zorbitanib 42 mg twice daily with",
     "food. Halve the dose of zorbitanib when the eGFR is below 30 ml/min."],
    ["Lipids", "For high-intensity lipid lowering give quellastatin 15 mg at night.",
     "After a stent give aspirin 75 mg daily with clopidogrel 75 mg daily for twelve months."],
], outline=[Bookmark("Anticoagulation", 0, [Bookmark("Atrial flutter", 0)]),
            Bookmark("Lipids", 1)])  # its sections are the outline's (knowledge.chunking)
V2_WORDS = ("solvexaban",)
V2 = build_pdf([
    ["Cardiology formulary, revised",
     "From this revision the first-line anticoagulant for atrial flutter is solvexaban",
     "20 mg once daily, taken in the morning."],
])
# Records what the version rows of a document page go through, without a reload: the page's
# own polling updates them in place.
WATCH = """() => {
  window.seen = [];
  const note = (row) => window.seen.push([row.id, row.dataset.status,
                                          row.querySelector('.progress').textContent]);
  for (const row of document.querySelectorAll('tr.version')) {
    note(row);
    new MutationObserver(() => note(row)).observe(row, {attributes: true, subtree: true,
                                                       childList: true, characterData: true});
  }
}"""


def _answer(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    if body.get("stream"):  # the chat page
        return httpx.Response(200, content=sse(chunk(body["model"], ANSWER), "[DONE]"),
                              headers={"content-type": "text/event-stream"})
    return completion(body["model"], ANSWER)  # the API, not streamed


@pytest.fixture
def stand_in(settings, tmp_path):
    """The engine stand-in on a real port: the live server's thread reaches it over HTTP."""
    settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
    settings.VLLM_MAX_MODEL_LEN = 8192  # byte-counted here (no tokenizer): room for passages
    base_model()
    engine = MockEngine(chat=_answer)
    with engine_server(engine) as url:
        settings.VLLM_URL = url
        in_rotation(url)
        yield engine


def prompts(engine: MockEngine) -> list[dict[str, Any]]:
    return [json.loads(r.content) for r in engine.requests
            if r.url.path == "/v1/chat/completions"]


def upload_pdf(admin: Page, filename: str, data: bytes) -> None:
    """On the documents page, as a tenant admin would: a name, a file, Upload."""
    admin.goto(reverse("knowledge:documents"))
    admin.fill("#upload input[name=name]", "Formulary")
    payload: FilePayload = {"name": filename, "mimeType": "application/pdf", "buffer": data}
    admin.set_input_files("#upload input[name=file]", files=[payload])
    with admin.expect_navigation():
        admin.click("#upload button[type=submit]")
    assert "it is scanned and indexed in the background" in admin.inner_text(".messages")


def newest_version(users) -> DocumentVersion:
    with tenant_scope(users.tenant):
        version = DocumentVersion.objects.select_related("document").order_by("-created_at")[0]
    return version


def wait_until_ready(admin: Page, version: DocumentVersion) -> list[list[str]]:
    """Wait on the document page (no reload) until the worker has indexed the version;
    returns what the row showed on the way."""
    row = f"#version-{version.pk}"
    admin.wait_for_selector(f"{row}[data-status=ready]", timeout=240_000)
    seen: list[list[str]] | None = admin.evaluate("window.seen")
    assert seen is not None, "the page was reloaded (a PHI finding?) instead of updating"
    return [entry for entry in seen if entry[0] == row[1:]]


def new_conversation(clinician: Page) -> None:
    clinician.goto(reverse("curation:conversation_list"))
    with clinician.expect_navigation():
        clinician.click("#new-conversation")


def ask(clinician: Page, question: str = QUESTION) -> Locator:
    """Send in the chat and wait for the streamed answer to finish; returns its bubble."""
    before = clinician.locator(".msg.assistant.done").count()
    clinician.fill("#text", question)
    clinician.click("#send")
    answer = clinician.locator(".msg.assistant.done").nth(before)
    answer.wait_for(timeout=60_000)
    assert answer.locator(".text").inner_text() == ANSWER
    return answer


def only_new_prompt(engine: MockEngine, before: int) -> str:
    """The one chat call the router sent since `before`, as JSON text."""
    sent = prompts(engine)[before:]
    assert len(sent) == 1, f"{len(sent)} chat calls reached the engine"
    return json.dumps(sent[0])


def api_ask(base_url: str, secret: str) -> dict[str, Any]:
    response = httpx.post(f"{base_url}/v1/chat/completions", timeout=60,
                          headers={"Authorization": f"Bearer {secret}"},
                          json={"messages": [{"role": "user", "content": QUESTION}]})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bundle(tenant) -> dict[str, bytes]:
    """The tenant's export bundle as an operator would download it: file name -> bytes."""
    with zipfile.ZipFile(io.BytesIO(export.build(tenant))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def holding(files: dict[str, bytes], words: tuple[str, ...]) -> list[str]:
    return sorted(name for name, data in files.items()
                  if any(w.encode() in data.lower() for w in words))


def passage_of(link: Locator) -> Chunk:
    href = link.get_attribute("href") or ""
    chunk_id = int(href.rstrip("/").rsplit("/", 1)[-1])
    assert href == reverse("knowledge:passage", kwargs={"pk": chunk_id})
    return Chunk.objects.select_related("version__document").get(pk=chunk_id)


def test_an_uploaded_pdf_is_cited_to_its_own_tenant_only(live_server, alpha, beta, stand_in):
    flush_broker()
    with chromium() as browser, celery_worker("default"):
        admin = login(browser, live_server.url, alpha.admin.email, PASSWORD)
        upload_pdf(admin, "formulary.pdf", V1)
        admin.evaluate(WATCH)
        version = newest_version(alpha)
        assert version.original_filename == "formulary.pdf" and version.number == 1
        seen = wait_until_ready(admin, version)
        assert seen[0][1] in ("queued", "ingesting"), seen  # the page showed it under way
        with tenant_scope(alpha.tenant):
            version.refresh_from_db()
            a_texts = list(Chunk.objects.values_list("text", flat=True))
        total = version.chunks_total
        assert total >= 1 and seen[-1][1:] == ["ready", f"{total}/{total} passages (100%)"]
        assert "ready" in admin.inner_text(f"#version-{version.pk} .status")

        # A's clinician: the answer links to the passage of that document and version.
        clinician = login(browser, live_server.url, alpha.clinician.email, PASSWORD)
        new_conversation(clinician)
        before = len(prompts(stand_in))
        answer = ask(clinician)
        a_prompt = only_new_prompt(stand_in, before)
        assert "zorbitanib 42 mg twice daily" in a_prompt  # the positive control
        link = answer.locator(".citations a.citation").first
        with tenant_scope(alpha.tenant):
            cited = passage_of(link)
        assert cited.version_id == version.pk and "zorbitanib 42 mg" in cited.text
        assert cited.section == "Anticoagulation > Atrial flutter"
        assert link.inner_text() == "Formulary, version 1 — Anticoagulation > Atrial flutter"
        passage_url = link.get_attribute("href") or ""
        with clinician.expect_navigation():
            link.click()
        assert "zorbitanib 42 mg twice daily" in clinician.inner_text("body")
        assert "version 1" in clinician.inner_text("h1")

        # B's clinician asks the same: no citation, and none of A's words reached the engine.
        outsider = login(browser, live_server.url, beta.clinician.email, PASSWORD)
        new_conversation(outsider)
        before = len(prompts(stand_in))
        answer = ask(outsider)
        assert answer.locator(".citations").count() == 0
        b_prompt = only_new_prompt(stand_in, before).lower()
        assert not [w for w in V1_WORDS if w in b_prompt]
        assert not [t for t in a_texts if t.lower() in b_prompt]
        assert json.loads(b_prompt)["cache_salt"] != json.loads(a_prompt)["cache_salt"]
        # and A's passage link, typed in by B, is a 404 with nothing of it
        response = outsider.goto(passage_url)
        assert response is not None and response.status == 404
        assert "zorbitanib" not in outsider.content().lower()

    # The same through the OpenAI-compatible API: B's key first, then A's.
    b_secret = create_key(beta.tenant, "integration", beta.admin).secret
    a_secret = create_key(alpha.tenant, "integration", alpha.admin).secret
    before = len(prompts(stand_in))
    b_answer = api_ask(live_server.url, b_secret)
    assert "sanoweb" not in b_answer  # nothing retrieved, nothing cited
    assert b_answer["choices"][0]["message"]["content"] == ANSWER
    b_prompt = only_new_prompt(stand_in, before).lower()
    assert not [w for w in V1_WORDS if w in b_prompt]
    assert not [t for t in a_texts if t.lower() in b_prompt]
    before = len(prompts(stand_in))
    citations = api_ask(live_server.url, a_secret)["sanoweb"]["citations"]
    assert "zorbitanib 42 mg twice daily" in only_new_prompt(stand_in, before)
    assert citations and {c["version_id"] for c in citations} == {str(version.pk)}
    assert citations[0]["document"] == "Formulary" and citations[0]["version"] == 1
    assert citations[0]["document_id"] == str(version.document_id)
    with tenant_scope(alpha.tenant):
        assert citations[0]["section"] == Chunk.objects.get(
            pk=citations[0]["chunk_id"]).section


def test_a_new_version_moves_the_citation_and_deleting_takes_the_passages_away(
        live_server, alpha, stand_in):
    flush_broker()
    with chromium() as browser, celery_worker("default"):
        admin = login(browser, live_server.url, alpha.admin.email, PASSWORD)
        upload_pdf(admin, "formulary.pdf", V1)
        admin.evaluate(WATCH)
        first = newest_version(alpha)
        wait_until_ready(admin, first)
        clinician = login(browser, live_server.url, alpha.clinician.email, PASSWORD)
        new_conversation(clinician)
        old_link = ask(clinician).locator(".citations a.citation").first
        assert old_link.inner_text().startswith("Formulary, version 1")
        old_url = old_link.get_attribute("href") or ""

        # v2 under the same name, on the same page; the worker indexes it
        upload_pdf(admin, "formulary-revised.pdf", V2)
        admin.evaluate(WATCH)
        second = newest_version(alpha)
        assert second.document_id == first.document_id and second.number == 2
        wait_until_ready(admin, second)
        assert admin.locator("tr.version").count() == 2  # the older version stays listed
        before = len(prompts(stand_in))
        links = ask(clinician).locator(".citations a.citation")
        prompt = only_new_prompt(stand_in, before)
        assert "solvexaban 20 mg once daily" in prompt and "zorbitanib" not in prompt
        assert links.count() >= 1 and all(
            text.startswith("Formulary, version 2") for text in links.all_inner_texts())
        with tenant_scope(alpha.tenant):
            assert {passage_of(link).version_id for link in links.all()} == {second.pk}
        new_url = links.first.get_attribute("href") or ""
        held = holding(bundle(alpha.tenant), V2_WORDS)  # the positive control for below
        assert "data/knowledge.Chunk.json" in held
        assert f"storage/{second.storage_key[len(tenant_prefix(alpha.tenant)):]}" in held

        # Delete, on the document page (it asks first)
        admin.goto(reverse("knowledge:document_detail", kwargs={"pk": first.document_id}))
        admin.once("dialog", lambda dialog: dialog.accept())
        with admin.expect_navigation():
            admin.click("text=Delete document")
        assert "No documents yet." in admin.inner_text("table")

        before = len(prompts(stand_in))
        answer = ask(clinician)
        assert answer.locator(".citations").count() == 0
        prompt = only_new_prompt(stand_in, before).lower()
        assert not [w for w in (*V1_WORDS, *V2_WORDS) if w in prompt]
        for url in (old_url, new_url):  # the answers' old links lead nowhere now
            response = clinician.goto(url)
            assert response is not None and response.status == 404

    # Gone from the database (looked at past row-level security), storage and the export.
    with superuser_connection() as pg:
        assert first_value(pg.execute(
            "SELECT count(*) FROM knowledge_chunk WHERE version_id = ANY(%s)",
            [[first.pk, second.pk]])) == 0
        assert first_value(pg.execute("SELECT count(*) FROM knowledge_documentversion "
                                      "WHERE document_id = %s", [first.document_id])) == 0
    assert list_keys(tenant_prefix(alpha.tenant) + "documents") == []
    files = bundle(alpha.tenant)
    assert not [name for name in files if name.startswith("storage/documents/")]
    assert json.loads(files.get("data/knowledge.Chunk.json", b"[]")) == []
    assert json.loads(files.get("data/knowledge.Document.json", b"[]")) == []
    assert holding(files, (*V1_WORDS, *V2_WORDS)) == []
    with tenant_scope(alpha.tenant):
        assert not Document.objects.exists()
