"""python manage.py leakage_report --out DIR [--size ci|full] [--seed N] [--inline]

Creates two throwaway tenants, trains the three arms (on the gpu queue's worker, or here
with --inline) and attacks through the platform's router and engine (VLLM_URL, in
rotation). Exits 1 when B's route fails a criterion, 2 when the control shows no power.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leakage import pipeline, report


class Command(BaseCommand):
    help = "Measure cross-tenant leakage through the production route, against a control."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--size", choices=sorted(pipeline.SIZES), default="ci")
        parser.add_argument("--seed", type=int, default=20261204)
        parser.add_argument("--inline", action="store_true",
                            help="train in this process instead of waiting for a worker")

    def handle(self, *args: Any, **options: Any) -> None:
        nonce = secrets.token_hex(3)
        teams = (pipeline.make_team(f"leak-a-{nonce}"), pipeline.make_team(f"leak-b-{nonce}"))
        result = pipeline.run(pipeline.SIZES[options["size"]], options["seed"], teams,
                              inline=options["inline"], log=self.stdout.write)
        written = report.write(result, options["out"])
        verdict = written["verdict"]
        self.stdout.write(f"{verdict['summary']}: {options['out'] / 'leakage_report.html'}")
        if not verdict["has_power"]:
            raise CommandError("no power: the shared-weight control did not leak", returncode=2)
        if not verdict["passed"]:
            raise CommandError("B's route failed the leakage criteria", returncode=1)
