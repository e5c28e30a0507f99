"""API keys for tenant admins: list them, create one (in a signed-in session only, where MFA
applies: a key never mints another key) and revoke one. Through the REST API's scoped
viewset base; ApiKey is a global table, so the explicit tenant filter is the scope."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from tenants.api import AuthenticatedRequest, TenantScopedViewSet
from tenants.grants import TenantGrant
from tenants.models import Role
from tenants.scoping import current_tenant

from . import services
from .models import ApiKey


class ApiKeySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    created_by = serializers.CharField(source="created_by.email", read_only=True)

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "created_by", "created_at", "expires_at",
                  "last_used_at", "revoked_at", "revoked_reason"]
        read_only_fields = [f for f in fields if f != "name"]


class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """The team's API keys. POST creates one and answers its secret once (`secret`); POST
    .../revoke/ revokes one. Both are audited."""

    scoped_model = ApiKey
    serializer_class = ApiKeySerializer
    required_role = Role.TENANT_ADMIN

    def scoped_queryset(self) -> Any:
        return ApiKey.objects.filter(tenant=current_tenant()).select_related("created_by")

    def create(self, request: AuthenticatedRequest) -> Response:
        if isinstance(request.auth, TenantGrant):
            raise PermissionDenied("API keys are created in a signed-in session, not with "
                                   "another key.")
        payload = ApiKeySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        new = services.create_key(current_tenant(), payload.validated_data["name"],
                                  request.user)
        return Response({**ApiKeySerializer(new.key).data, "secret": new.secret},
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def revoke(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        key = self.get_object()
        services.revoke_key(key, request.user)
        key.refresh_from_db()
        return Response(ApiKeySerializer(key).data)
