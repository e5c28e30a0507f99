"""`python manage.py isolation_canary`: prove the serving engine does not mix adapters."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.health import check_engine


class Command(BaseCommand):
    help = "Run the isolation canary against the vLLM server; exit 1 (and take it out of " \
           "rotation) when any answer carries a fact it must not."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=settings.VLLM_URL)
        parser.add_argument("--rounds", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        result = check_engine(options["url"], rounds=options["rounds"])
        self.stdout.write(f"{result.requests} requests in {result.seconds} s")
        if not result.passed:
            raise CommandError("Isolation canary FAILED: " + "; ".join(result.failures))
        self.stdout.write("Isolation canary passed.")
