"""`python manage.py verify_audit <slug>`: exit 1 naming the first broken entry or checkpoint."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.checkpoints import verify_audit
from tenants.models import Tenant


class Command(BaseCommand):
    help = ("Walk a tenant's audit hash chain and check it against every signed checkpoint; "
            "report the first break.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["slug"]).first()
        if tenant is None:
            raise CommandError(f"No tenant {options['slug']!r}.")
        verdict = verify_audit(tenant)
        if not verdict.ok:
            raise CommandError(f"Audit chain of {tenant.slug} {verdict.message}.")
        self.stdout.write(f"Audit chain of {tenant.slug} OK: {verdict.message}.")
