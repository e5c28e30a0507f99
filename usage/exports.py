"""CSV exports: a tenant's per day and adapter version, and the operators' per tenant. Ids,
counts, bytes and amounts only: never a prompt, an answer or a document's text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from tenants import audit
from tenants.closing import TenantClosed
from tenants.models import Tenant
from tenants.scoping import tenant_scope

from .costs import Prices, bill
from .counting import OUTCOME_CLASSES
from .figures import Period, UsageReport, tenant_usage

OPERATOR_EXPORTED = "usage.exported_by_operator"  # in each exported tenant's chain

TENANT_COLUMNS = ["date", "version", "adapter_id", "model_pin", "requests",
                  *(f"requests_{c}" for c in OUTCOME_CLASSES), "requests_other",
                  "prompt_tokens", "completion_tokens", "cached_tokens"]


def _write(header: list[str], rows: Iterable[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def tenant_rows(report: UsageReport, version_key: str | None = None) -> list[list[object]]:
    rows: list[list[object]] = []
    for row in report.daily:
        if version_key is not None and row.version.key != version_key:
            continue
        calls, adapter = row.calls, row.version.adapter
        rows.append([row.day.isoformat(), row.version.label, str(adapter.pk) if adapter else "",
                     adapter.model_pin if adapter else row.version.key, calls.total_requests,
                     *(calls.of(c) for c in OUTCOME_CLASSES), calls.of("other"),
                     calls.prompt_tokens, calls.completion_tokens, calls.cached_tokens])
    return rows


def tenant_csv(report: UsageReport, version_key: str | None = None) -> str:
    return _write(TENANT_COLUMNS, tenant_rows(report, version_key))


PLATFORM_COLUMNS = ["tenant_id", "tenant_slug", "tenant_status", "first_day", "last_day",
                    "requests", *(f"requests_{c}" for c in OUTCOME_CLASSES), "requests_other",
                    "prompt_tokens", "completion_tokens", "cached_tokens", "adapter_versions",
                    "training_runs", "training_compute_seconds", "training_tokens",
                    "storage_adapter_bytes", "storage_training_set_bytes",
                    "storage_document_bytes", "currency", "cost_inference", "cost_training",
                    "cost_storage", "cost_total"]

# A tenant being purged has no chain to record the export in, and soon no rows to count.
EXPORTABLE = (Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED)


def platform_csv(period: Period, operator: object) -> str:
    """Every tenant's usage in `period`, one row each; the export is recorded in each
    exported tenant's chain, in the same transaction as its figures are read."""
    prices = Prices.from_settings()
    rows: list[list[object]] = []
    for tenant in Tenant.objects.filter(status__in=EXPORTABLE).order_by("slug"):
        try:
            with transaction.atomic(), tenant_scope(tenant):
                report = tenant_usage(period)
                audit.append(tenant, OPERATOR_EXPORTED, actor=audit.actor_for_user(operator),
                             payload={"first_day": period.first.isoformat(),
                                      "last_day": period.last.isoformat()})
        except TenantClosed:  # a purge was approved since the list was read
            continue
        costs, totals = bill(report, prices), report.totals
        rows.append([str(tenant.pk), tenant.slug, tenant.status, period.first.isoformat(),
                     period.last.isoformat(), totals.total_requests,
                     *(totals.of(c) for c in OUTCOME_CLASSES), totals.of("other"),
                     totals.prompt_tokens, totals.completion_tokens, totals.cached_tokens,
                     sum(1 for v in report.versions if v.adapter is not None), len(report.runs),
                     round(report.training_seconds, 1), report.training_tokens,
                     report.storage.adapters, report.storage.training_sets,
                     report.storage.documents, prices.currency,
                     *(_plain(c) for c in (costs.inference.amount, costs.training.amount,
                                           costs.storage.amount, costs.total))])
    return _write(PLATFORM_COLUMNS, rows)


def _plain(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP))
