"""`python manage.py create_tenant <slug> --name NAME --admin EMAIL`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from tenants.models import Tenant
from tenants.services import create_tenant


class Command(BaseCommand):
    help = "Create a tenant, its first tenant admin and the first entry of its audit chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin", required=True, metavar="EMAIL")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"]
        if Tenant.objects.filter(slug=slug).exists():
            raise CommandError(f"A tenant with slug {slug!r} already exists.")
        try:
            tenant, admin = create_tenant(slug, options["name"], options["admin"],
                                          actor="system:create_tenant")
        except IntegrityError as exc:
            raise CommandError(f"Could not create tenant {slug!r}: {exc}") from exc
        self.stdout.write(f"Created tenant {tenant.slug} ({tenant.pk})")
        if admin.password:
            self.stdout.write(f"Tenant admin {options['admin']} password: {admin.password}")
        else:
            self.stdout.write(f"Existing user {options['admin']} is now tenant admin.")
