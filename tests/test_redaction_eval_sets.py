"""The independent redaction sets stay frozen, and every set is scored by Safe Harbor category."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from curation.redaction_eval import (
    INDEPENDENT_DIR,
    SAFE_HARBOR_CATEGORY,
    evaluate_set,
    evaluation_sets,
    format_set_report,
    load_dataset,
)

ROOT = Path(__file__).resolve().parent.parent


def _redacting(spans_for: dict[str, list[tuple[int, int, str]]]) -> Any:
    return lambda text: SimpleNamespace(spans=spans_for.get(text, []))


def test_independent_sets_are_unchanged_since_they_were_frozen() -> None:
    folder = ROOT / INDEPENDENT_DIR
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


def test_every_set_is_found_and_the_hard_cases_cover_each_category_twelve_times() -> None:
    names = [p.name for p in evaluation_sets(ROOT)]
    assert names[0] == "redaction_eval.jsonl" and "tuning.jsonl" in names
    assert names[-2:] == ["generated.jsonl", "hard_cases.jsonl"]  # the frozen sets, last
    hard = load_dataset(ROOT / INDEPENDENT_DIR / "hard_cases.jsonl")
    per_type = Counter(t for r in hard for t in {p["type"] for p in r["phi"]})
    assert {SAFE_HARBOR_CATEGORY[t] for t in per_type} == set(SAFE_HARBOR_CATEGORY.values())
    assert min(per_type.values()) >= 12
    for record in hard:
        for phi in record["phi"]:
            assert 0 <= phi["start"] < phi["end"] <= len(record["text"])


def test_a_span_redacted_under_another_type_still_counts_and_misses_are_ids_only() -> None:
    records = [
        {"id": "a", "text": "MRN 123456 for Rose Hope", "clinical_terms": [],
         "phi": [{"start": 4, "end": 10, "type": "MRN"},
                 {"start": 15, "end": 24, "type": "PERSON"}]},
        {"id": "b", "text": "bed 4, Foley catheter", "clinical_terms": ["Foley catheter"],
         "phi": [{"start": 4, "end": 5, "type": "OTHER_ID"}]},
    ]
    report = evaluate_set("toy", records, _redacting({
        "MRN 123456 for Rose Hope": [(4, 10, "PHONE"), (15, 19, "PERSON")],
        "bed 4, Foley catheter": [(4, 5, "OTHER_ID")],
    }))
    assert report.by_category["mrn"].recall == 1.0
    assert report.by_category["names"].recall == 0.0  # half a name is a miss
    assert report.missed_ids == {"names": ["a"]}
    assert report.clinical_kept_rate == 1.0
    assert any("names recall" in f for f in report.failures())
    assert "Rose" not in format_set_report(report)


def test_removing_every_labelled_span_meets_the_targets() -> None:
    records = load_dataset(ROOT / INDEPENDENT_DIR / "hard_cases.jsonl")
    perfect = {r["text"]: [(p["start"], p["end"], p["type"]) for p in r["phi"]] for r in records}
    report = evaluate_set("hard", records, _redacting(perfect))
    assert report.overall.recall == 1.0
    assert report.clinical_kept_rate == 1.0
    assert report.failures() == []
    nothing = evaluate_set("hard", records, _redacting({}))
    assert nothing.overall.recall == 0.0 and len(nothing.failures()) == 1 + len(nothing.by_category)
    json.dumps(nothing.as_dict())
