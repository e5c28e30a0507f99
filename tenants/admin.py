"""Django admin for platform operators: tenants, memberships, users, the signing key.

Tenant-owned rows are not browsable here (they need a tenant scope). Exports, purges and
certificates are offboarding's (offboarding.admin adds them, and the tenant page's export and
purge links, on top of TenantAdmin).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeGuard

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from . import audit, services, signing
from .access import AuthenticatedHttpRequest
from .models import Membership, Tenant


def is_operator(request: HttpRequest, permission: str) -> TypeGuard[AuthenticatedHttpRequest]:
    """Exports, purges and certificates are for superusers holding the permission: a staff
    account, even one granted the permission, is refused (superusers hold every permission,
    so the permission is what a narrower operator role would later be given). True means a
    signed-in user, so the type checker then knows `request.user` is a `User`."""
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


# ModelAdmin, UserAdmin and UserChangeForm are generic only in django-stubs: they have no
# __class_getitem__ at run time, so the type argument cannot be written (hence the type:
# ignores in this module).
class OperatorOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
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
class TenantAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display: tuple[str, ...] = ("slug", "name", "status", "deletion_sla_days")
    list_filter = ("status",)
    search_fields = ("slug", "name")
    readonly_fields = ("status",)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("signing-key/", operator_view(self.admin_site, "tenants.view_tenant",
                                               self.key_view), name="signing_key"),
        ]
        return own + super().get_urls()

    def key_view(self, request: HttpRequest) -> HttpResponse:
        return render(request, "admin/tenants/signing_key.html", {
            "title": "Platform signing key", "pem": signing.public_key_pem()})


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
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
        assert cleaned is not None  # BaseForm.clean returns cleaned_data; the stubs allow None
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
