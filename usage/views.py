"""The tenant admins' usage page and its CSV export (thin: usage.figures does the counting)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tenants.access import (
    MemberRequest,
    audited_page_view,
    get_scoped_or_404,
    record_page_view,
    tenant_role_required,
)
from tenants.models import Role
from training.models import AdapterVersion

from . import costs, exports, page
from .figures import BASE, NO_MODEL, Period, tenant_usage

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30


def period_from(request: HttpRequest) -> Period:
    """?days=N (1 to 366) ending today (UTC); 30 when absent or not a number."""
    try:
        days = int(request.GET.get("days", DEFAULT_DAYS))
    except ValueError:
        days = DEFAULT_DAYS
    return Period.last_days(days)


def version_key_from(request: HttpRequest) -> str | None:
    """?version=<adapter id> (404 when it is not one of the tenant's), "base" or "none"."""
    raw = request.GET.get("version")
    if raw is None or raw == "":
        return None
    if raw == BASE:
        return BASE
    if raw == "none":
        return NO_MODEL
    return str(get_scoped_or_404(AdapterVersion, pk=raw).pk)


@tenant_role_required(Role.TENANT_ADMIN)
@require_safe
@audited_page_view
def usage(request: MemberRequest) -> HttpResponse:
    period = period_from(request)
    report = tenant_usage(period)
    prices = costs.Prices.from_settings()
    bill = costs.bill(report, prices)
    recent = page.recent_runs(report)
    return render(request, "usage/usage.html", {
        "report": report, "prices": prices, "bill": bill, "formulas": bill.formulas(prices),
        "currency": prices.currency, "periods": PERIODS,
        "charts": [page.requests_chart(report), page.tokens_chart(report)],
        "loss_chart": page.loss_chart(recent) if recent else None,
        "evaluation_chart": page.evaluation_chart(report),
        "version_rows": page.version_rows(report, prices),
        "run_rows": page.run_rows(report.runs, prices),
        "monthly_requests": round(report.totals.total_requests * costs.MONTH_DAYS
                                  / period.days),
        "month_days": costs.MONTH_DAYS,
    })


@tenant_role_required(Role.TENANT_ADMIN)
@require_safe
def usage_csv(request: MemberRequest) -> HttpResponse:
    period = period_from(request)
    version_key = version_key_from(request)
    response = HttpResponse(exports.tenant_csv(tenant_usage(period), version_key),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="usage-{request.tenant.slug}-'
                                       f'{period.first}-{period.last}.csv"')
    record_page_view(request, response)
    return response
