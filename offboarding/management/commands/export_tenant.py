"""`python manage.py export_tenant <slug> --out PATH`: write a signed BAA export bundle."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from offboarding.export import ExportRefused, build
from tenants import audit
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Export everything a tenant owns into one signed archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["slug"]).first()
        if tenant is None:
            raise CommandError(f"No tenant {options['slug']!r}.")
        if options["out"].exists():
            raise CommandError(f"{options['out']} exists; choose a new path.")
        try:
            data = build(tenant)
        except ExportRefused as exc:
            raise CommandError(str(exc)) from exc
        options["out"].write_bytes(data)
        audit.append(tenant, "export.created", actor="system:export_tenant",
                     payload={"bytes": len(data)})
        self.stdout.write(f"Wrote {options['out']} ({len(data)} bytes)")
