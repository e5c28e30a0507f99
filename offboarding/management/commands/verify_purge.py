"""`python manage.py verify_purge <tenant-uuid>`: exit 1 naming anything of it still left."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from offboarding.purge import verify_purge
from tenants.models import Tenant


class Command(BaseCommand):
    help = ("Ask every place on the data map (tables, storage versions, shared state, Celery, "
            "every host's caches, every engine) for a purged tenant's data.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tenant_id")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tenant = Tenant.objects.get(pk=options["tenant_id"])
        except (Tenant.DoesNotExist, ValueError) as exc:
            raise CommandError(f"No tenant {options['tenant_id']}.") from exc
        left = verify_purge(tenant)
        if left:
            raise CommandError("Tenant data remains:\n  " + "\n  ".join(left))
        self.stdout.write(f"Nothing of tenant {tenant.pk} remains.")
