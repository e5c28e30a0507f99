"""Django admin for platform operators: tenants, exports, two-person purges, certificates.

Tenant-owned rows are not browsable here (they need a tenant scope); operators act on whole
tenants through the services in tenants.export and tenants.purge.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from . import audit, export, purge, services, signing
from .models import DeletionCertificate, ExportRequest, Membership, PurgeRequest, Tenant


def is_operator(request: HttpRequest, permission: str) -> bool:
    """Exports, purges and certificates are for superusers holding the permission: a staff
    account, even one granted the permission, is refused (superusers hold every permission,
    so the permission is what a narrower operator role would later be given)."""
    user: Any = request.user
    return bool(user.is_active and user.is_superuser and user.has_perm(permission))


def operator_view(site: admin.AdminSite, permission: str,
                  view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An admin view (login and staff checked by the site) that also requires is_operator."""
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_operator(request, permission):
            raise PermissionDenied("Platform operators (superusers) only.")
        return view(request, *args, **kwargs)

    return site.admin_view(guarded)


class OperatorOnlyAdmin(admin.ModelAdmin):
    """The model's admin pages (list, detail, actions) are for superusers only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False)) and \
            super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False)) and \
            super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False)) and \
            super().has_change_permission(request, obj)


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "status", "deletion_sla_days", "purge_deadline",
                    "actions_links")
    list_filter = ("status",)
    search_fields = ("slug", "name")
    readonly_fields = ("status",)

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
        if tenant.status == Tenant.Status.PURGED:
            return "purged"
        return format_html('<a href="{}">Export</a> · <a href="{}">Request purge</a>',
                           reverse("admin:tenant_export", args=[tenant.pk]),
                           reverse("admin:tenant_purge", args=[tenant.pk]))

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("<uuid:pk>/export/", operator_view(self.admin_site, "tenants.add_exportrequest",
                                                    self.export_view), name="tenant_export"),
            path("<uuid:pk>/purge/", operator_view(self.admin_site, "tenants.add_purgerequest",
                                                   self.purge_view), name="tenant_purge"),
            path("signing-key/", operator_view(self.admin_site, "tenants.view_tenant",
                                               self.key_view), name="signing_key"),
        ]
        return own + super().get_urls()

    def export_view(self, request: HttpRequest, pk: str) -> HttpResponse:
        tenant = get_object_or_404(Tenant, pk=pk)
        if request.method != "POST":
            return render(request, "admin/tenants/export.html", {"tenant": tenant,
                                                                  "title": "Export tenant"})
        export.request_export(tenant, request.user)
        messages.success(request, "Export requested; it is built in the background.")
        return redirect("admin:tenants_exportrequest_changelist")

    def purge_view(self, request: HttpRequest, pk: str) -> HttpResponse:
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

    def key_view(self, request: HttpRequest) -> HttpResponse:
        return render(request, "admin/tenants/signing_key.html", {
            "title": "Platform signing key", "pem": signing.public_key_pem()})


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Read-only: members and roles change through the audited services (the tenant admins'
    Members page), never silently here. Also blocks deleting a member's user or a tenant from
    the admin, since the cascade would remove memberships unaudited."""

    list_display = ("user", "tenant", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "tenant__slug")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


User = get_user_model()
admin.site.unregister(User)


# Account fields whose change by an operator a tenant must be able to see (names only).
AUDITED_ACCOUNT_FIELDS = ("username", "email", "first_name", "last_name", "is_active",
                          "is_staff", "is_superuser", "groups", "user_permissions")


class MemberAwareUserChangeForm(UserChangeForm):  # type: ignore[type-arg]
    """Operators are never members: a tenant member cannot be made staff or superuser here
    (remove their memberships first, through the tenant's own admins)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        promoted = cleaned.get("is_staff") or cleaned.get("is_superuser")
        if promoted and self.instance.pk and Membership.objects.filter(
                user_id=self.instance.pk).exists():
            raise ValidationError("This account is a member of a tenant; operators are never "
                                  "members. Remove its memberships before making it staff.")
        return cleaned


@admin.register(User)
class AuditedUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """An operator setting a tenant member's password is recorded in each of the member's
    tenants' chains, in the transaction that changes it: an operator could otherwise log in
    as a clinician and read the tenant's text without a trace. So is any change of the
    account's name, e-mail, active or staff flags, groups or permissions (field names only)."""

    form = MemberAwareUserChangeForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = sorted(set(form.changed_data) & set(AUDITED_ACCOUNT_FIELDS))
        if change and changed:
            services.audit_member_event(obj, audit.Action.MEMBER_ACCOUNT_CHANGED_BY_OPERATOR,
                                        actor=audit.actor_for_user(request.user),
                                        payload={"fields": changed})

    def user_change_password(self, request: HttpRequest, id: str,
                             form_url: str = "") -> HttpResponse:
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            # The view redirects only once the form has saved the new password.
            if request.method == "POST" and response.status_code == 302:
                target = User.objects.filter(pk=id).first()
                if target is not None:
                    services.audit_member_event(target,
                                                audit.Action.MEMBER_PASSWORD_SET_BY_OPERATOR,
                                                actor=audit.actor_for_user(request.user))
        return response


@admin.action(description="Approve the selected purge requests (you did not request them)")
def approve(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> None:
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
