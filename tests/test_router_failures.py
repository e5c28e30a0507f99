"""Every way a call through the router can fail, against an engine stand-in on
httpx.MockTransport (fast tier; the real engine's side is in the slow tests). Each failure is
a 503 or a 400 in our own words, never another model's answer and never the engine's text,
and each is one audit entry with its true outcome."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from inference import residency, router, streams
from inference.models import EngineState, InferenceSettings
from tenants import shared_state
from tenants.models import AuditEntry, Tenant
from tenants.scoping import tenant_scope
from training.services import register_base_model

from .conftest import in_rotation
from .mock_engine import MockEngine, chunk, completion, mock_engine, sse
from .test_export import two_adapters

pytestmark = pytest.mark.django_db
BODY = {"messages": [{"role": "user", "content": "Dose of propranolol?"}]}


def outcomes(tenant: Tenant) -> list[str]:
    with tenant_scope(tenant):
        return [e.payload["outcome"] for e in AuditEntry.objects.filter(action="inference.chat")]


@pytest.fixture
def engine(settings, tmp_path) -> Iterator[MockEngine]:
    settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
    in_rotation(settings.VLLM_URL)
    with mock_engine() as running:
        yield running


@pytest.fixture
def adapter(alpha, tmp_path):
    """alpha's pinned adapter (the first one registered goes live), on its own base model."""
    register_base_model("test-base", tmp_path, "b" * 64, public_id="sanoweb-test/test-base")
    return two_adapters(alpha)[0]


def answer_with(engine: MockEngine, *responses: httpx.Response | Exception) -> None:
    """The engine answers the chat calls with these, in turn."""
    queue = list(responses)

    def reply(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        return item

    engine.chat = reply


def refused(tenant: Tenant, code: str) -> None:
    with pytest.raises(router.TenantModelUnavailable, match=f"^{code}$"):
        router.infer(tenant, "user:1", BODY)
    assert outcomes(tenant)[-1] == f"unavailable:{code}"


# --- before the engine is asked ---------------------------------------------------------------


def test_a_tenant_that_is_not_active_is_refused(alpha, engine):
    Tenant.objects.filter(pk=alpha.tenant.pk).update(status=Tenant.Status.SUSPENDED)
    refused(alpha.tenant, "tenant_not_active")
    assert engine.requests == []


def test_an_engine_out_of_rotation_is_not_asked(alpha, engine, settings):
    EngineState.objects.filter(url=settings.VLLM_URL).update(healthy=False)
    refused(alpha.tenant, "engine_out_of_rotation")
    assert engine.requests == []


def test_base_traffic_waits_for_a_canary_since_the_engine_started(alpha, engine, settings):
    EngineState.objects.filter(url=settings.VLLM_URL).update(canary_passed_at=None)
    refused(alpha.tenant, "engine_not_verified_for_base")


def test_a_tenant_that_requires_its_adapter_gets_no_base_answer(alpha, engine):
    with tenant_scope(alpha.tenant):
        InferenceSettings.objects.create(tenant=alpha.tenant, require_adapter=True)
    refused(alpha.tenant, "no_adapter")
    assert engine.requests == []


def test_an_adapter_of_another_base_model_is_not_served(alpha, engine, adapter):
    # the default moves on
    register_base_model("newer-base", Path("/nowhere"), "y" * 64, public_id="")
    refused(alpha.tenant, "adapter_base_mismatch")


# --- the engine's answer --------------------------------------------------------------------


@pytest.mark.parametrize("failure", [httpx.ConnectError("refused"),
                                     httpx.ReadTimeout("slow"),
                                     httpx.RemoteProtocolError("cut")])
def test_an_engine_that_is_down_or_times_out_is_a_503(alpha, engine, failure):
    answer_with(engine, failure)
    refused(alpha.tenant, "engine_unreachable")


@pytest.mark.parametrize("body", [b"<html>Bad Gateway</html>", b"[1, 2]", b"\"text\""])
def test_a_body_that_is_not_a_json_object_is_a_503(alpha, engine, body):
    answer_with(engine, httpx.Response(200, content=body))
    refused(alpha.tenant, "engine_bad_response")


def test_an_answer_from_another_model_is_never_passed_on(alpha, engine):
    answer_with(engine, completion("t0000-someone-else"))
    refused(alpha.tenant, "model_mismatch")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_an_engine_error_is_a_503(alpha, engine, status):
    answer_with(engine, httpx.Response(status, text="Internal error in t1234abcd-deadbeef"))
    refused(alpha.tenant, f"engine_status_{status}")


def test_a_context_overflow_is_a_400_in_our_words(alpha, engine):
    answer_with(engine, httpx.Response(400, text="This model's maximum context length is "
                                                 "1024 tokens (t9999-other adapter)"))
    with pytest.raises(router.BadInferenceRequest) as refusal:
        router.infer(alpha.tenant, "user:1", BODY)
    assert refusal.value.code == "context_length_exceeded" and "t9999" not in str(refusal.value)
    assert outcomes(alpha.tenant)[-1] == "refused:context_length_exceeded:messages"


def test_another_4xx_never_repeats_the_engines_text(alpha, engine):
    answer_with(engine, httpx.Response(422, text="lora t5555-beta-adapter is busy"))
    with pytest.raises(router.BadInferenceRequest) as refusal:
        router.infer(alpha.tenant, "user:1", BODY)
    assert "t5555" not in str(refusal.value) and "beta" not in str(refusal.value)
    assert outcomes(alpha.tenant)[-1].startswith("refused:")


def test_a_plain_answer_is_relabelled_and_on_record(alpha, engine):
    reply = router.infer(alpha.tenant, "user:1", BODY)
    assert reply.body["model"] == "sanoweb"
    sent = json.loads(engine.requests[-1].content)
    assert sent["model"] == "base" and sent["cache_salt"] == router.cache_salt(alpha.tenant)
    assert outcomes(alpha.tenant) == ["ok"]


# --- the tenant's adapter on the engine ------------------------------------------------------


def test_an_evicted_adapter_is_reloaded_once_and_answers(alpha, engine, adapter):
    calls = []

    def evicted_once(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            engine.loaded.clear()  # vLLM dropped it meanwhile
            return httpx.Response(404, text="The model does not exist")
        return completion(adapter.serving_name)

    engine.chat = evicted_once
    assert router.infer(alpha.tenant, "user:1", BODY).body["model"] == "sanoweb"
    loads = [r for r in engine.requests if r.url.path == "/v1/load_lora_adapter"]
    assert len(calls) == 2 and len(loads) == 2
    assert outcomes(alpha.tenant) == ["ok"]


def test_an_adapter_missing_twice_is_a_503_not_another_model(alpha, engine, adapter):
    answer_with(engine, httpx.Response(404, text="The model does not exist"))
    refused(alpha.tenant, "engine_status_404")
    chats = [r for r in engine.requests if r.url.path == "/v1/chat/completions"]
    assert len(chats) == 2  # one retry after the reload, no more


def test_an_adapter_name_rebound_to_another_path_quarantines_the_engine(alpha, engine, adapter,
                                                                        settings):
    engine.loaded[adapter.serving_name] = "/tmp/someone-elses-adapter"  # noqa: S108
    refused(alpha.tenant, "adapter_rebound")
    state = EngineState.objects.get(url=settings.VLLM_URL)
    assert state.quarantined and not state.healthy
    assert not [r for r in engine.requests if r.url.path == "/v1/chat/completions"]


def test_an_adapter_the_engine_will_not_load_is_a_503(alpha, engine, adapter):
    engine.load_status = 500
    refused(alpha.tenant, "adapter_load_failed")


def test_an_engine_that_cannot_say_what_it_serves_is_a_503(alpha, engine, adapter):
    engine.models_error = httpx.ConnectError("down")
    refused(alpha.tenant, "adapter_load_failed")


def test_a_residency_belief_without_the_engine_is_not_trusted(alpha, engine, adapter):
    """The shared state says loaded, the engine says not: the engine wins (it is loaded)."""
    shared_state.backend().add(residency.LOADED, residency._key(adapter.serving_name), 1.0)
    router.infer(alpha.tenant, "user:1", BODY)
    assert adapter.serving_name in engine.loaded


# --- streams ---------------------------------------------------------------------------------


class Events(httpx.SyncByteStream):
    """A stream body; a callable in `parts` runs when reached, an exception is raised."""

    def __init__(self, *parts: bytes | Exception | object) -> None:
        self.parts = parts

    def __iter__(self) -> Iterator[bytes]:
        for part in self.parts:
            if isinstance(part, Exception):
                raise part
            if callable(part):
                part()
                continue
            yield part  # type: ignore[misc]


def stream_of(alpha, engine, *parts) -> list[bytes]:
    answer_with(engine, httpx.Response(200, stream=Events(*parts),
                                       headers={"content-type": "text/event-stream"}))
    return list(router.infer_stream(alpha.tenant, "user:1", BODY).chunks)


def test_a_stream_is_relabelled_and_on_record(alpha, engine):
    events = stream_of(alpha, engine, sse(chunk("base", "Take "), chunk("base", "food."),
                                          "[DONE]"))
    assert events[-1] == b"data: [DONE]\n\n" and b'"model":"sanoweb"' in events[0]
    assert outcomes(alpha.tenant) == ["ok"]
    assert streams.open_streams(alpha.tenant) == []


@pytest.mark.parametrize(("parts", "outcome"), [
    ((sse(chunk("base", "Take ")), b"data: {not json\n\n"), "unavailable:engine_bad_stream"),
    ((sse(chunk("base", "Take "), {"error": {"message": "t77-x crashed"}}),),
     "unavailable:engine_error_mid_stream"),
    ((sse("[1]"),), "unavailable:engine_error_mid_stream"),
    ((sse(chunk("t0000-someone-else", "CN-1846")),), "unavailable:model_mismatch"),
    ((sse(chunk("base", "Take ")), httpx.ReadError("reset")), "unavailable:stream_broken"),
])
def test_a_stream_that_goes_wrong_ends_with_our_error_on_record(alpha, engine, parts, outcome):
    events = stream_of(alpha, engine, *parts)
    assert events[-1] == b'data: {"error": {"code": "tenant_model_unavailable"}}\n\n'
    assert b"CN-1846" not in b"".join(events) and b"crashed" not in b"".join(events)
    assert outcomes(alpha.tenant) == [outcome]
    assert streams.open_streams(alpha.tenant) == []


def test_a_client_that_goes_away_is_recorded_as_interrupted(alpha, engine):
    answer_with(engine, httpx.Response(200, stream=Events(
        sse(chunk("base", "Take "), chunk("base", "with "), chunk("base", "food"), "[DONE]"))))
    relay = router.infer_stream(alpha.tenant, "user:1", BODY).chunks
    next(relay)
    assert len(streams.open_streams(alpha.tenant)) == 1  # the purge would wait for it
    relay.close()  # type: ignore[attr-defined]
    assert outcomes(alpha.tenant) == ["interrupted:client_disconnected"]
    assert streams.open_streams(alpha.tenant) == []


def test_a_stream_of_a_tenant_being_purged_ends_and_writes_nothing(alpha, engine, monkeypatch):
    monkeypatch.setattr(streams, "CHECK_EVERY", 0.0)  # check before every line

    def purge_approved() -> None:
        Tenant.objects.filter(pk=alpha.tenant.pk).update(status=Tenant.Status.PURGING)

    events = stream_of(alpha, engine, sse(chunk("base", "Take ")), purge_approved,
                       sse(chunk("base", "secret rest"), "[DONE]"))
    assert events[-1] == b'data: {"error": {"code": "tenant_model_unavailable"}}\n\n'
    assert b"secret rest" not in b"".join(events)
    assert outcomes(alpha.tenant) == []  # the chain takes nothing more but the purge's own
    assert streams.open_streams(alpha.tenant) == []
