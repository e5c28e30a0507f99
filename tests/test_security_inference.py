"""Every inference call is on record with its true outcome (issue 12, item 8), written as
the attacks and breakdowns that must not slip through unaudited: a client's own field names,
an engine that answers garbage or breaks its stream, a shared-state outage, an adapter whose
bytes were changed in storage, and an adapter trained on another base model."""

from __future__ import annotations

import http.server
import io
import json
import threading
from collections.abc import Iterator
from typing import Any, TypedDict

import pytest
import redis
from django.core.files.storage import default_storage
from django.test import Client

from inference import residency, router
from inference.services import create_key
from tenants.models import AuditEntry
from tenants.scoping import tenant_scope
from training.models import PinnedAdapter

from .conftest import in_rotation
from .test_inference_e2e import CANARY, give_adapter

pytestmark = pytest.mark.django_db(transaction=True)
BODY = {"messages": [{"role": "user", "content": "Dose of propranolol?"}]}


def outcomes(tenant) -> list[dict[str, Any]]:
    with tenant_scope(tenant):
        return [e.payload for e in AuditEntry.objects.filter(action="inference.chat")]


def call(tenant, body, stream=False):
    secret = create_key(tenant, "k", tenant.memberships.first().user).secret
    return Client(raise_request_exception=False).post(
        "/v1/chat/completions", data=json.dumps({**body, "stream": stream}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")


class Behaviour(TypedDict):
    body: bytes
    type: str


@pytest.fixture
def broken_engine(settings) -> Iterator[Behaviour]:
    """A stand-in for a vLLM that has gone wrong: what it answers is set per test."""
    behaviour: Behaviour = {"body": b"oops", "type": "text/plain"}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", behaviour["type"])
            self.end_headers()
            self.wfile.write(behaviour["body"])

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.VLLM_URL = f"http://127.0.0.1:{server.server_address[1]}"
    in_rotation(settings.VLLM_URL)
    try:
        yield behaviour
    finally:
        server.shutdown()


def test_a_clients_field_names_never_reach_the_audit_chain(alpha, base_model):
    response = call(alpha.tenant, {**BODY, "patient_MRN_84411902": "x"})
    assert response.status_code == 400
    [payload] = outcomes(alpha.tenant)
    assert payload["outcome"] == "refused:invalid_request_error"
    with tenant_scope(alpha.tenant):
        assert not any("84411902" in e.payload_json for e in AuditEntry.objects.all())


def test_a_non_json_answer_from_the_engine_is_a_503_on_record(alpha, base_model,
                                                               broken_engine):
    response = call(alpha.tenant, BODY)
    assert response.status_code == 503
    assert outcomes(alpha.tenant)[-1]["outcome"] == "unavailable:engine_bad_response"


def test_a_malformed_stream_line_ends_the_stream_on_record(alpha, base_model, broken_engine):
    broken_engine.update(body=b"data: {not json\n\n", type="text/event-stream")
    response = call(alpha.tenant, BODY, stream=True)
    assert response.status_code == 200
    events = b"".join(response.streaming_content)
    assert b"tenant_model_unavailable" in events
    assert outcomes(alpha.tenant)[-1]["outcome"] == "unavailable:engine_bad_stream"


def test_a_shared_state_outage_is_a_503_on_record(alpha, base_model, broken_engine,
                                                  monkeypatch, settings, tmp_path):
    settings.VLLM_ADAPTER_CACHE = tmp_path
    give_adapter(alpha, CANARY / "canary_a")

    def outage(*args, **kwargs):
        raise redis.ConnectionError("Redis is down")

    monkeypatch.setattr(residency, "served_roots", outage)
    assert call(alpha.tenant, BODY).status_code == 503
    assert outcomes(alpha.tenant)[-1]["outcome"] == "failed:ConnectionError"


def test_an_adapter_changed_in_storage_is_refused_on_record(alpha, base_model, broken_engine,
                                                            settings, tmp_path):
    settings.VLLM_ADAPTER_CACHE = tmp_path  # no verified local copy yet
    adapter = give_adapter(alpha, CANARY / "canary_a")
    key = f"{adapter.storage_prefix}/adapter_config.json"
    default_storage.delete(key)
    default_storage.save(key, io.BytesIO(b'{"r": 64}'))  # tampered
    assert call(alpha.tenant, BODY).status_code == 503
    assert outcomes(alpha.tenant)[-1]["outcome"] == "unavailable:adapter_integrity"


def test_an_adapter_trained_on_another_base_model_is_not_served(alpha, base_model, settings):
    in_rotation(settings.VLLM_URL)
    adapter = give_adapter(alpha, CANARY / "canary_a")
    with tenant_scope(alpha.tenant):
        type(adapter).objects.filter(pk=adapter.pk).update(base_revision="0" * 64)
        assert PinnedAdapter.objects.exists()
    with pytest.raises(router.TenantModelUnavailable, match="adapter_base_mismatch"):
        router.resolve_route(alpha.tenant)
