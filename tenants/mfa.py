"""A second factor (TOTP, django-otp) for everyone whose account can read or change more than
their own chats: tenant admins, reviewers and platform operators; clinicians too where their
tenant asks for it (`Tenant.mfa_for_clinicians`) or the platform does (`MFA_FOR_CLINICIANS`).

A password alone then opens nothing but the second-factor pages: `RequireSecondFactor` sends
every other request of an unverified session there (or answers 403 on the JSON API). The
policy is read on every unverified request, so a clinician promoted to reviewer is asked for a
second factor on their next click, not at their next login.

Enrolment is allowed only while the account has no confirmed device: once it has one, a new
device needs an operator's audited reset (`manage.py reset_mfa`), so that a stolen password
cannot enrol the thief's phone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Membership, Role, Tenant

# Paths an unverified session may reach: the second-factor pages themselves, logging out,
# static files, and /v1 (API keys, never a session).
EXEMPT_PREFIXES = ("/accounts/mfa/", "/accounts/logout/", "/accounts/login/", "/static/", "/v1/")
STRONG_ROLES = frozenset({Role.REVIEWER, Role.TENANT_ADMIN})


def required_for(user: Any) -> bool:
    """Whether `user` must present a second factor before anything else."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    memberships = Membership.objects.filter(user=user, tenant__status=Tenant.Status.ACTIVE)
    for role, for_clinicians in memberships.values_list("role", "tenant__mfa_for_clinicians"):
        if role in STRONG_ROLES or for_clinicians or settings.MFA_FOR_CLINICIANS:
            return True
    return False


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_device(user: Any) -> TOTPDevice:
    """The unconfirmed device an enrolment shows; one per account, kept across reloads so the
    QR code a user scanned stays the one that is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


class RequireSecondFactor:
    """Unverified sessions that need a second factor reach only the exempt paths."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated
                and not request.path.startswith(EXEMPT_PREFIXES)
                and not user.is_verified() and required_for(user)):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "A second factor is required: sign in again in "
                                               "the browser.", "code": "mfa_required"},
                                    status=403)
            return redirect(f"{reverse('mfa_verify')}?next={quote(request.get_full_path())}")
        return self.get_response(request)
