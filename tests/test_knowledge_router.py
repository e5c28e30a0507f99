"""Grounding in the router: the tenant's own passages in the prompt and cited in the answer,
never another tenant's; the platform's opt-out field; the audit records ids and hashes only.
Against the engine stand-in (tests/mock_engine.py), which keeps what the router sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.test import Client
from django.urls import reverse

from inference import grounding
from inference.services import create_key
from knowledge import ingest
from tenants.models import AuditEntry
from tenants.scoping import tenant_scope

from .conftest import in_rotation
from .factories import base_model
from .mock_engine import MockEngine, chunk, mock_engine, sse

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parent.parent / "demo" / "documents"
QUESTION = "Which anticoagulant is first line for atrial fibrillation, and what dose?"


@pytest.fixture
def stand_in(settings, tmp_path):
    """The engine stand-in (named so: a fixture called `engine` marks a test as the engine
    tier, tests/tiers.py, and these need no real one)."""
    settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
    settings.VLLM_MAX_MODEL_LEN = 8192  # byte-counted here (no tokenizer): room for passages
    base_model()
    in_rotation(settings.VLLM_URL)
    with mock_engine() as running:
        yield running


def formulary(users, slug: str = "northwind", data: bytes | None = None) -> None:
    with tenant_scope(users.tenant):
        version = ingest.upload_version(users.admin, "Formulary", f"{slug}.md",
                                        data or (DEMO / f"{slug}-formulary.md").read_bytes())
    assert ingest.ingest_version(str(users.tenant.pk), str(version.pk)) == "ready"


def api(users, body, stream: bool = False):
    secret = create_key(users.tenant, "k", users.admin).secret
    return Client(raise_request_exception=False).post(
        "/v1/chat/completions", data=json.dumps({**body, "stream": stream}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")


def sent(mock: MockEngine) -> dict[str, Any]:
    """The body of the last chat call the router sent to the engine."""
    calls = [r for r in mock.requests if r.url.path == "/v1/chat/completions"]
    body: dict[str, Any] = json.loads(calls[-1].content)
    return body


def last_call(tenant) -> dict[str, Any]:
    with tenant_scope(tenant):
        entry = AuditEntry.objects.filter(action="inference.chat").order_by("-seq").first()
    assert entry is not None
    return entry.payload


def ask(question: str = QUESTION, **extra):
    return {"messages": [{"role": "user", "content": question}], **extra}


def test_an_answer_cites_the_tenants_own_document(alpha, stand_in):
    formulary(alpha)
    response = api(alpha, ask())
    assert response.status_code == 200
    citations = response.json()["sanoweb"]["citations"]
    assert citations and citations[0]["document"] == "Formulary"
    assert citations[0]["version"] == 1 and citations[0]["section"].endswith("Atrial fibrillation")
    system = sent(stand_in)["messages"][0]
    assert system["role"] == "system" and system["content"].startswith(grounding.TEMPLATE_HEAD)
    assert "apixaban 5 mg twice daily" in system["content"]
    assert sent(stand_in)["messages"][-1] == {"role": "user", "content": QUESTION}
    audited = last_call(alpha.tenant)["retrieval"]
    assert audited["mode"] == "grounded"
    assert audited["chunks"] == [c["chunk_id"] for c in citations]
    assert len(audited["chunk_sha256"]) == len(citations) and audited["versions"]
    assert "apixaban" not in json.dumps(last_call(alpha.tenant)).lower()  # no text


def test_b_asking_as_question_gets_no_citation_and_none_of_as_text(alpha, beta, stand_in):
    """The attack: B's API key asks the question A's formulary answers."""
    formulary(alpha)
    response = api(beta, ask())
    assert response.status_code == 200
    assert "sanoweb" not in response.json()  # B has no documents: nothing was retrieved
    prompt = json.dumps(sent(stand_in))
    assert "apixaban" not in prompt.lower() and "Northwind" not in prompt
    assert "retrieval" not in last_call(beta.tenant)
    b_salt = sent(stand_in)["cache_salt"]
    api(alpha, ask())
    assert sent(stand_in)["cache_salt"] != b_salt  # prefixes with A's passages stay A's
    # and with documents of its own, B's answer cites only B's
    formulary(beta, "riverside")
    response = api(beta, ask())
    prompt = json.dumps(sent(stand_in))
    assert "Riverside" in prompt or "dalteparin" in prompt.lower()
    assert "apixaban 5 mg" not in prompt.lower() and "Northwind" not in prompt
    with tenant_scope(alpha.tenant):
        from knowledge.models import Chunk

        a_chunks = set(Chunk.objects.values_list("pk", flat=True))
    assert not a_chunks & {c["chunk_id"] for c in response.json()["sanoweb"]["citations"]}


def test_a_new_version_changes_the_citation(alpha, stand_in):
    formulary(alpha)
    first = api(alpha, ask()).json()["sanoweb"]["citations"]
    changed = (DEMO / "northwind-formulary.md").read_bytes().replace(
        b"Apixaban is the first-line", b"Edoxaban is the first-line")
    formulary(alpha, data=changed)
    second = api(alpha, ask()).json()["sanoweb"]["citations"]
    assert {c["version"] for c in first} == {1} and {c["version"] for c in second} == {2}
    assert "Edoxaban is the first-line" in sent(stand_in)["messages"][0]["content"]


def test_the_stream_ends_with_the_citations(alpha, stand_in):
    formulary(alpha)
    stand_in.chat = lambda request: httpx.Response(200, content=sse(
        chunk(json.loads(request.content)["model"], "Apixaban [1]."), "[DONE]"),
        headers={"content-type": "text/event-stream"})
    response = api(alpha, ask(), stream=True)
    events = [e.removeprefix("data: ") for e in b"".join(response.streaming_content)
              .decode().split("\n\n") if e]
    assert events[-1] == "[DONE]"
    final = json.loads(events[-2])
    assert final["choices"] == [] and final["sanoweb"]["citations"][0]["document"] == "Formulary"


def test_the_opt_out_field_sends_no_passages(alpha, stand_in):
    formulary(alpha)
    response = api(alpha, ask(sanoweb={"retrieval": False}))
    assert response.status_code == 200 and "sanoweb" not in response.json()
    assert [m["role"] for m in sent(stand_in)["messages"]] == ["user"]
    assert "sanoweb" not in sent(stand_in)  # the engine never sees the platform's field
    assert last_call(alpha.tenant)["retrieval"]["mode"] == "off"
    assert api(alpha, ask(sanoweb={"retrieval": True})).json()["sanoweb"]["citations"]


@pytest.mark.parametrize("value", [{"retrieval": False, "top_k": 3}, {"retrieval": "no"},
                                   True, ["retrieval"], {"Retrieval": False}])
def test_anything_else_under_sanoweb_is_a_400(alpha, stand_in, value):
    response = api(alpha, ask(sanoweb=value))
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "sanoweb"
    assert not [r for r in stand_in.requests if r.url.path == "/v1/chat/completions"]


def test_a_clients_system_message_follows_the_platforms(alpha, stand_in):
    formulary(alpha)
    api(alpha, {"messages": [{"role": "system", "content": "Be brief."},
                             {"role": "user", "content": QUESTION}]})
    messages = sent(stand_in)["messages"]
    assert len(messages) == 2 and messages[0]["content"].endswith("\n\nBe brief.")


def test_chat_shows_citations_with_links_to_the_passages(alpha, stand_in):
    from curation import services

    formulary(alpha)
    stand_in.chat = lambda request: httpx.Response(200, content=sse(
        chunk(json.loads(request.content)["model"], "Apixaban."), "[DONE]"),
        headers={"content-type": "text/event-stream"})
    with tenant_scope(alpha.tenant):
        conversation = services.start_conversation(alpha.clinician, "Ward round")
    client = alpha.client_for(alpha.clinician)
    response = client.post(_send_url(conversation), {"text": QUESTION})
    events = [json.loads(e.removeprefix("data: ")) for e in
              b"".join(response.streaming_content).decode().split("\n\n") if e]
    done = events[-1]
    assert done["done"] and done["citations"][0]["document"] == "Formulary"
    page = client.get(done["citations"][0]["url"])
    assert page.status_code == 200 and b"Atrial fibrillation" in page.content
    again = client.get(reverse("inference:chat", kwargs={"pk": conversation.pk}))
    assert done["citations"][0]["url"].encode() in again.content  # kept with the answer


def _send_url(conversation) -> str:
    return reverse("inference:send", kwargs={"pk": conversation.pk})
