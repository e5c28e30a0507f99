"""Knowledge API: the same rules as the pages, through the tenant-scoped viewset base."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from tenants.api import AuthenticatedRequest, TenantScopedViewSet
from tenants.models import Role

from . import ingest
from .models import Document, DocumentVersion


class VersionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    progress = serializers.IntegerField(source="progress_percent", read_only=True)

    class Meta:
        model = DocumentVersion
        fields = ["id", "document", "number", "original_filename", "content_type", "sha256",
                  "size_bytes", "status", "chunks_done", "chunks_total", "progress", "error",
                  "phi_findings", "cleared_at", "created_at", "ready_at"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    versions = VersionSerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = ["id", "name", "created_at", "versions"]
        read_only_fields = fields


class UploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """multipart/form-data: a name (the document a new version belongs to) and the file."""

    name = serializers.CharField(max_length=ingest.MAX_NAME)
    file = serializers.FileField()


class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """List and retrieve documents; upload a new version (create); delete one (destroy)."""

    scoped_model = Document
    serializer_class = DocumentSerializer
    required_role = Role.TENANT_ADMIN

    def scoped_queryset(self) -> Any:
        return super().scoped_queryset().prefetch_related("versions")

    def create(self, request: AuthenticatedRequest) -> Response:
        payload = UploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        try:
            version = ingest.upload_version(request.user, payload.validated_data["name"],
                                            upload.name or "", upload.read())
        except ingest.KnowledgeError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        ingest.delete_document(self.get_object(), request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """Versions with status, progress and PHI findings; clear a blocked one's findings."""

    scoped_model = DocumentVersion
    serializer_class = VersionSerializer
    required_role = Role.TENANT_ADMIN

    @action(detail=True, methods=["post"])
    def clear(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        try:
            version = ingest.clear_findings(self.get_object(), request.user)
        except ingest.KnowledgeError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(VersionSerializer(version).data)
