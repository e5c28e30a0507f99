"""`migrate`, run as the owner role so that tables are never owned by the runtime role."""

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrateCommand

from tenants.dbroles import owner_credentials


class Command(DjangoMigrateCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        with owner_credentials(options["database"]):
            super().handle(*args, **options)
