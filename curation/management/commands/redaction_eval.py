"""`python manage.py redaction_eval`: per-entity precision/recall and clinical-term loss."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from curation.redaction import redact
from curation.redaction_eval import evaluate, format_report, load_dataset


class Command(BaseCommand):
    help = "Measure redaction on the labelled set; exit 1 when a target is missed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", type=Path,
                            default=settings.BASE_DIR / "tests" / "data" / "redaction_eval.jsonl")
        parser.add_argument("--split", choices=["all", "dev", "holdout"], default="all")
        parser.add_argument("--json", type=Path, help="also write the report as JSON here")

    def handle(self, *args: Any, **options: Any) -> None:
        records = load_dataset(options["data"])
        if options["split"] != "all":
            records = [r for r in records if r.get("split") == options["split"]]
        report = evaluate(records, redact)
        self.stdout.write(format_report(report))
        if options["json"]:
            options["json"].write_text(json.dumps(report.as_dict(), indent=2))
        if report.failures():
            raise CommandError("Redaction targets missed: " + "; ".join(report.failures()))
