"""The second-factor pages: enrol an authenticator app (only while the account has none) and
verify a code after the password. Every enrolment, verification and failure is in the
member's tenants' chains; django-otp's own throttling slows guessing on each device."""

from __future__ import annotations

import base64
from urllib.parse import quote

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit, mfa
from .services import audit_member_event


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return "/"
    return target


def _check(request: HttpRequest, device: TOTPDevice) -> tuple[bool, str]:
    """The code on the form against `device`, and what to tell the user when it fails; after
    a wrong code the device refuses every code, the right one too, for a doubling delay."""
    token = "".join(request.POST.get("token", "").split())
    allowed, why = device.verify_is_allowed()
    if not allowed:
        wait = (why or {}).get("locked_until")
        return False, ("Too many wrong codes: wait a few seconds, then enter the app's next "
                       "code." if wait else "This device cannot be used now.")
    if token.isdigit() and device.verify_token(token):
        return True, ""
    return False, "That code did not match. Wait for the next code if you just used one."


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(_next_url(request))
    device = mfa.confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('mfa_enrol')}?next={quote(_next_url(request))}")
    error = ""
    if request.method == "POST":
        ok, error = _check(request, device)
        if ok:
            otp_login(request, device)
            audit_member_event(request.user, audit.Action.MFA_VERIFIED,  # type: ignore[arg-type]
                               actor=audit.actor_for_user(request.user))
            return redirect(_next_url(request))
        audit_member_event(request.user, audit.Action.MFA_FAILED,  # type: ignore[arg-type]
                           actor=audit.actor_for_user(request.user))
    return render(request, "registration/mfa_verify.html",
                  {"next": _next_url(request), "error": error})


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    if mfa.confirmed_device(request.user) is not None:
        # A second device only through an operator's audited reset (manage.py reset_mfa).
        return redirect(f"{reverse('mfa_verify')}?next={quote(_next_url(request))}")
    device = mfa.pending_device(request.user)
    error = ""
    if request.method == "POST":
        ok, error = _check(request, device)
        if ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_member_event(request.user, audit.Action.MFA_ENROLLED,  # type: ignore[arg-type]
                               actor=audit.actor_for_user(request.user))
            return redirect(_next_url(request))
    uri = device.config_url
    return render(request, "registration/mfa_enrol.html", {
        "next": _next_url(request), "error": error, "otpauth_uri": uri,
        "secret": base64.b32encode(device.bin_key).decode(),
        "qr_svg": segno.make(uri, error="m").svg_inline(scale=4),
    })
