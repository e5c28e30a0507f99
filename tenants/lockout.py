"""Login lockout per (e-mail, client address): after LOGIN_FAILURE_LIMIT failures within
LOGIN_LOCKOUT_SECONDS, that pair is refused until the window has passed — even with the right
password, so that guessing cannot go on at any speed. Kept in the shared state (Redis, or
the embedded default's file), so every web process sees the same count.

The pair, not the account alone: an attacker elsewhere cannot lock a clinician out of the
ward's workstation by failing on purpose; one address cannot guess one account quickly.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from . import shared_state

PREFIX = "sanoweb:login-failures:"


def _key(username: str, request: HttpRequest | None) -> str:
    address = (request.META.get("REMOTE_ADDR", "") if request is not None else "")
    pair = f"{username.strip().lower()}\0{address}".encode()
    return PREFIX + hashlib.sha256(pair).hexdigest()  # no e-mail address in the shared state


def _recent(key: str) -> list[str]:
    state, cutoff = shared_state.backend(), time.time() - settings.LOGIN_LOCKOUT_SECONDS
    recent = []
    for member in state.members(key):
        score = state.score(key, member)
        if score is not None and score >= cutoff:
            recent.append(member)
        else:
            state.remove(key, member)
    return recent


def is_locked(username: str, request: HttpRequest | None) -> bool:
    limit: int = settings.LOGIN_FAILURE_LIMIT
    return len(_recent(_key(username, request))) >= limit


def record_failure(username: str, request: HttpRequest | None) -> None:
    now = time.time()
    shared_state.backend().add(_key(username, request), f"{now:.6f}", now)


def clear(username: str, request: HttpRequest | None) -> None:
    key, state = _key(username, request), shared_state.backend()
    for member in state.members(key):
        state.remove(key, member)


class LockoutBackend(ModelBackend):
    """ModelBackend that refuses a locked-out pair before checking the password."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> Any:
        name = username or kwargs.get("email") or ""
        if is_locked(name, request):
            raise PermissionDenied("locked out")  # stops every backend; login fails
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(name, request)
        else:
            clear(name, request)
        return user


class LockoutAwareAuthenticationForm(AuthenticationForm):
    """Says that the sign-in is locked, and for how long, instead of "wrong password"."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if username and is_locked(username, self.request):
            minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
            raise ValidationError(f"Too many failed sign-ins for this account from here. Try "
                                  f"again in {minutes} minutes.", code="locked_out")
        return super().clean()
