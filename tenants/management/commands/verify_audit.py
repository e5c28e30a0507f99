"""`python manage.py verify_audit <slug>`: exit 1 naming the first broken entry."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.audit import verify_chain
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Walk a tenant's audit hash chain and report the first broken entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["slug"]).first()
        if tenant is None:
            raise CommandError(f"No tenant {options['slug']!r}.")
        verdict = verify_chain(tenant)
        if not verdict.ok:
            raise CommandError(
                f"Audit chain of {tenant.slug} is BROKEN at entry #{verdict.broken_seq}: "
                f"{verdict.reason} ({verdict.entries} entries verified before it)."
            )
        self.stdout.write(f"Audit chain of {tenant.slug} OK: {verdict.entries} entries.")
