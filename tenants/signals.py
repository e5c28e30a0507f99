"""Every sign-in to a member's account, and every failed one, is in each of the member's
tenants' chains: an operator who logs in as a clinician leaves a trace there."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import audit
from .services import audit_member_event


@receiver(user_logged_in, dispatch_uid="tenants.audit_login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_member_event(user, audit.Action.LOGIN, actor=audit.actor_for_user(user))


@receiver(user_login_failed, dispatch_uid="tenants.audit_login_failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None,
                  **kwargs: Any) -> None:
    # Users are keyed by e-mail (services.get_or_create_user); an unknown name has no tenant.
    name = str(credentials.get("username", "")).strip().lower()
    user = get_user_model().objects.filter(username=name).first() if name else None
    if user is not None:
        # The actor is unknown (whoever typed the password); the target is the account.
        audit_member_event(user, audit.Action.LOGIN_FAILED, actor="anonymous")
