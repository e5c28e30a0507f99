"""Admin for offboarding: a tenant's export and purge pages, export requests (downloadable
once), two-person purges and deletion certificates. Superuser operators only."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from tenants.access import AuthenticatedHttpRequest
from tenants.admin import OperatorOnlyAdmin, TenantAdmin, is_operator, operator_view
from tenants.models import DeletionCertificate, ExportRequest, Membership, PurgeRequest, Tenant

from . import export, purge

admin.site.unregister(Tenant)


@admin.register(Tenant)
class OffboardingTenantAdmin(TenantAdmin):
    """The tenant page with its export and purge links (same URL names as before the move)."""

    list_display: tuple[str, ...] = ("slug", "name", "status", "deletion_sla_days",
                                     "purge_deadline", "actions_links")

    @admin.display(description="pending purge: SLA")
    def purge_deadline(self, tenant: Tenant) -> str:
        open_purge = tenant.purge_requests.exclude(status=PurgeRequest.Status.DONE).first()
        if open_purge is None:
            return "—"
        left = open_purge.deadline - timezone.now()
        return f"{open_purge.status}, {max(left.days, 0)} days left" if left.total_seconds() > 0 \
            else f"{open_purge.status}, OVERDUE"

    @admin.display(description="")
    def actions_links(self, tenant: Tenant) -> str:
        if tenant.status in (Tenant.Status.PURGING, Tenant.Status.PURGED):
            return str(tenant.status)
        return format_html('<a href="{}">Export</a> · <a href="{}">Request purge</a>',
                           reverse("admin:tenant_export", args=[tenant.pk]),
                           reverse("admin:tenant_purge", args=[tenant.pk]))

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("<uuid:pk>/export/", operator_view(self.admin_site, "tenants.add_exportrequest",
                                                    self.export_view), name="tenant_export"),
            path("<uuid:pk>/purge/", operator_view(self.admin_site, "tenants.add_purgerequest",
                                                   self.purge_view), name="tenant_purge"),
        ]
        return own + super().get_urls()

    def export_view(self, request: HttpRequest, pk: str) -> HttpResponse:
        tenant = get_object_or_404(Tenant, pk=pk)
        if request.method != "POST":
            return render(request, "admin/tenants/export.html", {"tenant": tenant,
                                                                  "title": "Export tenant"})
        try:
            export.request_export(tenant, request.user)
        except export.ExportRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Export requested; it is built in the background.")
        return redirect("admin:tenants_exportrequest_changelist")

    def purge_view(self, request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
        # behind operator_view: a signed-in superuser
        tenant = get_object_or_404(Tenant, pk=pk)
        if request.method == "POST":
            try:
                purge.request_purge(tenant, request.user, request.POST.get("reason", ""))
            except purge.PurgeError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Purge requested; another operator must approve it.")
                return redirect("admin:tenants_purgerequest_changelist")
        return render(request, "admin/tenants/purge.html", {
            "tenant": tenant, "title": f"Request purge of {tenant.slug}",
            "members": Membership.objects.filter(tenant=tenant).count()})


@admin.action(description="Approve the selected purge requests (you did not request them)")
def approve(modeladmin: admin.ModelAdmin[PurgeRequest], request: HttpRequest,
            queryset: QuerySet[Any]) -> None:
    if not is_operator(request, "tenants.change_purgerequest"):
        raise PermissionDenied("Platform operators (superusers) only.")
    for item in queryset:
        try:
            purge.approve_purge(item, request.user)
        except purge.PurgeError as exc:
            modeladmin.message_user(request, f"{item}: {exc}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{item.tenant} suspended; purge started.")


@admin.register(PurgeRequest)
class PurgeRequestAdmin(OperatorOnlyAdmin):
    list_display = ("tenant", "status", "requested_by", "approved_by", "deadline",
                    "steps", "certificate_link")
    readonly_fields = [f.name for f in PurgeRequest._meta.fields]
    actions = [approve]

    @admin.display(description="steps done")
    def steps(self, item: PurgeRequest) -> str:
        return ", ".join(item.steps_done) or "—"

    @admin.display(description="certificate")
    def certificate_link(self, item: PurgeRequest) -> str:
        certificate = DeletionCertificate.objects.filter(purge=item).first()
        if certificate is None:
            return "—"
        return format_html('<a class="certificate" href="{}">download</a>',
                           reverse("admin:certificate_download", args=[certificate.pk]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # requested from the tenant page

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DeletionCertificate)
class DeletionCertificateAdmin(OperatorOnlyAdmin):
    list_display = ("purge", "created_at")
    readonly_fields = ("purge", "body", "signature", "public_key", "created_at")

    def get_urls(self) -> list[URLPattern]:
        return [path("<int:pk>/download/",
                     operator_view(self.admin_site, "tenants.view_deletioncertificate",
                                   self.download),
                     name="certificate_download"), *super().get_urls()]

    def download(self, request: HttpRequest, pk: int) -> HttpResponse:
        certificate = get_object_or_404(DeletionCertificate, pk=pk)
        response = HttpResponse(json.dumps(purge.certificate_document(certificate), indent=2),
                                content_type="application/json")
        response["Content-Disposition"] = (
            f'attachment; filename="deletion-certificate-{certificate.purge.tenant_id}.json"')
        return response

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ExportRequest)
class ExportRequestAdmin(OperatorOnlyAdmin):
    list_display = ("tenant", "status", "progress", "requested_by", "created_at", "expires_at",
                    "download_link")
    readonly_fields = [f.name for f in ExportRequest._meta.fields]

    @admin.display(description="download (once)")
    def download_link(self, item: ExportRequest) -> str:
        if item.status != ExportRequest.Status.READY:
            return "—"
        return format_html('<a class="export-download" href="{}">download</a>',
                           reverse("admin:export_download", args=[item.public_id]))

    def get_urls(self) -> list[URLPattern]:
        # By public_id only: an integer key (or anything but a UUID) finds nothing, a 404.
        return [path("<str:public_id>/download/",
                     operator_view(self.admin_site, "tenants.download_exportrequest",
                                   self.download),
                     name="export_download"), *super().get_urls()]

    def download(self, request: HttpRequest, public_id: str) -> HttpResponse:
        try:
            item = get_object_or_404(ExportRequest, public_id=public_id)
        except ValidationError as exc:  # not a UUID
            raise Http404("No such export.") from exc
        try:
            data = export.take_download(item, request.user)
        except export.ExportForbidden as exc:
            return HttpResponse(str(exc), status=403, content_type="text/plain")
        except export.ExportUnavailable as exc:
            return HttpResponse(str(exc), status=410, content_type="text/plain")
        response = HttpResponse(data, content_type="application/zip")
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        response["Content-Disposition"] = (
            f'attachment; filename="{item.tenant.slug}-{stamp}.zip"')
        return response

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # requested from the tenant page
