"""Clinician chat (streamed), and the tenant admin's API keys and inference settings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters

from curation import services as curation_services
from curation.models import Conversation, Message
from tenants import closing
from tenants.access import (
    MemberRequest,
    audited_page_view,
    get_scoped_or_404,
    tenant_role_required,
)
from tenants.models import Role, Tenant
from tenants.scoping import tenant_scope

from . import context, residency, router, services
from .models import ApiKey, InferenceSettings


@tenant_role_required(Role.CLINICIAN)
def new_conversation(request: MemberRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    conversation = curation_services.start_conversation(request.user, "New conversation")
    return redirect("inference:chat", pk=conversation.pk)


@tenant_role_required(Role.CLINICIAN)
@audited_page_view
def chat(request: MemberRequest, pk: str) -> HttpResponse:
    conversation = get_scoped_or_404(Conversation, pk=pk, created_by=request.user)
    return render(request, "inference/chat.html", {
        "conversation": conversation, "chat_messages": conversation.messages.all()})


@sensitive_post_parameters("text")
@tenant_role_required(Role.CLINICIAN)
def send(request: MemberRequest, pk: str) -> HttpResponse | StreamingHttpResponse:
    """Store the clinician's message redacted, then stream the model's answer as SSE.

    Only answered turns go back to the model, fitted to its context window (oldest dropped
    first; the first event says how many). A message too long to answer is refused and not
    stored; one the model then refuses or cannot answer is kept, marked unanswered.
    """
    conversation = get_scoped_or_404(Conversation, pk=pk, created_by=request.user)
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        text = curation_services.check_text(request.POST.get("text", ""), "message")
    except curation_services.CurationError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    answered = conversation.messages.filter(status=Message.Status.ANSWERED)
    history = [{"role": m.role, "content": m.text} for m in answered]
    # The model sees the clinician's words as typed (it runs inside the trust boundary);
    # only the redacted form is stored.
    try:
        fitted = context.fit(history, {"role": "user", "content": text})
    except context.MessageTooLong as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    question = curation_services.record_message(
        conversation, Message.Role.USER, text, author=request.user,
        status=Message.Status.UNANSWERED)
    tenant: Tenant = request.tenant
    body = {"messages": fitted.messages, "stream": True}
    try:
        stream = router.infer_stream(tenant, f"user:{request.user.pk}", body)
    except router.BadInferenceRequest as exc:
        return JsonResponse({"error": str(exc), "message": str(question.pk)}, status=400)
    except router.TenantModelUnavailable:
        return JsonResponse({"error": UNAVAILABLE, "message": str(question.pk)}, status=503)
    response = StreamingHttpResponse(_answer_events(stream, tenant, question, fitted.dropped),
                                     content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    return response


UNAVAILABLE = "Your team's model is not available right now."


def _answer_events(stream: router.Stream, tenant: Tenant, question: Message,
                   dropped: int) -> Iterator[bytes]:
    """Relay the answer; however the stream ends (done, broken, or the client gone), the turn
    is recorded as what it was: answered, or interrupted with what arrived."""
    parts: list[str] = []
    finished = False
    try:
        if dropped:
            yield _event({"context": {"dropped": dropped}})
        for event in stream.chunks:
            payload = event.decode().removeprefix("data: ").strip()
            if payload == "[DONE]":
                finished = True
                break
            data = json.loads(payload)
            if "error" in data:
                yield _event({"error": UNAVAILABLE})
                break
            delta = (data.get("choices") or [{}])[0].get("delta", {}).get("content") or ""
            if delta:
                parts.append(delta)
                yield _event({"delta": delta})
    finally:
        close = getattr(stream.chunks, "close", None)
        if close is not None:
            close()  # the router audits the call when its relay closes
        answer = _record_turn(tenant, question, "".join(parts), finished, stream.route.pin,
                              stream.citations)
    if finished:
        yield _event({"done": True, "message": str(answer.pk) if answer else "",
                      "model": stream.route.pin, "citations": _linked(stream.citations)})
    else:
        yield _event({"interrupted": True, "message": str(question.pk)})


def _record_turn(tenant: Tenant, question: Message, text: str, finished: bool,
                 pin: str, citations: list[dict[str, Any]]) -> Message | None:
    status = Message.Status.ANSWERED if finished else Message.Status.INTERRUPTED
    with tenant_scope(tenant):
        try:
            closing.refuse_if_closed(tenant, "recording the answer")
        except closing.TenantClosed:
            return None  # being purged: the conversation is about to go
        answer = None
        if finished or text:
            answer = curation_services.record_message(
                question.conversation, Message.Role.ASSISTANT, text or "(no answer)",
                author=None, model_version=pin, status=status, citations=citations)
        Message.objects.filter(pk=question.pk).update(status=status)
    return answer


def _linked(citations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Citations with the link to each passage (the chat page shows them under the answer)."""
    return [{**c, "url": reverse("knowledge:passage", kwargs={"pk": c["chunk_id"]})}
            for c in citations]


def _event(data: dict[str, object]) -> bytes:
    return b"data: " + json.dumps(data).encode() + b"\n\n"


@tenant_role_required(Role.TENANT_ADMIN)
@audited_page_view
def api_keys(request: MemberRequest) -> HttpResponse:
    tenant: Tenant = request.tenant
    new_secret = None
    if request.method == "POST":
        if "require_adapter" in request.POST:
            services.set_require_adapter(tenant, request.POST["require_adapter"] == "1",
                                         request.user)
            messages.success(request, "Inference settings saved.")
            return redirect("inference:api_keys")
        new_secret = services.create_key(tenant, request.POST.get("name", ""),
                                         request.user).secret
    rules = InferenceSettings.objects.filter(tenant=tenant).first()
    return render(request, "inference/api_keys.html", {
        "keys": ApiKey.objects.filter(tenant=tenant), "new_secret": new_secret,
        "require_adapter": bool(rules and rules.require_adapter),
        "metrics": _safe_metrics()})


def _safe_metrics() -> dict[str, int]:
    try:
        return residency.metrics()
    except Exception:  # metrics are informative; a Redis outage must not break the page
        return {}


@tenant_role_required(Role.TENANT_ADMIN)
def revoke_key(request: MemberRequest, pk: str) -> HttpResponse:
    # ApiKey is a global table: the explicit tenant filter is the scope.
    key = ApiKey.objects.filter(tenant=request.tenant, pk=pk).first()
    if key is None:
        raise Http404("No such object.")
    if request.method != "POST":
        return HttpResponse(status=405)
    services.revoke_key(key, request.user)
    messages.success(request, f"Revoked {key.name}.")
    return redirect("inference:api_keys")
