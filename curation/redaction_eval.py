"""Measuring redaction against a labelled set (tests/data/redaction_eval.jsonl).

Definitions, all at the character level of the original text:
- a labelled PHI span is *caught* when every non-space character of it lies inside some
  redacted span (a half-removed name counts as missed);
- a redacted span is a *true positive* for its type when it overlaps any labelled PHI span
  (a date reported as a phone still removed PHI), else a false positive;
- a clinical term is *wrongly redacted* when a redacted span overlaps any occurrence of it.
Recall is per labelled type; precision per predicted type.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .redaction import RedactionResult

TARGET_TYPES = ("PERSON", "DATE", "MRN", "PHONE", "EMAIL", "SSN", "ADDRESS")
TARGET_RECALL = 0.95
TARGET_CLINICAL_LOSS = 0.02


@dataclass
class TypeScore:
    labelled: int = 0
    caught: int = 0
    predicted: int = 0
    true_positive: int = 0

    @property
    def recall(self) -> float:
        return self.caught / self.labelled if self.labelled else 1.0

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0


@dataclass
class EvalReport:
    records: int = 0
    by_type: dict[str, TypeScore] = field(default_factory=lambda: defaultdict(TypeScore))
    clinical_terms: int = 0
    clinical_lost: int = 0
    missed: list[tuple[str, str]] = field(default_factory=list)  # (record id, type): no text
    lost_terms: list[str] = field(default_factory=list)  # clinical terms are not PHI

    @property
    def clinical_loss_rate(self) -> float:
        return self.clinical_lost / self.clinical_terms if self.clinical_terms else 0.0

    def failures(self) -> list[str]:
        problems = [f"{t} recall {self.by_type[t].recall:.3f} < {TARGET_RECALL}"
                    for t in TARGET_TYPES
                    if self.by_type[t].labelled and self.by_type[t].recall < TARGET_RECALL]
        if self.clinical_loss_rate > TARGET_CLINICAL_LOSS:
            problems.append(f"clinical terms wrongly redacted {self.clinical_loss_rate:.3%} > "
                            f"{TARGET_CLINICAL_LOSS:.0%}")
        return problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "by_type": {t: {"labelled": s.labelled, "recall": round(s.recall, 4),
                            "predicted": s.predicted, "precision": round(s.precision, 4)}
                        for t, s in sorted(self.by_type.items())},
            "clinical_terms": self.clinical_terms,
            "clinical_loss_rate": round(self.clinical_loss_rate, 4),
            "failures": self.failures(),
        }


def load_dataset(path: Path) -> list[dict[str, Any]]:
    with path.open() as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _covered(spans: Iterable[tuple[int, int, str]], length: int) -> list[bool]:
    mask = [False] * length
    for start, end, _ in spans:
        for i in range(max(start, 0), min(end, length)):
            mask[i] = True
    return mask


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def evaluate(records: Iterable[dict[str, Any]],
             redact_fn: Callable[[str], RedactionResult]) -> EvalReport:
    report = EvalReport()
    for record in records:
        text = record["text"]
        result = redact_fn(text)
        mask = _covered(result.spans, len(text))
        labelled = [(p["start"], p["end"]) for p in record["phi"]]
        report.records += 1
        for phi in record["phi"]:
            score = report.by_type[phi["type"]]
            score.labelled += 1
            chars = [i for i in range(phi["start"], phi["end"]) if not text[i].isspace()]
            if all(mask[i] for i in chars):
                score.caught += 1
            else:
                report.missed.append((str(record["id"]), phi["type"]))
        for start, end, kind in result.spans:
            score = report.by_type[kind]
            score.predicted += 1
            score.true_positive += any(_overlaps((start, end), span) for span in labelled)
        for term in record.get("clinical_terms", []):
            occurrences = _find_all(text, term)
            if not occurrences:
                continue
            report.clinical_terms += 1
            if any(_overlaps(o, (s, e)) for o in occurrences for s, e, _ in result.spans):
                report.clinical_lost += 1
                report.lost_terms.append(term)
    return report


def _find_all(text: str, term: str) -> list[tuple[int, int]]:
    found, start = [], text.find(term)
    while start >= 0:
        found.append((start, start + len(term)))
        start = text.find(term, start + 1)
    return found


def format_report(report: EvalReport) -> str:
    lines = [f"{'type':<11}{'labelled':>9}{'recall':>9}{'predicted':>11}{'precision':>11}"]
    for kind, score in sorted(report.by_type.items()):
        lines.append(f"{kind:<11}{score.labelled:>9}{score.recall:>9.3f}{score.predicted:>11}"
                     f"{score.precision:>11.3f}")
    lines.append(f"clinical terms wrongly redacted: {report.clinical_lost}/"
                 f"{report.clinical_terms} = {report.clinical_loss_rate:.2%}")
    lines.append(f"records: {report.records}")
    failures = report.failures()
    lines.append("targets: " + ("met" if not failures else "MISSED: " + "; ".join(failures)))
    return "\n".join(lines)


# --- Every set, scored by HIPAA Safe Harbor category ------------------------------------------
# The development set above is what the rules were tuned on; the sets under
# tests/data/redaction_independent/ were written without seeing the rules and are frozen (see
# their README). Each is scored on its own so that a good dev score cannot hide a poor one.

SAFE_HARBOR_CATEGORY = {
    "PERSON": "names", "LOCATION": "geographic", "ADDRESS": "geographic", "DATE": "dates",
    "AGE": "dates", "PHONE": "phone", "FAX": "fax", "EMAIL": "email", "SSN": "ssn", "MRN": "mrn",
    "HEALTH_PLAN": "health_plan", "ACCOUNT": "account", "LICENSE": "license",
    "VEHICLE": "vehicle", "DEVICE": "device", "URL": "url", "IP_ADDRESS": "ip_address",
    "BIOMETRIC": "biometric", "PHOTO": "photo", "OTHER_ID": "other_id",
    # the development set's own names for two of them
    "DEVICE_ID": "device", "ROOM": "other_id",
}
TARGET_OVERALL_RECALL = 0.98
TARGET_CATEGORY_RECALL = 0.95
TARGET_CLINICAL_KEPT = 0.97
INDEPENDENT_DIR = Path("tests") / "data" / "redaction_independent"
TUNING_DIR = Path("tests") / "data" / "redaction_tuning"
DEV_SET = Path("tests") / "data" / "redaction_eval.jsonl"


def safe_harbor_category(kind: str) -> str:
    """The Safe Harbor category of a labelled type; a type we do not know stands for itself."""
    return SAFE_HARBOR_CATEGORY.get(kind, kind.lower())


@dataclass
class CategoryScore:
    labelled: int = 0
    caught: int = 0

    @property
    def recall(self) -> float:
        return self.caught / self.labelled if self.labelled else 1.0


@dataclass
class SetReport:
    """One labelled set scored by Safe Harbor category; recall is type-agnostic, as above."""

    name: str
    report: EvalReport

    @property
    def by_category(self) -> dict[str, CategoryScore]:
        scores: dict[str, CategoryScore] = defaultdict(CategoryScore)
        for kind, score in self.report.by_type.items():
            if score.labelled:
                category = scores[safe_harbor_category(kind)]
                category.labelled += score.labelled
                category.caught += score.caught
        return dict(sorted(scores.items()))

    @property
    def overall(self) -> CategoryScore:
        return CategoryScore(sum(s.labelled for s in self.by_category.values()),
                             sum(s.caught for s in self.by_category.values()))

    @property
    def clinical_kept_rate(self) -> float:
        return 1.0 - self.report.clinical_loss_rate

    @property
    def missed_ids(self) -> dict[str, list[str]]:
        """Record ids with a missed span, per category: ids only, never the text."""
        missed: dict[str, list[str]] = defaultdict(list)
        for record_id, kind in self.report.missed:
            ids = missed[safe_harbor_category(kind)]
            if record_id not in ids:
                ids.append(record_id)
        return dict(sorted(missed.items()))

    def failures(self) -> list[str]:
        problems = []
        if self.overall.recall < TARGET_OVERALL_RECALL:
            problems.append(f"PHI recall {self.overall.recall:.3f} < {TARGET_OVERALL_RECALL}")
        problems += [f"{category} recall {score.recall:.3f} < {TARGET_CATEGORY_RECALL}"
                     for category, score in self.by_category.items()
                     if score.recall < TARGET_CATEGORY_RECALL]
        if self.report.clinical_terms and self.clinical_kept_rate < TARGET_CLINICAL_KEPT:
            problems.append(f"clinical terms kept {self.clinical_kept_rate:.3f} < "
                            f"{TARGET_CLINICAL_KEPT}")
        return problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.report.records,
            "phi_recall": round(self.overall.recall, 4),
            "phi_labelled": self.overall.labelled,
            "by_category": {c: {"labelled": s.labelled, "recall": round(s.recall, 4)}
                            for c, s in self.by_category.items()},
            "clinical_terms": self.report.clinical_terms,
            "clinical_kept_rate": round(self.clinical_kept_rate, 4),
            "missed_ids": self.missed_ids,
            "failures": self.failures(),
        }


def evaluation_sets(base_dir: Path) -> list[Path]:
    """The development set, the tuning sets (the rules are tuned on them), then every frozen
    independent set (never tuned on), in a stable order."""
    return [base_dir / DEV_SET, *sorted((base_dir / TUNING_DIR).glob("*.jsonl")),
            *sorted((base_dir / INDEPENDENT_DIR).glob("*.jsonl"))]


def evaluate_set(name: str, records: Iterable[dict[str, Any]],
                 redact_fn: Callable[[str], RedactionResult]) -> SetReport:
    return SetReport(name, evaluate(records, redact_fn))


def format_set_report(set_report: SetReport) -> str:
    overall = set_report.overall
    lines = [f"== {set_report.name}: {set_report.report.records} records",
             f"PHI recall {overall.recall:.3f} ({overall.caught}/{overall.labelled})",
             f"{'category':<13}{'labelled':>9}{'recall':>9}"]
    for category, score in set_report.by_category.items():
        lines.append(f"{category:<13}{score.labelled:>9}{score.recall:>9.3f}")
    report = set_report.report
    lines.append(f"clinical terms kept: {report.clinical_terms - report.clinical_lost}/"
                 f"{report.clinical_terms} = {set_report.clinical_kept_rate:.2%}")
    for category, ids in set_report.missed_ids.items():
        lines.append(f"missed {category}: {', '.join(ids)}")
    failures = set_report.failures()
    lines.append("targets: " + ("met" if not failures else "MISSED: " + "; ".join(failures)))
    return "\n".join(lines)
