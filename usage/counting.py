"""Inference requests and tokens, counted from the audit log: the source of truth.

Every call through the router is one `inference.chat` entry (inference.router._append_call)
with its outcome, its model pin and the token counts the engine reported; nothing else is
counted, so the page, the CSV and the API agree with the chain by construction. Accepted
entries not yet sequenced (AUDIT_SEQUENCING="batched") count too: the entries and the pending
rows are read in one statement (UNION ALL), so a row the sequencer moves between the two
tables in the meantime is seen exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import models
from django.db.models import Count, FloatField, JSONField, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate

from tenants.models import AuditEntry, AuditPending

INFERENCE_ACTION = "inference.chat"  # inference.router._append_call
# The first word of an entry's outcome ("refused:model_not_found" is "refused").
OUTCOME_CLASSES = ("ok", "refused", "unavailable", "failed", "interrupted")


def outcome_class(outcome: object) -> str:
    head = str(outcome or "").split(":", 1)[0]
    return head if head in OUTCOME_CLASSES else "other"


@dataclass
class Counts:
    """Requests by outcome class and the tokens the engine reported for them."""

    requests: dict[str, int] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    @property
    def answered(self) -> int:
        return self.requests.get("ok", 0)

    @property
    def not_answered(self) -> int:
        return self.total_requests - self.answered

    def of(self, outcome: str) -> int:
        return self.requests.get(outcome, 0)

    def add(self, other: Counts) -> None:
        for key, value in other.requests.items():
            self.requests[key] = self.requests.get(key, 0) + value
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cached_tokens += other.cached_tokens


def _grouped(model: type[AuditEntry] | type[AuditPending], start: datetime,
             end: datetime) -> models.QuerySet[Any]:
    """Per UTC day, model pin and outcome: the count and the token sums, in SQL."""
    def tokens(key: str) -> Sum:
        # A number the engine reported, or null (not reported, or the call never reached it)
        return Sum(Cast(KT(f"p__{key}"), FloatField()))

    return (model.objects  # the tenant scope's manager: only the active tenant's rows
            .filter(action=INFERENCE_ACTION, created_at__gte=start, created_at__lt=end)
            .annotate(p=Cast("payload_json", JSONField()))
            .annotate(day=TruncDate("created_at", tzinfo=UTC), outcome=KT("p__outcome"))
            .values("day", "model_pin", "outcome")
            .annotate(n=Count("pk"), prompt=tokens("prompt_tokens"),
                      completion=tokens("completion_tokens"), cached=tokens("cached_tokens"))
            .order_by())


def daily_counts(start: datetime, end: datetime) -> dict[tuple[date, str], Counts]:
    """(day, model pin) -> counts, for the active tenant's calls in [start, end)."""
    found: dict[tuple[date, str], Counts] = {}
    rows = _grouped(AuditEntry, start, end).union(_grouped(AuditPending, start, end), all=True)
    for row in rows:
        counts = found.setdefault((row["day"], row["model_pin"]), Counts())
        counts.add(Counts({outcome_class(row["outcome"]): row["n"]},
                          round(row["prompt"] or 0), round(row["completion"] or 0),
                          round(row["cached"] or 0)))
    return found
