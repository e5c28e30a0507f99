"""`python manage.py redaction_eval`: PHI recall by Safe Harbor category on every labelled set.

`--all-sets` scores the development set, the tuning sets and each frozen independent set under
tests/data/redaction_independent/ separately, and exits 1 when any set misses a target
(PHI recall 0.98 overall, 0.95 per category, clinical terms kept 0.97). Without it the command
keeps its old behaviour: one file (`--data`, the development set by default), per-entity
precision/recall and the old per-type targets — an existing test relies on that default.
"""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from curation.redaction import redact
from curation.redaction_eval import (
    evaluate,
    evaluate_set,
    evaluation_sets,
    format_report,
    format_set_report,
    load_dataset,
)


class Command(BaseCommand):
    help = "Measure redaction on every labelled set; exit 1 when a target is missed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", type=Path,
                            default=settings.BASE_DIR / "tests" / "data" / "redaction_eval.jsonl",
                            help="the one file scored without --all-sets")
        parser.add_argument("--all-sets", action="store_true",
                            help="score the development set and every independent set, by "
                                 "Safe Harbor category, against the stricter targets")
        parser.add_argument("--split", choices=["all", "dev", "holdout"], default="all",
                            help="records of --data (with --all-sets: of the development "
                                 "set) to score; independent sets are always scored whole")
        parser.add_argument("--json", type=Path, help="also write the report as JSON here")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all_sets"]:
            self._every_set(options)
        else:
            self._one_file(options)

    def _select(self, path: Path, split: str) -> list[dict[str, Any]]:
        records = load_dataset(path)
        if split != "all":
            records = [r for r in records if r.get("split") == split]
        return records

    def _one_file(self, options: dict[str, Any]) -> None:
        report = evaluate(self._select(options["data"], options["split"]), redact)
        self.stdout.write(format_report(report))
        if options["json"]:
            options["json"].write_text(json.dumps(report.as_dict(), indent=2))
        if report.failures():
            raise CommandError("Redaction targets missed: " + "; ".join(report.failures()))

    def _every_set(self, options: dict[str, Any]) -> None:
        base_dir = Path(settings.BASE_DIR)
        paths = evaluation_sets(base_dir)
        reports = []
        for index, path in enumerate(paths):
            split = options["split"] if index == 0 else "all"  # index 0: the development set
            name = str(path.relative_to(base_dir))
            reports.append(evaluate_set(name, self._select(path, split), redact))
            self.stdout.write(format_set_report(reports[-1]) + "\n")
        if options["json"]:
            options["json"].write_text(json.dumps({r.name: r.as_dict() for r in reports},
                                                  indent=2))
        failing = [f"{r.name}: {'; '.join(r.failures())}" for r in reports if r.failures()]
        if failing:
            raise CommandError("Redaction targets missed — " + " | ".join(failing))
