"""Tenancy pages: home, tenant switcher and the tenant admin's audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import audit, checkpoints
from .access import active_memberships, choose_tenant, tenant_role_required
from .models import AuditEntry, Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if getattr(request, "membership", None) is None and not request.user.is_superuser:
        return redirect("choose_tenant")
    return render(request, "tenants/home.html")


@login_required
@require_http_methods(["GET", "POST"])
def choose_tenant_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        membership = choose_tenant(request, request.POST.get("tenant", ""))
        audit.append(membership.tenant, audit.Action.TENANT_SELECTED,
                     actor=audit.actor_for_user(request.user))
        return redirect("home")
    memberships = active_memberships(request.user).order_by("tenant__name")
    return render(request, "tenants/choose.html", {"memberships": memberships})


@tenant_role_required(Role.TENANT_ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.order_by("-seq")
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    if actor:
        entries = entries.filter(actor=actor)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    # Walks the whole chain: fine at today's sizes; cache per head seq if logs grow large.
    verdict = checkpoints.verify_audit(request.tenant)  # type: ignore[attr-defined]
    return render(request, "tenants/audit_log.html",
                  {"page": page, "action": action, "actor": actor, "verdict": verdict})
