"""Web chat as a careless user meets it, against a real vLLM: a message too long for the
model, a conversation that has outgrown the context window, a model that is unavailable, and
an answer stream cut halfway. The conversation must stay usable and the record true."""

import json

import pytest
from django.urls import reverse

from curation import services as curation_services
from curation.models import Conversation, Message
from inference.models import EngineState
from tenants.audit import verify_chain
from tenants.models import AuditEntry
from tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db(transaction=True)

LONG = ("Patient reports intermittent palpitations with exertion, no syncope, normal echo; "
        * 95)  # ~7,900 characters, as in the issue


@pytest.fixture
def conversation(alpha):
    with tenant_scope(alpha.tenant):
        return curation_services.start_conversation(alpha.clinician, "chat")


def send(alpha, conversation, text):
    client = alpha.client_for(alpha.clinician)
    response = client.post(reverse("inference:send", args=[conversation.pk]), {"text": text})
    if not response.streaming:
        return response, []
    events = [json.loads(chunk.decode().removeprefix("data: ").strip())
              for chunk in response.streaming_content]
    return response, events


def messages_of(alpha, conversation):
    with tenant_scope(alpha.tenant):
        return list(Message.objects.filter(conversation=conversation)
                    .values_list("role", "status"))


def chat_outcomes(alpha):
    with tenant_scope(alpha.tenant):
        return [json.loads(e.payload_json)["outcome"]
                for e in AuditEntry.objects.filter(action="inference.chat")]


@pytest.fixture
def base_verified(served):
    """The engine passed its canary since it started (the `served` fixture), so base traffic
    is allowed."""
    return served


def test_an_empty_or_overlong_message_is_refused_and_nothing_is_stored(alpha, conversation,
                                                                       base_model):
    for text in ("", "   ", "x" * 9000):
        response, _ = send(alpha, conversation, text)
        assert response.status_code == 400
        assert response.json()["error"]
    assert messages_of(alpha, conversation) == []


@pytest.mark.slow
def test_a_message_too_long_for_the_model_does_not_break_the_conversation(
        alpha, conversation, base_verified):
    response, _ = send(alpha, conversation, LONG)
    assert response.status_code == 400
    assert "too long for the model" in response.json()["error"]
    assert messages_of(alpha, conversation) == []  # not stored: the text stays in the box
    response, events = send(alpha, conversation, "Thanks!")
    assert response.status_code == 200
    assert events[-1]["done"] is True, events
    assert messages_of(alpha, conversation) == [("user", "answered"), ("assistant", "answered")]
    assert chat_outcomes(alpha) == ["ok"]


@pytest.mark.slow
def test_a_conversation_longer_than_the_window_is_fitted_and_says_what_was_dropped(
        alpha, conversation, base_verified):
    with tenant_scope(alpha.tenant):
        for turn in range(12):  # 24 messages of ~170 tokens: well over the 1024-token window
            for role in ("user", "assistant"):
                curation_services.record_message(
                    conversation, role, f"Turn {turn}. " + LONG[:700], author=None)
    for _ in range(2):  # and it keeps working: each message is answered
        response, events = send(alpha, conversation, "Thanks!")
        assert response.status_code == 200
        assert events[0]["context"]["dropped"] > 0
        assert events[-1]["done"] is True, events
    assert chat_outcomes(alpha) == ["ok", "ok"]


@pytest.mark.slow
def test_a_refused_message_is_kept_unanswered_and_left_out_of_the_history(
        alpha, conversation, base_verified, monkeypatch):
    EngineState.objects.filter(url=base_verified.config.url).update(healthy=False)
    response, _ = send(alpha, conversation, "What is the INR target on warfarin?")
    assert response.status_code == 503
    assert "not available" in response.json()["error"]
    assert messages_of(alpha, conversation) == [("user", "unanswered")]
    page = alpha.client_for(alpha.clinician).get(reverse("inference:chat",
                                                         args=[conversation.pk]))
    assert b'data-status="unanswered"' in page.content and b"Ask again" in page.content

    EngineState.objects.filter(url=base_verified.config.url).update(healthy=True)
    sent = []
    from inference import router
    real_post = router._post

    def recording_post(path, body, stream=False):
        sent.append(body)
        return real_post(path, body, stream=stream)

    monkeypatch.setattr(router, "_post", recording_post)
    response, events = send(alpha, conversation, "Thanks!")
    assert events[-1]["done"] is True
    assert [m["content"] for m in sent[0]["messages"]] == ["Thanks!"]  # not the unanswered one
    assert messages_of(alpha, conversation) == [
        ("user", "unanswered"), ("user", "answered"), ("assistant", "answered")]
    assert chat_outcomes(alpha) == ["unavailable:engine_out_of_rotation", "ok"]


@pytest.mark.slow
def test_a_stream_cut_mid_answer_is_marked_interrupted_and_audited(alpha, conversation,
                                                                   base_verified):
    client = alpha.client_for(alpha.clinician)
    response = client.post(reverse("inference:send", args=[conversation.pk]),
                           {"text": "Explain heart failure staging in detail."})
    assert response.status_code == 200
    stream = iter(response.streaming_content)
    first = [json.loads(next(stream).decode().removeprefix("data: ")) for _ in range(2)]
    assert all("delta" in event for event in first)
    response.close()  # what the server does when the browser goes away mid-answer
    with tenant_scope(alpha.tenant):
        question, answer = Message.objects.filter(conversation=conversation)
    assert (question.status, answer.status) == ("interrupted", "interrupted")
    assert answer.text  # what arrived is kept
    assert chat_outcomes(alpha) == ["interrupted:client_disconnected"]
    assert verify_chain(alpha.tenant).ok
    with (pytest.raises(curation_services.CurationError, match="cut off"),
          tenant_scope(alpha.tenant)):
        curation_services.propose_from_exchange(answer, alpha.clinician)
    with tenant_scope(alpha.tenant):
        assert Conversation.objects.count() == 1


def test_a_message_with_a_nul_character_is_refused_and_nothing_is_stored(alpha, conversation):
    response, _ = send(alpha, conversation, "INR 2.5\x00 today")
    assert response.status_code == 400
    assert "U+0000" in response.json()["error"]
    assert messages_of(alpha, conversation) == []
