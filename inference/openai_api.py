"""The OpenAI-compatible tenant API: /v1/chat/completions and /v1/models, per-tenant keys
(/v1/fine_tuning/jobs is inference.fine_tuning_api).

The key decides the tenant; the router decides the model. Errors use OpenAI's error shape and
never pass vLLM's own error bodies through (they can name other tenants' adapters).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import router, services, validation
from .models import ApiKey


def error(status: int, code: str, message: str, *, param: str | None = None,
          kind: str | None = None) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "type": kind or code,
                                   "param": param}}, status=status)


def bad_request(exc: router.BadInferenceRequest) -> JsonResponse:
    return error(400, exc.code, str(exc), param=exc.param, kind="invalid_request_error")


def _key(request: HttpRequest) -> ApiKey | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    # The scheme is case-insensitive (RFC 7235 section 2.1): "bearer" works as well.
    return services.authenticate(token.strip()) if scheme.lower() == "bearer" else None


SUSPENDED = ("tenant_suspended", "This team's account is suspended.")


UNAUTHORIZED = ("invalid_api_key", "A valid API key is required (Authorization: Bearer …).")


def wrong_method(request: HttpRequest, *allowed: str) -> JsonResponse | None:
    if request.method in allowed:
        return None
    response = error(405, "method_not_allowed", f"Use {' or '.join(allowed)} for this "
                     "endpoint.", kind="invalid_request_error")
    response["Allow"] = ", ".join(allowed)
    return response


def key_or_refusal(request: HttpRequest) -> ApiKey | JsonResponse:
    """The request's valid key of an active tenant, or the 401/403 that answers it."""
    key = _key(request)
    if key is None:
        return error(401, *UNAUTHORIZED)
    if not key.tenant.is_active:
        return error(403, *SUSPENDED)
    return key


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Clients of an OpenAI-compatible API expect JSON errors, also for unknown paths."""
    return error(404, "unknown_url", f"Unknown endpoint /v1/{rest[:100]}. This API serves "
                 "/v1/chat/completions, /v1/models and /v1/fine_tuning/jobs.",
                 kind="invalid_request_error")


@csrf_exempt
def chat_completions(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    if (refused := wrong_method(request, "POST")) is not None:
        return refused
    if isinstance(key := key_or_refusal(request), JsonResponse):
        return key
    actor = f"apikey:{key.prefix}"
    try:
        raw = request.body
    except RequestDataTooBig:
        router.audit_refusal(key.tenant, actor, "body_too_large")
        return error(413, "request_too_large", f"The body is larger than "
                     f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
                     kind="invalid_request_error")
    try:
        body: Any = validation.parse_body(raw)
    except router.BadInferenceRequest as exc:
        router.audit_refusal(key.tenant, actor, "invalid_body")
        return bad_request(exc)
    # No request-wide transaction here: the router's audit entries commit on their own, so
    # a refused or failed call is on record even though the client gets an error.
    try:
        if isinstance(body, dict) and body.get("stream"):
            stream = router.infer_stream(key.tenant, actor, body)
            response = StreamingHttpResponse(stream.chunks, content_type="text/event-stream")
            response["Cache-Control"] = "no-cache"
            return response
        completion = router.infer(key.tenant, actor, body)
    except router.BadInferenceRequest as exc:
        return bad_request(exc)
    except router.TenantModelUnavailable:
        return error(503, "tenant_model_unavailable",
                     "Your team's model is not available right now. Nothing else answered.")
    return JsonResponse(completion.body)


@csrf_exempt
def models(request: HttpRequest) -> HttpResponse:
    """The caller's alias and its own fine-tuned versions: the engine's list is never shown."""
    if (refused := wrong_method(request, "GET")) is not None:
        return refused
    if isinstance(key := key_or_refusal(request), JsonResponse):
        return key
    from .fine_tuning import own_models

    created = int(time.mktime(key.tenant.created_at.timetuple()))
    names = [settings.PUBLIC_MODEL_ALIAS, *own_models(key.tenant)]  # the team's own versions
    return JsonResponse({"object": "list", "data": [
        {"id": name, "object": "model", "owned_by": key.tenant.slug, "created": created}
        for name in names]})
