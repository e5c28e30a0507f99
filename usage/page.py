"""The usage page's charts, built from a report (usage.figures)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from training.models import TrainingRun

from .charts import Chart, Series, line_chart
from .costs import Cost, Prices, inference_cost, training_cost
from .figures import RunFigures, UsageReport, Version, run_figures

RECENT_RUNS = 5


def _day_chart(slug: str, title: str, y_title: str, report: UsageReport,
               series: list[Series], integer_y: bool) -> Chart:
    days = [day for day, _ in report.per_day()]
    return line_chart(slug, title, "Day (UTC)", y_title, list(range(len(days))),
                      lambda i: days[int(i)].isoformat(), series, integer_y=integer_y)


def requests_chart(report: UsageReport) -> Chart:
    per_day = report.per_day()
    return _day_chart("requests", "Inference requests per day", "Requests", report, [
        Series("Answered", [float(c.answered) for _, c in per_day]),
        Series("Refused or failed", [float(c.not_answered) for _, c in per_day]),
    ], integer_y=True)


def tokens_chart(report: UsageReport) -> Chart:
    per_day = report.per_day()
    return _day_chart("tokens", "Tokens per day", "Tokens", report, [
        Series("Prompt tokens", [float(c.prompt_tokens) for _, c in per_day]),
        Series("Completion tokens", [float(c.completion_tokens) for _, c in per_day]),
        Series("Cached prompt tokens", [float(c.cached_tokens) for _, c in per_day]),
    ], integer_y=True)


def recent_runs(report: UsageReport) -> list[RunFigures]:
    """The latest runs that reported a loss, whatever the period."""
    labels = {v.adapter.run_id: v.label for v in report.versions if v.adapter is not None}
    found = []
    for run in TrainingRun.objects.exclude(loss_history=[]).order_by("-created_at")[:RECENT_RUNS]:
        found.append(run_figures(run, labels.get(run.pk, "—"), timezone.now()))
    return found


def loss_chart(runs: list[RunFigures]) -> Chart:
    steps = sorted({int(p["step"]) for r in runs for p in r.loss_points})
    series = []
    for figures in reversed(runs):  # oldest first, so colours stay with a run as runs are added
        name = f"{figures.version_label} (run {str(figures.run.pk)[:8]})"
        by_step = {int(p["step"]): p for p in figures.loss_points}
        series.append(Series(f"{name} training loss",
                             [_number(by_step.get(s, {}).get("loss")) for s in steps]))
        if any(_number(p.get("eval_loss")) is not None for p in figures.loss_points):
            series.append(Series(f"{name} eval loss",
                                 [_number(by_step.get(s, {}).get("eval_loss")) for s in steps]))
    return line_chart("loss", "Loss curves of recent training runs", "Step",
                      "Loss (cross-entropy, nats per token)", [float(s) for s in steps],
                      lambda s: f"{s:g}", series)


def evaluation_chart(report: UsageReport) -> Chart | None:
    """Each evaluated version's eval loss on its held-out split, beside the base model's on
    the same prompts (training.promotion); None before any evaluation finished."""
    evaluated = [v for v in report.versions if v.evaluated("candidate", "eval_loss") is not None]
    if not evaluated:
        return None
    return line_chart("evaluation", "Evaluation of each adapter version on its held-out "
                       "examples", "Version", "Eval loss (nats per token)",
                       [float(n) for n in range(len(evaluated))],
                       lambda n: evaluated[int(n)].label, [
                           Series("This version", [v.evaluated("candidate", "eval_loss")
                                                   for v in evaluated]),
                           Series("Base model, same prompts", [v.evaluated("base", "eval_loss")
                                                               for v in evaluated]),
                       ])


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


@dataclass
class VersionRow:
    version: Version
    inference: Cost
    training: Cost | None


def version_rows(report: UsageReport, prices: Prices) -> list[VersionRow]:
    """Adapter versions always; the base model and unrouted calls only when they had calls."""
    return [VersionRow(v, inference_cost(v.calls, prices),
                       training_cost(v.run.compute_seconds or 0.0, prices) if v.run else None)
            for v in report.versions if v.adapter is not None or v.calls.total_requests]


def run_rows(runs: list[RunFigures], prices: Prices) -> list[tuple[RunFigures, Cost]]:
    return [(r, training_cost(r.compute_seconds or 0.0, prices)) for r in runs]
