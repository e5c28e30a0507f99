"""Remove an account's authenticator devices after a lost phone, so that its next sign-in
enrols a new one. Audited in each of the member's tenants' chains; the operator must name
a reason, which is kept as a ticket reference only (no free text reaches the chain)."""

from __future__ import annotations

import getpass
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from tenants import audit
from tenants.services import audit_member_event

TICKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._#-]{1,63}$")


class Command(BaseCommand):
    help = "Remove an account's TOTP devices (lost device); audited in its tenants' chains."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--ticket", required=True,
                            help="support ticket that authorised the reset, e.g. SUP-1234")

    def handle(self, *args: Any, **options: Any) -> None:
        if not TICKET.match(options["ticket"]):
            raise CommandError("--ticket must be a ticket reference (letters, digits, ._#-).")
        user = get_user_model().objects.filter(username=options["email"].strip().lower()).first()
        if user is None:
            raise CommandError(f"No account has the e-mail address {options['email']!r}.")
        with transaction.atomic():
            removed, _ = TOTPDevice.objects.filter(user=user).delete()
            audit_member_event(user, audit.Action.MFA_RESET_BY_OPERATOR,
                               actor=f"cli:{getpass.getuser()}",
                               payload={"ticket": options["ticket"], "devices_removed": removed})
        self.stdout.write(f"Removed {removed} device(s); {user.username} enrols a new one at "
                          "the next sign-in.")
