"""Tenant-enforced routing to vLLM: the server decides the model, never the client.

`infer()` takes the authenticated tenant and a client body, builds the request vLLM sees (the
tenant's pinned adapter by its content-derived name, a per-tenant cache salt, an explicit model
always), and fails with TenantModelUnavailable (503) rather than ever answering with another
model. Every call, success or failure, is one audit entry with the model pin and the sha256 of
the exact JSON sent to vLLM; no prompt text is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

from tenants import audit, closing
from tenants.models import Tenant
from tenants.scoping import tenant_scope
from tenants.storage import IntegrityError as StorageIntegrityError
from training.models import AdapterVersion, BaseModel, PinnedAdapter

from . import engine_http, grounding, health, residency, streams
from .models import EngineState, InferenceSettings
from .validation import ALLOWED_FIELDS, BadInferenceRequest, clean_request, platform_options

log = logging.getLogger(__name__)

__all__ = ["BadInferenceRequest", "TenantModelUnavailable", "audit_refusal", "clean_request",
           "infer", "infer_stream", "resolve_route"]


class TenantModelUnavailable(RuntimeError):
    """503 tenant_model_unavailable: the tenant's model cannot answer; nothing else will."""


@dataclass(frozen=True)
class Route:
    model: str  # the name vLLM serves it under
    pin: str  # what the audit records
    adapter: AdapterVersion | None
    public_name: str = ""  # what the client asked for and sees back (default: the alias)


@dataclass
class Completion:
    body: dict[str, Any]
    route: Route
    request_sha256: str
    citations: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _CallRecord:
    tenant: Tenant
    actor: str
    route: Route | None = None
    request_sha256: str = ""
    started: float = field(default_factory=time.perf_counter)
    # "off" (the client opted out), "grounded" (the tenant has documents), "" (it has none)
    retrieval: str = ""
    grounding: grounding.Grounding | None = None

    def citations(self) -> list[dict[str, Any]]:
        return self.grounding.citations() if self.grounding is not None else []

    def extension(self) -> dict[str, Any]:
        """The documented `sanoweb` field of an answer that was grounded."""
        return {"citations": self.citations()}


def canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def cache_salt(tenant: Tenant) -> str:
    """Per-tenant prefix-cache salt: vLLM never shares cached prefixes across tenants."""
    key = hashlib.sha256(b"sanoweb.cache-salt\0" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, str(tenant.pk).encode(), hashlib.sha256).hexdigest()


def engine_state() -> EngineState:
    state, _ = EngineState.objects.get_or_create(url=settings.VLLM_URL)
    return state


def resolve_route(tenant: Tenant, requested: str | None = None) -> Route:
    """The tenant's pinned adapter, or the base model where the tenant allows it; or, when the
    client names one of the tenant's own fine-tuned models, that adapter version."""
    if not Tenant.objects.filter(pk=tenant.pk, status=Tenant.Status.ACTIVE).exists():
        raise TenantModelUnavailable("tenant_not_active")
    if requested not in (None, settings.PUBLIC_MODEL_ALIAS):
        return _named_route(tenant, str(requested))
    with tenant_scope(tenant):
        pin = PinnedAdapter.objects.select_related("adapter").first()
        rules = InferenceSettings.objects.filter(tenant=tenant).first()
    state = engine_state()
    if not state.healthy:
        raise TenantModelUnavailable("engine_out_of_rotation")
    base = BaseModel.objects.filter(is_default=True).first()
    if pin is not None:
        adapter = pin.adapter
        if base is None or adapter.base_revision != base.revision:
            raise TenantModelUnavailable("adapter_base_mismatch")  # trained on another base
        return Route(adapter.serving_name, adapter.model_pin, adapter)
    if rules is not None and rules.require_adapter:
        raise TenantModelUnavailable("no_adapter")
    # Base traffic may share a LoRA-enabled engine only once the canary proved it clean.
    if not state.canary_passed_since_start:
        raise TenantModelUnavailable("engine_not_verified_for_base")
    return Route(settings.VLLM_BASE_NAME, f"base@{base.revision if base else 'unknown'}", None)


def _named_route(tenant: Tenant, name: str) -> Route:
    from .fine_tuning import adapter_named

    adapter = adapter_named(tenant, name)
    if adapter is None:  # another tenant's name reads exactly like a name nobody has
        raise BadInferenceRequest(f"The model is chosen by the platform; send "
                                  f"\"{settings.PUBLIC_MODEL_ALIAS}\" or one of your team's "
                                  "fine-tuned models (GET /v1/models).", param="model",
                                  code="model_not_found")
    if not engine_state().healthy:
        raise TenantModelUnavailable("engine_out_of_rotation")
    base = BaseModel.objects.filter(is_default=True).first()
    if base is None or adapter.base_revision != base.revision:
        raise TenantModelUnavailable("adapter_base_mismatch")
    return Route(adapter.serving_name, adapter.model_pin, adapter, public_name=name)


def _post(path: str, body: dict[str, Any], stream: bool = False) -> httpx.Response:
    client = engine_http.client()
    request = client.build_request("POST", path, content=canonical(body),
                                   headers={"content-type": "application/json"})
    return client.send(request, stream=stream)


def _model_missing(response: httpx.Response) -> bool:
    return response.status_code == 404


def audit_refusal(tenant: Tenant, actor: str, reason: str) -> None:
    """A call refused before its body could be read (unparseable, too large) is on record too;
    `reason` is one of our own codes, never text from the request."""
    _audit(_CallRecord(tenant, actor), f"refused:{reason}")


def refusal_outcome(exc: BadInferenceRequest) -> str:
    """Our code and our field name only: a client's field names or values never reach the
    audit chain (they could carry PHI, or forge what the chain seems to say)."""
    param = exc.param if exc.param in ALLOWED_FIELDS else None
    return f"refused:{exc.code}" + (f":{param}" if param else "")


def _audit(record: _CallRecord, outcome: str, *, response_sha256: str = "",
           usage: dict[str, Any] | None = None) -> None:
    usage = usage or {}
    try:
        _append_call(record, outcome, response_sha256, usage)
    except closing.TenantClosed:
        # The tenant is being purged, its chain with it: the call is not recorded.
        log.info("inference call of a tenant being purged not audited (%s)", outcome)


def _append_call(record: _CallRecord, outcome: str, response_sha256: str,
                 usage: dict[str, Any]) -> None:
    audit.append(record.tenant, "inference.chat", actor=record.actor,
                 target=f"model:{record.route.model}" if record.route else "",
                 model_pin=record.route.pin if record.route else "",
                 request_sha256=record.request_sha256,
                 payload={"outcome": outcome, "response_sha256": response_sha256,
                          "prompt_tokens": usage.get("prompt_tokens"),
                          "completion_tokens": usage.get("completion_tokens"),
                          "cached_tokens": (usage.get("prompt_tokens_details") or {}).get(
                              "cached_tokens"),
                          "latency_ms": round(1000 * (time.perf_counter() - record.started)),
                          **_retrieval_payload(record)})


def _retrieval_payload(record: _CallRecord) -> dict[str, Any]:
    """Which passages the prompt held: chunk ids, their sha256 and versions; never text."""
    if not record.retrieval:
        return {}
    used = record.grounding.passages if record.grounding is not None else []
    return {"retrieval": {"mode": record.retrieval,
                          "chunks": [p.chunk_id for p in used],
                          "chunk_sha256": [p.sha256 for p in used],
                          "versions": sorted({p.version_id for p in used})}}


def _prepare(tenant: Tenant, body: dict[str, Any], record: _CallRecord,
             requested: str | None = None, *, retrieve: bool = True,
             answer_limit: int | None = None) -> dict[str, Any]:
    route = resolve_route(tenant, requested)
    record.route = route
    if not retrieve:
        record.retrieval = "off"
    elif (grounded := grounding.ground(tenant, body, answer_limit)) is not None:
        record.retrieval, record.grounding = "grounded", grounded
        body = {**body, "messages": grounded.messages, "max_tokens": grounded.max_tokens}
    vllm_body = {**body, "model": route.model, "cache_salt": cache_salt(tenant)}
    if vllm_body.get("stream"):
        vllm_body["stream_options"] = {"include_usage": True}
    record.request_sha256 = hashlib.sha256(canonical(vllm_body)).hexdigest()
    if route.adapter is not None:
        residency.ensure_loaded(route.adapter)
    return vllm_body


def _send(vllm_body: dict[str, Any], route: Route, stream: bool) -> httpx.Response:
    """Send once; if vLLM no longer has the adapter (evicted), reload it and retry once."""
    try:
        response = _post("/v1/chat/completions", vllm_body, stream=stream)
        if _model_missing(response) and route.adapter is not None:
            response.close()
            residency.forget(route.adapter)
            residency.ensure_loaded(route.adapter)
            response = _post("/v1/chat/completions", vllm_body, stream=stream)
    except httpx.HTTPError as exc:
        raise TenantModelUnavailable("engine_unreachable") from exc
    if response.status_code != 200:
        detail = _engine_error_text(response)
        response.close()
        if 400 <= response.status_code < 500 and response.status_code != 404:
            raise _client_error(detail)
        raise TenantModelUnavailable(f"engine_status_{response.status_code}")
    return response


def _engine_error_text(response: httpx.Response) -> str:
    try:
        return response.read()[:2000].decode("utf-8", "replace").lower()
    except httpx.HTTPError:
        return ""


def _client_error(detail: str) -> BadInferenceRequest:
    """An engine 4xx in our own words: vLLM's text can name other tenants' adapters."""
    if any(sign in detail for sign in ("context length", "maximum context", "too long",
                                       "max_tokens")):
        return BadInferenceRequest("The conversation and the answer do not fit in the model's "
                                   "context window. Send fewer or shorter messages.",
                                   code="context_length_exceeded", param="messages")
    return BadInferenceRequest("The model could not accept these request parameters.")


@contextmanager
def _audited_failures(record: _CallRecord) -> Iterator[None]:
    """A refused or failed call is audited too; adapter load errors become 503s."""
    try:
        yield
    except BadInferenceRequest as exc:
        _audit(record, refusal_outcome(exc))
        raise
    except TenantModelUnavailable as exc:
        _audit(record, f"unavailable:{exc}")
        raise
    except residency.AdapterRebound as exc:
        _audit(record, "unavailable:adapter_rebound")
        health.quarantine(settings.VLLM_URL, f"adapter name {exc} re-bound behind the router")
        raise TenantModelUnavailable("adapter_rebound") from exc
    except residency.AdapterRefused as exc:  # the load-time check: marked not servable
        _audit(record, f"unavailable:adapter_refused:{exc}")
        raise TenantModelUnavailable("adapter_refused") from exc
    except residency.AdapterLoadError as exc:
        _audit(record, "unavailable:adapter_load_failed")
        raise TenantModelUnavailable("adapter_load_failed") from exc
    except StorageIntegrityError as exc:  # the adapter's bytes no longer match their sha256
        _audit(record, "unavailable:adapter_integrity")
        raise TenantModelUnavailable("adapter_integrity") from exc
    except Exception as exc:  # shared state, locks, the engine's answer: never unaudited
        _audit(record, f"failed:{type(exc).__name__}")
        raise TenantModelUnavailable("internal_error") from exc


def _open(tenant: Tenant, request_body: Any, record: _CallRecord, *,
          stream: bool) -> httpx.Response:
    body = {**clean_request(request_body), "stream": stream}
    options = platform_options(request_body)
    limit = request_body.get("max_completion_tokens", request_body.get("max_tokens"))
    # clean_request checked the name's form; which adapter it means is resolve_route's call
    requested = request_body.get("model") if isinstance(request_body, dict) else None
    vllm_body = _prepare(tenant, body, record, requested, retrieve=options.retrieval,
                         answer_limit=limit)
    assert record.route is not None
    return _send(vllm_body, record.route, stream=stream)


def infer(tenant: Tenant, actor: str, request_body: Any) -> Completion:
    """Non-streaming chat completion for `tenant`."""
    record = _CallRecord(tenant, actor)
    with _audited_failures(record):
        response = _open(tenant, request_body, record, stream=False)
        try:
            result = response.json()
        except ValueError as exc:
            raise TenantModelUnavailable("engine_bad_response") from exc
        if not isinstance(result, dict):
            raise TenantModelUnavailable("engine_bad_response")
        assert record.route is not None
        if result.get("model") != record.route.model:
            raise TenantModelUnavailable("model_mismatch")
    result["model"] = record.route.public_name or settings.PUBLIC_MODEL_ALIAS
    if record.grounding is not None:
        result["sanoweb"] = record.extension()
    _audit(record, "ok", response_sha256=hashlib.sha256(canonical(result)).hexdigest(),
           usage=result.get("usage"))
    return Completion(result, record.route, record.request_sha256, record.citations())


@dataclass
class Stream:
    """Server-sent events from vLLM, re-labelled and checked chunk by chunk."""

    route: Route
    chunks: Iterator[bytes]
    citations: list[dict[str, Any]] = field(default_factory=list)


def infer_stream(tenant: Tenant, actor: str, request_body: Any) -> Stream:
    record = _CallRecord(tenant, actor)
    with _audited_failures(record):
        response = _open(tenant, request_body, record, stream=True)
    assert record.route is not None
    return Stream(record.route, _relay(response, record), record.citations())


def _relay(response: httpx.Response, record: _CallRecord) -> Iterator[bytes]:
    assert record.route is not None
    digest, usage, outcome, done = hashlib.sha256(), None, "ok", False
    member, next_check = streams.opened(record.tenant), time.monotonic() + streams.CHECK_EVERY
    try:
        for line in response.iter_lines():
            if time.monotonic() >= next_check:  # a purge of the tenant ends its streams
                next_check = time.monotonic() + streams.CHECK_EVERY
                streams.beat(member)
                if closing.is_closed(record.tenant):
                    outcome = "unavailable:tenant_closing"
                    yield b'data: {"error": {"code": "tenant_model_unavailable"}}\n\n'
                    return
            if not line.startswith("data: "):
                continue
            data = line[len("data: "):]
            if data == "[DONE]":
                done = True
                if record.grounding is not None:  # the citations, as a last chunk of its own
                    final = canonical({"object": "chat.completion.chunk", "choices": [],
                                       "model": record.route.public_name
                                       or settings.PUBLIC_MODEL_ALIAS,
                                       "sanoweb": record.extension()})
                    digest.update(final)
                    yield b"data: " + final + b"\n\n"
                yield b"data: [DONE]\n\n"
                break
            try:
                chunk = json.loads(data)
            except ValueError:
                outcome = "unavailable:engine_bad_stream"
                yield b'data: {"error": {"code": "tenant_model_unavailable"}}\n\n'
                return
            # vLLM failed mid-answer (its text stays here), or sent what no chunk looks like
            if not isinstance(chunk, dict) or "error" in chunk:
                outcome = "unavailable:engine_error_mid_stream"
                yield b'data: {"error": {"code": "tenant_model_unavailable"}}\n\n'
                return
            if chunk.get("model") != record.route.model:
                outcome = "unavailable:model_mismatch"
                yield b'data: {"error": {"code": "tenant_model_unavailable"}}\n\n'
                return
            usage = chunk.get("usage") or usage
            chunk["model"] = record.route.public_name or settings.PUBLIC_MODEL_ALIAS
            encoded = canonical(chunk)
            digest.update(encoded)
            yield b"data: " + encoded + b"\n\n"
    except httpx.HTTPError:
        outcome = "unavailable:stream_broken"
        yield b'data: {"error": {"code": "tenant_model_unavailable"}}\n\n'
    except GeneratorExit:  # the client went away before the answer finished
        if outcome == "ok" and not done:
            outcome = "interrupted:client_disconnected"
        raise
    finally:
        response.close()
        _audit(record, outcome, response_sha256=digest.hexdigest(), usage=usage)
        streams.closed(member)  # last: the purge waits until the stream's entry is written
