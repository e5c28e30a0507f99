"""`flush` (used between transactional tests), run as the owner role.

The runtime role may not TRUNCATE the audit log; the owner may, with the purge flag set for
this session only.
"""

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.db import connections

from tenants.dbroles import owner_credentials


class Command(DjangoFlushCommand):
    def handle(self, **options: Any) -> None:
        using = options["database"]
        with owner_credentials(using):
            connection = connections[using]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('sanoweb.allow_audit_purge', 'on', false)")
            super().handle(**options)
