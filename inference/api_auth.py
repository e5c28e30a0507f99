"""Tenant API keys on the REST API (`Authorization: Bearer sk-sano-…`), beside sessions.

A key acts as the member who created it, with that member's role in the key's tenant as it
is now: a key never grants more than its creator holds, and it stops working when the creator
leaves or loses the admin role (inference.signals revokes it then). The tenant comes from the
key alone; tenants.api enters its scope, so the viewsets stay fail-closed as for sessions.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from tenants.grants import TenantGrant
from tenants.models import Membership

from . import services


class TenantKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, TenantGrant] | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None  # a session, or nobody
        if getattr(request._request, "membership", None) is not None:
            raise AuthenticationFailed("Send either a session or an API key, not both.")
        key = services.authenticate(token.strip())
        if key is None:
            raise AuthenticationFailed("The API key is not valid (unknown, revoked or "
                                       "expired).")
        if not key.tenant.is_active:
            raise AuthenticationFailed("This team's account is suspended.")
        membership = (Membership.objects.select_related("tenant", "user")
                      .filter(tenant=key.tenant, user=key.created_by,
                              user__is_active=True).first())
        if membership is None:
            raise AuthenticationFailed("The member who created this key is no longer in "
                                       "the team.")
        return membership.user, TenantGrant(membership, actor=f"apikey:{key.prefix}")

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="sanoweb"'


class TenantKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The key in the OpenAPI schema: HTTP bearer."""

    target_class = TenantKeyAuthentication
    name = "tenantApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer",
                "description": "A tenant API key (sk-sano-…); it acts as the member who "
                               "created it, with that member's role."}
