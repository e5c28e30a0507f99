"""A tenant's usage over a period, per day and per adapter version, from the rows the
capability apps already keep (usage.counting for the calls; runs, versions, snapshots and
documents for training and storage). Every function here reads the active tenant scope only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from curation.models import TrainingSet
from knowledge.models import DocumentVersion
from training.models import (
    AdapterEvaluation,
    AdapterVersion,
    EvaluationState,
    PinnedAdapter,
    TrainingRun,
)

from .counting import Counts, daily_counts

MAX_DAYS = 366
NO_MODEL = ""  # the pin of a call refused before a model was chosen
BASE = "base"


@dataclass(frozen=True)
class Period:
    """Whole UTC days, `first` to `last` inclusive."""

    first: date
    last: date

    @classmethod
    def ending(cls, last: date, days: int) -> Period:
        days = max(1, min(int(days), MAX_DAYS))
        return cls(last - timedelta(days=days - 1), last)

    @classmethod
    def last_days(cls, days: int) -> Period:
        return cls.ending(timezone.now().astimezone(UTC).date(), days)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=UTC)

    def each_day(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]


@dataclass
class Version:
    """What the calls name: one of the tenant's adapter versions, the base model, or none."""

    key: str  # the adapter's id; "base"; "" for calls refused before a model was chosen
    label: str
    adapter: AdapterVersion | None = None
    serving: bool = False
    calls: Counts = field(default_factory=Counts)
    run: RunFigures | None = None
    evaluation: AdapterEvaluation | None = None  # training.promotion's, when there is one

    @property
    def size_bytes(self) -> int:
        return self.adapter.size_bytes if self.adapter is not None else 0

    def evaluated(self, role: str, metric: str) -> float | None:
        """A finished evaluation's figure for "candidate" (this version), "pinned" or
        "base"; None when it has none."""
        evaluation = self.evaluation
        if evaluation is None or evaluation.state != EvaluationState.DONE:
            return None
        value = (evaluation.results.get(role) or {}).get(metric)
        return float(value) if isinstance(value, int | float) else None


@dataclass
class RunFigures:
    """One training run: wall-clock compute on the worker and the tokens trained on."""

    run: TrainingRun
    version_label: str
    compute_seconds: float | None  # started to finished (to now while it runs)
    still_running: bool
    tokens: int | None
    tokens_estimated: bool  # a run from before the trainer reported its token count

    @property
    def loss_points(self) -> list[dict[str, Any]]:
        return [p for p in self.run.loss_history if isinstance(p, dict) and "step" in p]


@dataclass
class DayRow:
    day: date
    version: Version
    calls: Counts


@dataclass
class Storage:
    adapters: int
    training_sets: int
    documents: int

    @property
    def total(self) -> int:
        return self.adapters + self.training_sets + self.documents


@dataclass
class UsageReport:
    period: Period
    versions: list[Version]
    daily: list[DayRow]  # (day, version) pairs with at least one call
    runs: list[RunFigures]  # runs started in the period, newest first
    storage: Storage
    totals: Counts

    def per_day(self) -> list[tuple[date, Counts]]:
        """Every day of the period, all versions together (days without calls as zeros)."""
        by_day: dict[date, Counts] = {day: Counts() for day in self.period.each_day()}
        for row in self.daily:
            by_day[row.day].add(row.calls)
        return sorted(by_day.items())

    def version(self, key: str) -> Version | None:
        return next((v for v in self.versions if v.key == key), None)

    @property
    def training_seconds(self) -> float:
        return sum(r.compute_seconds or 0.0 for r in self.runs)

    @property
    def training_tokens(self) -> int:
        return sum(r.tokens or 0 for r in self.runs)


def run_figures(run: TrainingRun, version_label: str, now: datetime) -> RunFigures:
    seconds: float | None = None
    running = run.started_at is not None and run.finished_at is None
    if run.started_at is not None:
        seconds = ((run.finished_at or now) - run.started_at).total_seconds()
    tokens, estimated = _run_tokens(run.metrics if isinstance(run.metrics, dict) else {})
    return RunFigures(run, version_label, seconds, running, tokens, estimated)


def _run_tokens(metrics: dict[str, Any]) -> tuple[int | None, bool]:
    """The trainer's own count (training.trainer: "tokens"); for older runs, its rate times
    its training seconds, marked as an estimate."""
    if isinstance(metrics.get("tokens"), int | float):
        return int(metrics["tokens"]), False
    rate, seconds = metrics.get("tokens_per_s"), metrics.get("seconds")
    if isinstance(rate, int | float) and isinstance(seconds, int | float):
        return round(rate * seconds), True
    return None, False


def versions() -> list[Version]:
    """The tenant's adapter versions, oldest first as v1, v2, …; then the base model and the
    calls that reached no model."""
    pin = PinnedAdapter.objects.first()
    evaluations = {e.adapter_id: e for e in AdapterEvaluation.objects.all()}
    found = [Version(str(a.pk), f"v{n}", a, serving=pin is not None and pin.adapter_id == a.pk,
                     evaluation=evaluations.get(a.pk))
             for n, a in enumerate(AdapterVersion.objects.select_related("run")
                                   .order_by("created_at", "pk"), start=1)]
    return [*found, Version(BASE, "base model"),
            Version(NO_MODEL, "no model (refused before routing)")]


def _version_of_pin(pin: str, by_pin: dict[str, Version], others: dict[str, Version]) -> Version:
    if pin in by_pin:
        return by_pin[pin]
    if pin.startswith("base@"):
        return others[BASE]
    if not pin:
        return others[NO_MODEL]
    # a pin no version of this tenant has (cannot happen while versions are never deleted)
    return others.setdefault(pin, Version(pin, pin))


def storage() -> Storage:
    def total(queryset: Any) -> int:
        return int(queryset.aggregate(total=Sum("size_bytes"))["total"] or 0)

    return Storage(adapters=total(AdapterVersion.objects.all()),
                   training_sets=total(TrainingSet.objects.all()),
                   documents=total(DocumentVersion.objects.all()))


def tenant_usage(period: Period) -> UsageReport:
    """The active tenant's usage in `period`."""
    now = timezone.now()
    all_versions = versions()
    by_pin: dict[str, Version] = {}
    for version in all_versions:
        if version.adapter is not None:
            by_pin.setdefault(version.adapter.model_pin, version)  # equal content, first one
    others = {v.key: v for v in all_versions if v.adapter is None}
    daily: dict[tuple[date, str], DayRow] = {}
    totals = Counts()
    for (day, pin), calls in sorted(daily_counts(period.start, period.end).items()):
        version = _version_of_pin(pin, by_pin, others)
        row = daily.setdefault((day, version.key), DayRow(day, version, Counts()))
        row.calls.add(calls)
        version.calls.add(calls)
        totals.add(calls)
    label_of = {v.adapter.run_id: v.label for v in all_versions if v.adapter is not None}
    for version in all_versions:
        if version.adapter is not None:
            version.run = run_figures(version.adapter.run, version.label, now)
    runs = [run_figures(run, label_of.get(run.pk, "—"), now)
            for run in TrainingRun.objects.filter(started_at__gte=period.start,
                                                  started_at__lt=period.end)
            .order_by("-started_at")]
    shown = [*all_versions, *(v for k, v in others.items() if k not in (BASE, NO_MODEL))]
    rows = sorted(daily.values(), key=lambda r: (r.day, r.version.label))
    return UsageReport(period, shown, rows, runs, storage(), totals)
