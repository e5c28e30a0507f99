"""Usage API (tenant admins, session auth as the other tenant-admin endpoints): the page's
figures as JSON, through the tenant-scoped viewset base. Every response goes through the
serializers below, so the OpenAPI schema says exactly what is sent."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tenants.api import TenantScopedViewSet
from tenants.models import Role
from training.models import AdapterEvaluation, AdapterVersion

from .costs import Bill, Prices, bill, inference_cost, training_cost
from .counting import OUTCOME_CLASSES, Counts
from .figures import Period, RunFigures, UsageReport, Version, tenant_usage

DAYS = OpenApiParameter("days", int, description="Whole UTC days ending today (1-366; "
                                                 "default 30).")


def money_field(**kwargs: Any) -> serializers.DecimalField:
    """An amount in the currency, six places (JSON string, as DRF writes decimals)."""
    return serializers.DecimalField(max_digits=24, decimal_places=6, **kwargs)


class CallsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    requests = serializers.IntegerField(help_text="Calls, answered or not.")
    requests_by_outcome = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=f"By the first word of the audited outcome: {', '.join(OUTCOME_CLASSES)}.")
    prompt_tokens = serializers.IntegerField()
    completion_tokens = serializers.IntegerField()
    cached_tokens = serializers.IntegerField(help_text="Part of prompt_tokens.")


class DaySerializer(CallsSerializer):
    date = serializers.DateField()
    version = serializers.CharField(help_text="v1, v2, … in the order they were trained; "
                                              "\"base model\"; or no model.")
    adapter_id = serializers.UUIDField(allow_null=True)


class UsageRunSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    version = serializers.CharField()
    state = serializers.CharField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    compute_seconds = serializers.FloatField(allow_null=True)
    still_running = serializers.BooleanField()
    tokens = serializers.IntegerField(allow_null=True)
    tokens_estimated = serializers.BooleanField()
    cost = money_field()
    cost_formula = serializers.CharField()
    loss_history = serializers.ListField(child=serializers.DictField())


class EvaluationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    state = serializers.CharField()
    decision = serializers.CharField(help_text="The promotion gate's: promoted, kept, first, "
                                               "refused, not_decided or pending.")
    reason = serializers.CharField()
    compared_to = serializers.UUIDField(allow_null=True, help_text="The adapter pinned then.")
    examples = serializers.IntegerField(help_text="Held-out examples evaluated.")
    results = serializers.DictField(
        child=serializers.DictField(),
        help_text="\"candidate\", \"pinned\" and \"base\": eval_loss, must_say_pass_rate, "
                  "checks, answer_words, similarity.")


class UsageVersionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    adapter_id = serializers.UUIDField(allow_null=True)
    version = serializers.CharField()
    serving_name = serializers.CharField(allow_null=True)
    serving = serializers.BooleanField(help_text="The version inference uses now.")
    size_bytes = serializers.IntegerField()
    calls = CallsSerializer()
    cost_inference = money_field()
    run = UsageRunSerializer(allow_null=True)
    evaluation = EvaluationSerializer(allow_null=True)


class StorageSerializer(serializers.Serializer):  # type: ignore[type-arg]
    adapters_bytes = serializers.IntegerField()
    training_sets_bytes = serializers.IntegerField()
    documents_bytes = serializers.IntegerField()
    total_bytes = serializers.IntegerField()


class CostsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    currency = serializers.CharField()
    prices = serializers.DictField(child=money_field())
    inference = money_field()
    training = money_field()
    storage = money_field()
    monthly_inference = money_field()
    monthly_fine_tuning = money_field()
    monthly_total = money_field()
    overhead_percent = serializers.DecimalField(max_digits=12, decimal_places=1,
                                                allow_null=True)
    formulas = serializers.DictField(child=serializers.CharField())


class SummarySerializer(serializers.Serializer):  # type: ignore[type-arg]
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    days = serializers.IntegerField()
    totals = CallsSerializer()
    training_compute_seconds = serializers.FloatField()
    training_tokens = serializers.IntegerField()
    storage = StorageSerializer()
    costs = CostsSerializer()
    daily = DaySerializer(many=True)
    versions = UsageVersionSerializer(many=True)
    runs = UsageRunSerializer(many=True)


class UsageVersionDetailSerializer(UsageVersionSerializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    daily = DaySerializer(many=True)


def calls(counts: Counts) -> dict[str, Any]:
    return {"requests": counts.total_requests, "requests_by_outcome": dict(counts.requests),
            "prompt_tokens": counts.prompt_tokens, "completion_tokens": counts.completion_tokens,
            "cached_tokens": counts.cached_tokens}


def run_data(figures: RunFigures, prices: Prices) -> dict[str, Any]:
    run, cost = figures.run, training_cost(figures.compute_seconds or 0.0, prices)
    return {"id": run.pk, "version": figures.version_label, "state": run.state,
            "started_at": run.started_at, "finished_at": run.finished_at,
            "compute_seconds": figures.compute_seconds, "still_running": figures.still_running,
            "tokens": figures.tokens, "tokens_estimated": figures.tokens_estimated,
            "cost": cost.amount, "cost_formula": cost.formula,
            "loss_history": figures.loss_points}


def version_data(version: Version, prices: Prices) -> dict[str, Any]:
    adapter = version.adapter
    return {"adapter_id": adapter.pk if adapter else None, "version": version.label,
            "serving_name": adapter.serving_name if adapter else None,
            "serving": version.serving, "size_bytes": version.size_bytes,
            "calls": calls(version.calls),
            "cost_inference": inference_cost(version.calls, prices).amount,
            "run": run_data(version.run, prices) if version.run else None,
            "evaluation": evaluation_data(version.evaluation)}


def evaluation_data(evaluation: AdapterEvaluation | None) -> dict[str, Any] | None:
    if evaluation is None:
        return None
    return {"state": evaluation.state, "decision": evaluation.decision,
            "reason": evaluation.reason, "compared_to": evaluation.compared_to_id,
            "examples": evaluation.examples, "results": evaluation.results}


def daily_data(report: UsageReport, key: str | None = None) -> list[dict[str, Any]]:
    return [{"date": row.day, "version": row.version.label,
             "adapter_id": row.version.adapter.pk if row.version.adapter else None,
             **calls(row.calls)}
            for row in report.daily if key is None or row.version.key == key]


def costs_data(the_bill: Bill, prices: Prices) -> dict[str, Any]:
    return {"currency": prices.currency,
            "prices": {"gpu_hour": prices.gpu_hour, "prompt_per_1m": prices.prompt_per_1m,
                       "cached_per_1m": prices.cached_per_1m,
                       "completion_per_1m": prices.completion_per_1m,
                       "storage_gb_month": prices.storage_gb_month},
            "inference": the_bill.inference.amount, "training": the_bill.training.amount,
            "storage": the_bill.storage.amount,
            "monthly_inference": the_bill.monthly_inference,
            "monthly_fine_tuning": the_bill.monthly_fine_tuning,
            "monthly_total": the_bill.monthly_total,
            "overhead_percent": the_bill.overhead_percent,
            "formulas": {"inference": the_bill.inference.formula,
                         "training": the_bill.training.formula,
                         "storage": the_bill.storage.formula, **the_bill.formulas(prices)}}


def summary_data(report: UsageReport, prices: Prices) -> dict[str, Any]:
    storage = report.storage
    return {"first_day": report.period.first, "last_day": report.period.last,
            "days": report.period.days, "totals": calls(report.totals),
            "training_compute_seconds": report.training_seconds,
            "training_tokens": report.training_tokens,
            "storage": {"adapters_bytes": storage.adapters,
                        "training_sets_bytes": storage.training_sets,
                        "documents_bytes": storage.documents, "total_bytes": storage.total},
            "costs": costs_data(bill(report, prices), prices), "daily": daily_data(report),
            "versions": [version_data(v, prices) for v in report.versions
                         if v.adapter is not None or v.calls.total_requests],
            "runs": [run_data(r, prices) for r in report.runs]}


def _period(request: Request) -> Period:
    try:
        return Period.last_days(int(request.query_params.get("days", 30)))
    except ValueError:
        return Period.last_days(30)


class UsageSummaryViewSet(TenantScopedViewSet):
    """The tenant's usage in a period: totals, per day and version, per version, runs,
    storage and the cost arithmetic (as on the usage page)."""

    scoped_model = AdapterVersion
    serializer_class = SummarySerializer
    required_role = Role.TENANT_ADMIN

    @extend_schema(parameters=[DAYS], responses=SummarySerializer)
    def list(self, request: Request) -> Response:
        prices = Prices.from_settings()
        return Response(SummarySerializer(summary_data(tenant_usage(_period(request)),
                                                       prices)).data)


class UsageVersionViewSet(TenantScopedViewSet):
    """One adapter version's usage (another tenant's version id is a 404, like a missing one)."""

    scoped_model = AdapterVersion
    serializer_class = UsageVersionDetailSerializer
    required_role = Role.TENANT_ADMIN

    @extend_schema(parameters=[DAYS], responses=UsageVersionDetailSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        adapter = self.get_object()
        report, prices = tenant_usage(_period(request)), Prices.from_settings()
        version = report.version(str(adapter.pk))
        assert version is not None  # every version of the tenant is in its report
        return Response(UsageVersionDetailSerializer({
            **version_data(version, prices), "first_day": report.period.first,
            "last_day": report.period.last, "daily": daily_data(report, version.key)}).data)
