"""`python manage.py verify_export PATH`: check every hash and the signature; exit 1 if not."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from offboarding.export import verify
from tenants import signing


class Command(BaseCommand):
    help = "Verify an export bundle's file hashes and its Ed25519 signature."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--trust-bundle-key", action="store_true",
                            help="verify with the key inside the bundle, not this platform's")

    def handle(self, *args: Any, **options: Any) -> None:
        trusted = None if options["trust_bundle_key"] else signing.public_key_pem()
        problems = verify(options["path"], trusted)
        if problems:
            raise CommandError("Export does NOT verify:\n  " + "\n  ".join(problems))
        self.stdout.write("Export verifies: every file hash and the signature.")
