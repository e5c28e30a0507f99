"""The operators' platform-wide usage export (per tenant, ids and figures only), in the admin
site. Superusers holding `usage.view_tenantusage`, as every custom admin view (tenants.admin);
each export is recorded in the chain of every tenant it covers (usage.exports)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from tenants.access import AuthenticatedHttpRequest
from tenants.admin import OperatorOnlyAdmin, operator_view

from . import exports
from .figures import Period
from .models import TenantUsage

PERMISSION = "usage.view_tenantusage"


def month_period(month: str) -> Period | None:
    """"YYYY-MM" as the whole calendar month (UTC); None for anything else."""
    try:
        first = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC).date()
    except ValueError:
        return None
    return Period(first, date(first.year, first.month,
                              calendar.monthrange(first.year, first.month)[1]))


@admin.register(TenantUsage)
class TenantUsageAdmin(OperatorOnlyAdmin):
    list_display = ("slug", "name", "status")
    search_fields = ("slug", "name")
    change_list_template = "admin/usage/tenantusage/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        own = [path("export/", operator_view(self.admin_site, PERMISSION, self.export_view),
                    name="usage_platform_export")]
        return own + super().get_urls()

    def export_view(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        this_month = datetime.now(UTC).strftime("%Y-%m")
        if request.method != "POST":
            return render(request, "admin/usage/export.html", {
                "title": "Export usage of every tenant", "month": this_month})
        period = month_period(request.POST.get("month", ""))
        if period is None:
            return render(request, "admin/usage/export.html", {
                "title": "Export usage of every tenant", "month": this_month,
                "error": "Give a month as YYYY-MM."}, status=400)
        response = HttpResponse(exports.platform_csv(period, request.user),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (f'attachment; filename="sanoweb-usage-'
                                           f'{period.first:%Y-%m}.csv"')
        return response
