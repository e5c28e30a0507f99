"""Who may act for which tenant, and the view guards built on it.

A wrong-tenant object is answered exactly like a missing one (404, see `get_scoped_or_404`);
a right-tenant page the role does not grant is 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect

from .models import Membership, Tenant

SESSION_KEY = "sanoweb_tenant_id"
M = TypeVar("M", bound=models.Model)
View = Callable[..., HttpResponseBase]  # a streamed answer is a StreamingHttpResponse


class AuthenticatedHttpRequest(HttpRequest):
    """For annotations only (never instantiated): a request whose user is signed in (an admin
    view behind the site's login), so `request.user` is a `User`."""

    user: User


class MemberRequest(AuthenticatedHttpRequest):
    """For annotations only: the request a view under `tenant_role_required` receives, a
    signed-in member's, with the membership and tenant that TenantMiddleware set."""

    membership: Membership
    tenant: Tenant


def active_memberships(user: Any) -> models.QuerySet[Membership]:
    """The user's memberships of active tenants; none at all for a platform operator, so that
    a membership row inserted by hand still gives a superuser or staff account no tenant."""
    if getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
        return Membership.objects.none()
    return Membership.objects.filter(user=user, tenant__status=Tenant.Status.ACTIVE).select_related(
        "tenant"
    )


def resolve_membership(request: HttpRequest) -> Membership | None:
    """The membership chosen in the session; the only one when the user has just one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    memberships = active_memberships(user)
    chosen = request.session.get(SESSION_KEY)
    if chosen:
        membership = memberships.filter(tenant_id=chosen).first()
        if membership is not None:
            return membership
        request.session.pop(SESSION_KEY, None)  # suspended or removed since it was chosen
    only = list(memberships[:2])
    if len(only) == 1:
        request.session[SESSION_KEY] = str(only[0].tenant_id)
        return only[0]
    return None


def choose_tenant(request: HttpRequest, slug: str) -> Membership:
    """Switch the session to `slug`; 404 when the user is not an active member of it."""
    membership = active_memberships(request.user).filter(tenant__slug=slug).first()
    if membership is None:
        raise Http404("No such tenant.")
    request.session[SESSION_KEY] = str(membership.tenant_id)
    return membership


def tenant_role_required(role: str) -> Callable[[View], View]:
    """Login, an active tenant, and a membership that grants `role`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership: Membership | None = getattr(request, "membership", None)
            if membership is None:
                return redirect("choose_tenant")
            if not membership.grants(role):
                raise PermissionDenied("Your role in this tenant does not include this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def record_page_view(request: HttpRequest, response: HttpResponseBase,
                     object_id: object = None) -> None:
    """A tenant page shown (a 200 to a GET) is in the tenant's chain: which page and which
    object, by name and id only, never the text it showed."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or request.method != "GET" or response.status_code != 200:
        return
    from . import audit

    match = request.resolver_match
    payload: dict[str, str] = {"view": match.view_name if match else request.path}
    if object_id is not None:
        payload["object_id"] = str(object_id)
    audit.append(tenant, audit.Action.PAGE_VIEWED, actor=audit.actor_for_user(request.user),
                 payload=payload)


def audited_page_view(view: View) -> View:
    """For views that show a tenant's text; put it under tenant_role_required, so that only
    pages actually shown are recorded."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        record_page_view(request, response, kwargs.get("pk"))
        return response

    return wrapped


def get_scoped_or_404(model: type[M], **lookup: Any) -> M:
    """Fetch a tenant-owned object through the scoped manager: missing or not yours, 404."""
    try:
        return model.objects.get(**lookup)  # type: ignore[attr-defined, no-any-return]
    except (model.DoesNotExist, ValueError, TypeError,  # type: ignore[attr-defined]
            ValidationError) as exc:
        raise Http404("No such object.") from exc
