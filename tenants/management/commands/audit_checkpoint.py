"""`manage.py audit_checkpoint [slug ...]`: sign the audit heads now (beat does it hourly)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.checkpoints import CheckpointError, checkpoint_all_tenants, write_checkpoint
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Write a signed checkpoint of each tenant's audit chain head (all tenants by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if not options["slugs"]:
                done = checkpoint_all_tenants()
            else:
                done = {}
                for slug in options["slugs"]:
                    tenant = Tenant.objects.filter(slug=slug).first()
                    if tenant is None:
                        raise CommandError(f"No tenant {slug!r}.")
                    checkpoint = write_checkpoint(tenant)
                    done[slug] = checkpoint.seq if checkpoint else None
        except CheckpointError as exc:
            raise CommandError(str(exc)) from exc
        for slug, seq in done.items():
            self.stdout.write(f"{slug}: " + (f"signed #{seq}" if seq else "unchanged"))
