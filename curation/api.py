"""Curation API: the same rules as the UI, through the tenant-scoped viewset base."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from tenants.api import AuthenticatedRequest, TenantScopedViewSet
from tenants.models import Role

from . import phi_gate, services
from .models import Conversation, EvalCheck, Example, Message, Review, TrainingSet


class ExampleSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    author = serializers.CharField(source="author.email", read_only=True)

    class Meta:
        model = Example
        fields = ["id", "question", "answer", "source", "status", "split", "author",
                  "redaction_report", "redaction_version", "created_at", "decided_at"]
        read_only_fields = fields


class ProposeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Propose a chat exchange: the id of the model's answer, and optionally a better answer."""

    message = serializers.UUIDField()
    edited_answer = serializers.CharField(required=False, allow_blank=True, max_length=8000)


MAX_IMPORT_BYTES = 10 * 1024 * 1024


class ImportSerializer(serializers.Serializer):  # type: ignore[type-arg]
    file = serializers.FileField(required=False)
    examples = serializers.ListField(child=serializers.DictField(), required=False,
                                     max_length=10_000)


class DecisionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    decision = serializers.ChoiceField(choices=[c for c in Review.Decision.values
                                                if c != Review.Decision.UNDO])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    edited_answer = serializers.CharField(required=False, allow_blank=True, max_length=8000)


class ReviewSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Review
        fields = ["id", "example", "decision", "reason", "edited_text_sha256",
                  "guideline_version", "created_at"]
        read_only_fields = fields


class TrainingSetSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = TrainingSet
        fields = ["id", "version", "sha256", "size_bytes", "example_count", "eval_sha256",
                  "eval_count", "manifest", "created_at"]
        read_only_fields = fields


class EvalCheckSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A "must say" / "must not say" phrase on a held-out example."""

    created_by = serializers.CharField(source="created_by.email", read_only=True)

    class Meta:
        model = EvalCheck
        fields = ["id", "example", "kind", "phrase", "created_by", "created_at"]
        read_only_fields = ["id", "example", "created_by", "created_at"]


class ExampleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """List, retrieve and propose examples; reviewers decide on them."""

    scoped_model = Example
    serializer_class = ExampleSerializer
    required_role = Role.REVIEWER
    required_roles = {"create": Role.CLINICIAN, "import_examples": Role.TENANT_ADMIN}

    def scoped_queryset(self) -> Any:
        queryset = super().scoped_queryset().select_related("author")
        wanted = self.request.query_params.get("status")
        return queryset.filter(status=wanted) if wanted else queryset

    def create(self, request: AuthenticatedRequest) -> Response:
        payload = ProposeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        message = Message.objects.filter(
            pk=payload.validated_data["message"],
            conversation__in=Conversation.objects.filter(created_by=request.user),
        ).first()
        if message is None:
            raise ValidationError({"message": "No such message in your conversations."})
        try:
            example = services.propose_from_exchange(
                message, request.user, payload.validated_data.get("edited_answer", ""))
        except services.CurationError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(ExampleSerializer(example).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], serializer_class=DecisionSerializer)
    def decide(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        example = self.get_object()
        payload = DecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            review = services.decide(example, request.user, data["decision"],
                                     reason=data.get("reason", ""),
                                     edited_answer=data.get("edited_answer", ""))
        except services.FourEyesViolation as exc:
            raise PermissionDenied(str(exc)) from exc
        except services.CurationError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


    @action(detail=False, methods=["post"], url_path="import", serializer_class=ImportSerializer)
    def import_examples(self, request: AuthenticatedRequest) -> Response:
        """Import question/answer pairs for review: a JSONL `file` (multipart) as on the import
        page, or `examples` as a JSON list. All of it, or nothing (errors by line)."""
        payload = ImportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload, pairs = payload.validated_data.get("file"), payload.validated_data.get("examples")
        if (upload is None) == (pairs is None):
            raise ValidationError({"detail": "Send either a JSONL file or an examples list."})
        if upload is not None:
            if upload.size and upload.size > MAX_IMPORT_BYTES:
                raise ValidationError({"file": "The file is larger than 10 MB."})
            data, name = upload.read(), upload.name or ""
        else:
            data = "\n".join(json.dumps(p, ensure_ascii=False) for p in pairs).encode()
            name = "api.jsonl"
        report = services.import_examples(data, name, request.user)
        if report.errors:
            raise ValidationError({"detail": "Nothing was imported.", "errors": report.errors})
        return Response({"created": report.created}, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get", "post"], serializer_class=EvalCheckSerializer)
    def checks(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """The example's evaluation checks; POST adds one (held-out examples only)."""
        example = self.get_object()
        if request.method == "GET":
            return Response(EvalCheckSerializer(example.eval_checks.select_related("created_by"),
                                                many=True).data)
        payload = EvalCheckSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            check = services.add_eval_check(example, request.user,
                                            payload.validated_data["kind"],
                                            payload.validated_data["phrase"])
        except services.CurationError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(EvalCheckSerializer(check).data, status=status.HTTP_201_CREATED)


class TrainingSetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """Frozen training sets; creating one freezes the currently approved examples."""

    scoped_model = TrainingSet
    serializer_class = TrainingSetSerializer
    required_role = Role.TENANT_ADMIN

    def create(self, request: AuthenticatedRequest) -> Response:
        try:
            with transaction.atomic():
                snapshot = services.freeze_training_set(request.user)
        except phi_gate.ResidualPhiBlocked as exc:
            # DRF turns the counts' ints into strings; its stubs allow only text leaves
            detail: dict[str, Any] = {"detail": str(exc), "examples": exc.example_ids,
                                      "counts": exc.counts}
            raise ValidationError(detail) from exc
        except services.CurationError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(TrainingSetSerializer(snapshot).data, status=status.HTTP_201_CREATED)
