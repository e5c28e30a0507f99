"""Tenancy pages: home, tenant switcher, and the tenant admin's audit log and members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import audit, checkpoints, services
from .access import (
    MemberRequest,
    active_memberships,
    audited_page_view,
    choose_tenant,
    tenant_role_required,
)
from .models import AuditEntry, Membership, Role


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
@audited_page_view
def audit_log(request: MemberRequest) -> HttpResponse:
    entries = AuditEntry.objects.order_by("-seq")
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    if actor:
        entries = entries.filter(actor=actor)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    # Walks the whole chain: fine at today's sizes; cache per head seq if logs grow large.
    verdict = checkpoints.verify_audit(request.tenant)
    return render(request, "tenants/audit_log.html",
                  {"page": page, "action": action, "actor": actor, "verdict": verdict})


@tenant_role_required(Role.TENANT_ADMIN)
@audited_page_view
@require_http_methods(["GET", "POST"])
def members(request: MemberRequest) -> HttpResponse:
    """List the tenant's members; add an existing account by e-mail (accounts are created by
    the platform, so a tenant admin cannot mint logins)."""
    if request.method == "POST":
        User = get_user_model()
        email = User.objects.normalize_email(request.POST.get("email", "")).strip().lower()
        role = request.POST.get("role", "")
        user = User.objects.filter(username=email).first() if email else None
        if user is None:
            messages.error(request, "No account has that e-mail address.")
        elif Membership.objects.filter(tenant=request.tenant, user=user).exists():
            messages.error(request, f"{email} is already a member; change their role below.")
        elif role not in Role.values:
            messages.error(request, "Choose a role.")
        else:
            try:
                services.add_member(request.tenant, user, role,
                                    actor=audit.actor_for_user(request.user))
            except services.MembershipRefused as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"{email} added.")
        return redirect("members")
    memberships = Membership.objects.filter(
        tenant=request.tenant).select_related("user").order_by("user__username")
    return render(request, "tenants/members.html",
                  {"memberships": memberships, "roles": Role.choices})


@tenant_role_required(Role.TENANT_ADMIN)
@require_POST
def member_mfa_policy(request: MemberRequest) -> HttpResponse:
    required = request.POST.get("mfa_for_clinicians") == "on"
    services.set_mfa_for_clinicians(request.tenant, required,
                                    actor=audit.actor_for_user(request.user))
    messages.success(request, "Clinicians now need a second factor." if required
                     else "Clinicians sign in with their password only.")
    return redirect("members")


def _member_or_404(request: MemberRequest, pk: int) -> Membership:
    # Memberships are global rows: filter by the request's tenant, so another tenant's is a 404.
    membership = Membership.objects.filter(
        tenant=request.tenant, pk=pk).select_related("user", "tenant").first()
    if membership is None:
        raise Http404("No such member.")
    return membership


@tenant_role_required(Role.TENANT_ADMIN)
@require_POST
def member_role(request: MemberRequest, pk: int) -> HttpResponse:
    membership = _member_or_404(request, pk)
    try:
        services.change_role(membership, request.POST.get("role", ""),
                             actor=audit.actor_for_user(request.user))
    except services.MembershipRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{membership.user} is now {request.POST['role']}.")
    return redirect("members")


@tenant_role_required(Role.TENANT_ADMIN)
@require_POST
def member_remove(request: MemberRequest, pk: int) -> HttpResponse:
    membership = _member_or_404(request, pk)
    try:
        services.remove_member(membership, actor=audit.actor_for_user(request.user))
    except services.MembershipRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{membership.user} removed.")
    if membership.user_id == request.user.pk and \
            not Membership.objects.filter(pk=membership.pk).exists():
        return redirect("home")
    return redirect("members")
