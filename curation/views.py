"""Curation pages: conversations (propose for training), the reviewer portal, import, snapshots.

Views parse, check access and call one service; objects are fetched through the tenant scope,
so another tenant's id is a 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from tenants.access import (
    MemberRequest,
    audited_page_view,
    get_scoped_or_404,
    tenant_role_required,
)
from tenants.models import Role
from tenants.storage import IntegrityError

from . import phi_gate, services
from .models import Conversation, EvalCheck, Example, Message, Review, TrainingSet

REVIEW_FILTERS = ("pending", "approved", "rejected")


# --- conversations ---


@tenant_role_required(Role.CLINICIAN)
@audited_page_view
def conversation_list(request: MemberRequest) -> HttpResponse:
    conversations = Conversation.objects.filter(created_by=request.user).annotate(
        n=Count("messages"))
    return render(request, "curation/conversation_list.html", {"conversations": conversations})


def _own_conversation(request: MemberRequest, pk: object) -> Conversation:
    # A colleague's conversation is as invisible as another tenant's.
    return get_scoped_or_404(Conversation, pk=pk, created_by=request.user)


@tenant_role_required(Role.CLINICIAN)
@audited_page_view
def conversation_detail(request: MemberRequest, pk: str) -> HttpResponse:
    conversation = _own_conversation(request, pk)
    proposed = {
        mid for e in Example.objects.filter(source=Example.Source.CHAT, author=request.user)
        for mid in e.source_messages
    }
    return render(request, "curation/conversation_detail.html", {
        "conversation": conversation,
        "chat_messages": conversation.messages.all(),
        "proposed": proposed,
    })


@sensitive_post_parameters("edited_answer")
@tenant_role_required(Role.CLINICIAN)
@require_POST
def propose(request: MemberRequest, pk: str) -> HttpResponse:
    message = get_scoped_or_404(Message, pk=pk, conversation__created_by=request.user)
    try:
        services.propose_from_exchange(message, request.user,
                                       request.POST.get("edited_answer", ""))
    except services.CurationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Proposed for training: a reviewer will look at it.")
    return redirect("curation:conversation_detail", pk=message.conversation_id)


# --- reviewer portal ---


def _reviewable(request: MemberRequest) -> Any:
    """Pending examples this reviewer may decide on: not written or edited by them, and not
    decided by them as the answer reads now (an edit brings an example back to its approvers)."""
    pending = Example.objects.filter(status=Example.Status.PENDING)
    touched = pending.filter(pk__in=services.live_reviews().filter(reviewer=request.user)
                             .values("example_id"))
    decided = [e.pk for e in touched if not services.may_decide(e, request.user)]
    return pending.exclude(author=request.user).exclude(pk__in=decided)


@tenant_role_required(Role.REVIEWER)
@audited_page_view
def review_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "pending")
    status = status if status in REVIEW_FILTERS else "pending"
    source = request.GET.get("source", "")
    examples = Example.objects.filter(status=status).select_related("author")
    if source in Example.Source.values:
        examples = examples.filter(source=source)
    counts = Example.objects.aggregate(
        **{s: Count("pk", filter=Q(status=s)) for s in REVIEW_FILTERS})
    return render(request, "curation/review_queue.html", {
        "examples": examples[:200], "status": status, "source": source, "counts": counts,
        "sources": Example.Source.choices,
    })


@tenant_role_required(Role.REVIEWER)
def review_next(request: MemberRequest) -> HttpResponse:
    queue = _reviewable(request).order_by("created_at", "id")
    after = request.GET.get("after")
    if after:
        current = Example.objects.filter(pk=after).first() if _is_uuid(after) else None
        if current is not None:
            queue = queue.filter(Q(created_at__gt=current.created_at)
                                 | Q(created_at=current.created_at, id__gt=current.id))
    example = queue.first()
    if example is None:
        messages.info(request, "Nothing left to review.")
        return redirect("curation:review_queue")
    return redirect("curation:review_example", pk=example.pk)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@tenant_role_required(Role.REVIEWER)
@audited_page_view
def review_example(request: MemberRequest, pk: str) -> HttpResponse:
    example = get_scoped_or_404(Example, pk=pk)
    found = phi_gate.candidates(example)
    return render(request, "curation/review_example.html", {
        "example": example,
        "reviews": example.reviews.select_related("reviewer"),
        "own": example.author_id == request.user.pk,
        "remaining": _reviewable(request).count(),
        "candidates": {name: [c for c in found[name] if not c.cleared] for name in found},
        "cleared": sum(c.cleared for cs in found.values() for c in cs),
        "revisions": example.revisions.select_related("actor"),
        "types": phi_gate.TYPES,
        "eval_checks": example.eval_checks.select_related("created_by"),
        "check_kinds": EvalCheck.Kind.choices,
    })


# --- checks on held-out examples ---


@sensitive_post_parameters("phrase")
@tenant_role_required(Role.REVIEWER)
@require_POST
def add_eval_check(request: MemberRequest, pk: str) -> HttpResponse:
    example = get_scoped_or_404(Example, pk=pk)
    try:
        services.add_eval_check(example, request.user, request.POST.get("kind", ""),
                                request.POST.get("phrase", ""))
    except services.CurationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Check added.")
    return redirect("curation:review_example", pk=example.pk)


@tenant_role_required(Role.REVIEWER)
@require_POST
def remove_eval_check(request: MemberRequest, pk: str, check_pk: str) -> HttpResponse:
    example = get_scoped_or_404(Example, pk=pk)
    check = get_scoped_or_404(EvalCheck, pk=check_pk, example=example)
    services.remove_eval_check(check, request.user)
    messages.success(request, "Check removed.")
    return redirect("curation:review_example", pk=example.pk)


@sensitive_post_parameters("edited_answer", "reason")
@tenant_role_required(Role.REVIEWER)
@require_POST
def decide(request: MemberRequest, pk: str) -> HttpResponse:
    example = get_scoped_or_404(Example, pk=pk)
    decision = request.POST.get("decision", "")
    if decision == "skip":
        return redirect(f"{reverse('curation:review_next')}?after={example.pk}")
    try:
        services.decide(example, request.user, decision,
                        reason=request.POST.get("reason", ""),
                        edited_answer=request.POST.get("edited_answer", ""))
    except services.FourEyesViolation as exc:
        raise PermissionDenied(str(exc)) from exc
    except services.CurationError as exc:
        messages.error(request, str(exc))
        return redirect("curation:review_example", pk=example.pk)
    messages.success(request, f"Recorded: {Review.Decision(decision).label}.")
    return redirect(f"{reverse('curation:review_next')}?after={example.pk}")


@tenant_role_required(Role.REVIEWER)
@require_POST
def undo(request: MemberRequest) -> HttpResponse:
    try:
        undone = services.undo_last_decision(request.user)
    except services.CurationError as exc:
        messages.error(request, str(exc))
        return redirect("curation:review_queue")
    if undone is None:
        messages.info(request, "You have no decision to undo.")
        return redirect("curation:review_queue")
    messages.success(request, "Your last decision was undone.")
    return redirect("curation:review_example", pk=undone.example_id)


# --- residual PHI: clear, redact, report ---


def _selection(request: HttpRequest, default_field: str) -> phi_gate.Selection | None:
    """The span a person selected (code-point offsets and its sha256), or None if none."""
    post = request.POST
    if not post.get("start", "").strip() and not post.get("end", "").strip():
        return None
    try:
        start, end = int(post.get("start", "")), int(post.get("end", ""))
    except ValueError as exc:
        raise phi_gate.SelectionMismatch("The selection's offsets are not numbers.") from exc
    return phi_gate.Selection(post.get("field") or default_field, start, end,
                              post.get("sha256", ""), post.get("type") or phi_gate.DEFAULT_TYPE)


def _refused(request: HttpRequest, exc: Exception, back: str) -> HttpResponse:
    """400 with the rule's message; nothing was changed."""
    return render(request, "curation/phi_refused.html", {"error": str(exc), "back": back},
                  status=400)


def _changed(request: HttpRequest, what: str, result: phi_gate.ScrubResult) -> None:
    n_sets = len(result.flagged)
    flagged = (f" {n_sets} frozen training set{'s' if n_sets != 1 else ''} flagged: retrain "
               "from a corrected snapshot." if n_sets else "")
    messages.success(request, f"{what}: {len(result.examples)} example(s) and "
                              f"{len(result.messages)} chat message(s) changed.{flagged}")


@tenant_role_required(Role.REVIEWER)
@require_POST
def clear_phi(request: MemberRequest, pk: str) -> HttpResponse:
    example = get_scoped_or_404(Example, pk=pk)
    back = reverse("curation:review_example", args=[example.pk])
    try:
        phi_gate.clear_candidate(example, request.user, field_name=request.POST.get("field", ""),
                                 digest=request.POST.get("sha256", ""),
                                 entity_type=request.POST.get("type", ""))
    except services.FourEyesViolation as exc:
        raise PermissionDenied(str(exc)) from exc
    except services.CurationError as exc:
        return _refused(request, exc, back)
    messages.success(request, "Marked as not PHI.")
    return redirect(back)


@tenant_role_required(Role.REVIEWER)
@require_POST
def redact_span(request: MemberRequest, pk: str) -> HttpResponse:
    example = get_scoped_or_404(Example, pk=pk)
    back = reverse("curation:review_example", args=[example.pk])
    try:
        selection = _selection(request, "")
        if selection is None:
            raise phi_gate.SelectionMismatch("Select the words to redact first.")
        result = phi_gate.redact_span(example, request.user, selection)
    except services.CurationError as exc:
        return _refused(request, exc, back)
    _changed(request, "Redacted", result)
    return redirect(back)


@tenant_role_required(Role.REVIEWER)
@require_POST
def report_example_phi(request: MemberRequest, pk: str) -> HttpResponse:
    example = get_scoped_or_404(Example, pk=pk)
    back = reverse("curation:review_example", args=[example.pk])
    try:
        result = phi_gate.report_example(example, request.user, _selection(request, ""))
    except services.CurationError as exc:
        return _refused(request, exc, back)
    _changed(request, "PHI reported and redacted", result)
    return redirect(back)


@tenant_role_required(Role.CLINICIAN)
@require_POST
def report_message_phi(request: MemberRequest, pk: str) -> HttpResponse:
    message = get_scoped_or_404(Message, pk=pk, conversation__created_by=request.user)
    page = "inference:chat" if request.POST.get("from") == "chat" else \
        "curation:conversation_detail"
    back = reverse(page, args=[message.conversation_id])
    try:
        result = phi_gate.report_message(message, request.user, _selection(request, "text"))
    except services.CurationError as exc:
        return _refused(request, exc, back)
    _changed(request, "PHI reported and redacted", result)
    return redirect(f"{back}#msg-{message.pk}")


# --- import and snapshots (tenant admin) ---


@tenant_role_required(Role.TENANT_ADMIN)
def import_examples(request: MemberRequest) -> HttpResponse:
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Choose a JSONL file to import.")
        elif upload.size and upload.size > 10 * 1024 * 1024:
            messages.error(request, "The file is larger than 10 MB.")
        else:
            report = services.import_examples(upload.read(), upload.name or "", request.user)
            if not report.errors:
                messages.success(request, f"Imported {report.created} examples for review.")
                return redirect("curation:review_queue")
    return render(request, "curation/import.html", {"report": report})


@tenant_role_required(Role.TENANT_ADMIN)
def curation_settings(request: MemberRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.update_settings(
                request.user,
                required_approvals=int(request.POST.get("required_approvals", "1") or 1),
                guideline_version=request.POST.get("guideline_version", ""),
            )
        except (ValueError, services.CurationError) as exc:
            messages.error(request, str(exc) if isinstance(exc, services.CurationError)
                           else "Examples need one or two approvals.")
        else:
            messages.success(request, "Curation settings saved.")
            return redirect("curation:settings")
    return render(request, "curation/settings.html",
                  {"rules": services.settings_for(request.tenant)})


@tenant_role_required(Role.TENANT_ADMIN)
@audited_page_view
def training_sets(request: MemberRequest) -> HttpResponse:
    blocked: list[str] = []
    if request.method == "POST":
        try:
            snapshot = services.freeze_training_set(request.user)
        except services.CurationError as exc:
            messages.error(request, str(exc))
            blocked = getattr(exc, "example_ids", [])
        else:
            messages.success(request, f"Froze training set v{snapshot.version} "
                                      f"({snapshot.example_count} examples).")
            return redirect("curation:training_set_detail", pk=snapshot.pk)
    approved = Example.objects.filter(status=Example.Status.APPROVED).count()
    return render(request, "curation/training_sets.html", {
        "training_sets": TrainingSet.objects.prefetch_related("phi_flags"), "approved": approved,
        "blocked": blocked})


@tenant_role_required(Role.TENANT_ADMIN)
@audited_page_view
def training_set_detail(request: HttpRequest, pk: str) -> HttpResponse:
    snapshot = get_scoped_or_404(TrainingSet, pk=pk)
    try:
        records = services.read_training_set(snapshot)
        integrity = "verified"
    except IntegrityError:
        records, integrity = [], "TAMPERED: the stored file does not match its sha256"
    except FileNotFoundError:
        records, integrity = [], "MISSING: the stored file is gone"
    return render(request, "curation/training_set_detail.html", {
        "snapshot": snapshot, "records": records[:50], "integrity": integrity})
