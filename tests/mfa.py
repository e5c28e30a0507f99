"""Signing in with the second factor, for tests: a real TOTP device and a real code, so that
every test logs in the way a reviewer or an operator does (no setting turns MFA off)."""

from __future__ import annotations

import base64
import time
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tenants import mfa


def device_for(user: Any) -> TOTPDevice:
    device = mfa.confirmed_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)
    return device


def code(key: bytes, *, at: float | None = None) -> str:
    """What an authenticator app shows for `key` (RFC 6238, 30 s steps, 6 digits)."""
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():06d}"


def code_from_secret(secret: str) -> str:
    return code(base64.b32decode(secret))


def fresh_code(user: Any) -> str:
    """A code the device has not accepted yet: TOTP refuses a step it has already seen, and
    tests sign in faster than once per 30 s, so the device forgets its last step first."""
    device = device_for(user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return code(device.bin_key)


def force_login_verified(client: Client, user: Any) -> Client:
    """`force_login`, plus a verified second factor where the account needs one."""
    client.force_login(user)
    if mfa.required_for(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device_for(user).persistent_id
        session.save()
    return client
