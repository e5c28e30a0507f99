"""`python manage.py create_signing_key`: make the platform's Ed25519 key, once, on purpose.

Production never creates the key on first use (PLATFORM_SIGNING_KEY_AUTOCREATE); an existing
key is never replaced, since every published bundle and certificate is verified against it.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tenants import signing


class Command(BaseCommand):
    help = "Create the platform signing key (PLATFORM_SIGNING_KEY); refuses to replace one."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = signing.create_key()
        except FileExistsError as exists:
            raise CommandError(f"{exists.filename} already exists; a key is never "
                               "replaced.") from exists
        self.stdout.write(f"Created {path} (mode 0600). Public key:")
        self.stdout.write(signing.public_key_pem())
