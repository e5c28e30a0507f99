"""The one base for tenant API endpoints: scoping that a subclass cannot forget.

Like PostHog's TeamAndOrgViewSetMixin, subclasses may not override get_queryset / get_object /
get_permissions (the check runs at class creation); they name a `scoped_model` and get its
fail-closed manager. A wrong-tenant id is a 404 because the queryset never contains it.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any, ClassVar

from django.contrib.auth.models import User
from django.db import models
from rest_framework import permissions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .access import record_page_view
from .grants import TenantGrant
from .models import Membership
from .scoping import tenant_scope


class AuthenticatedRequest(Request):
    """For annotations only (never instantiated): a request that got past `HasTenantRole`,
    whose user is signed in, so `request.user` is a `User`."""

    user: User


PROTECTED = ("get_queryset", "get_object", "get_permissions")


class HasTenantRole(permissions.BasePermission):
    """An authenticated member of the request's tenant whose role grants the view's role."""

    message = "Your role in this tenant does not allow this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        membership: Membership | None = getattr(request._request, "membership", None)
        if membership is None or not request.user.is_authenticated:
            return False
        role = getattr(view, "required_roles", {}).get(getattr(view, "action", None),
                                                        getattr(view, "required_role", ""))
        return bool(role) and membership.grants(role)


class TenantScopedViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    scoped_model: ClassVar[type[models.Model]]
    required_role: ClassVar[str]
    required_roles: ClassVar[dict[str, str]] = {}  # per action, overriding required_role
    lookup_value_converter = "uuid"  # tenant-owned ids are uuids; anything else is a 404

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in PROTECTED:
            if name in cls.__dict__:
                raise TypeError(f"{cls.__name__} may not override {name}; use scoped_queryset().")

    def scoped_queryset(self) -> models.QuerySet[Any]:
        return self.scoped_model.objects.all()  # type: ignore[attr-defined, no-any-return]

    def get_queryset(self) -> models.QuerySet[Any]:
        return self.scoped_queryset()

    def get_permissions(self) -> list[permissions.BasePermission]:
        return [permissions.IsAuthenticated(), HasTenantRole()]

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # A key's tenant scope (perform_authentication) ends with the request, however it
        # ends: an exception that escapes DRF's handler closes it too.
        with ExitStack() as self._request_scope:
            return super().dispatch(request, *args, **kwargs)

    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)
        grant = request.auth
        if isinstance(grant, TenantGrant):
            request._request.membership = grant.membership  # type: ignore[attr-defined]
            request._request.tenant = grant.membership.tenant  # type: ignore[attr-defined]
            self._request_scope.enter_context(tenant_scope(grant.membership.tenant))

    def finalize_response(self, request: Request, response: Response, *args: Any,
                          **kwargs: Any) -> Response:
        # A tenant's rows shown to a GET are in its chain, as for the pages (access).
        response = super().finalize_response(request, response, *args, **kwargs)
        record_page_view(request, response, kwargs.get(self.lookup_url_kwarg or
                                                       self.lookup_field))
        return response
