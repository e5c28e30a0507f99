"""Django's `changepassword`, audited: a password set from the command line is in each of the
member's tenants' chains, in the transaction that saves it, as it is from the admin site."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import changepassword
from django.db import transaction

from tenants import audit
from tenants.services import audit_member_event


class Command(changepassword.Command):
    def handle(self, *args: Any, **options: Any) -> str:
        username = options["username"] or getpass.getuser()
        with transaction.atomic(using=options["database"]):
            result = super().handle(*args, **options)
            user = get_user_model()._default_manager.get(
                **{get_user_model().USERNAME_FIELD: username})
            audit_member_event(user, audit.Action.MEMBER_PASSWORD_SET_BY_OPERATOR,
                               actor=f"cli:{getpass.getuser()}")
        return str(result or "")
