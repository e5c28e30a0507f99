"""Run the audit sequencer as a process of its own (tenants.sequencer)."""

from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tenants import sequencer


class Command(BaseCommand):
    help = ("Chain accepted audit entries into each tenant's log in batches until stopped "
            "(--once: one sweep, then exit).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true",
                            help="sequence everything pending now and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self.stdout.write(f"sequenced {sequencer.sweep()} entries")
            return
        loop = sequencer.Sequencer()
        signal.signal(signal.SIGTERM, lambda *_: loop.stop())
        signal.signal(signal.SIGINT, lambda *_: loop.stop())
        loop.start()
        while loop.is_alive():
            loop.join(1)
