"""Training API for tenant admins: runs (start, status, cancel), adapter versions (what made
each, its evaluation, which one serves; promote or roll back, evaluate again) and the
retraining and promotion policy. The same services and rules as the pages; a session or a
tenant API key (inference.api_auth) authenticates."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from curation.models import TrainingSet
from tenants.api import AuthenticatedRequest, TenantScopedViewSet
from tenants.models import Role

from . import promotion, retrain, services
from .models import AdapterEvaluation, AdapterVersion, PinnedAdapter, RetrainPolicy, TrainingRun


class TrainingRunSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    training_set_version = serializers.IntegerField(source="training_set.version",
                                                    read_only=True)
    progress_percent = serializers.IntegerField(read_only=True)
    adapter = serializers.SerializerMethodField()

    class Meta:
        model = TrainingRun
        fields = ["id", "training_set", "training_set_version", "state", "step", "total_steps",
                  "progress_percent", "hyperparameters", "loss_history", "metrics",
                  "error_code", "error_message", "adapter", "created_at", "started_at",
                  "finished_at"]
        read_only_fields = fields

    def get_adapter(self, run: TrainingRun) -> str | None:
        adapter = AdapterVersion.objects.filter(run=run).values_list("pk", flat=True).first()
        return str(adapter) if adapter else None


class StartRunSerializer(serializers.Serializer):  # type: ignore[type-arg]
    training_set = serializers.UUIDField()
    hyperparameters = serializers.DictField(required=False, default=dict)


class EvaluationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = AdapterEvaluation
        fields = ["state", "decision", "reason", "compared_to", "examples", "results",
                  "error_code", "created_at", "finished_at"]
        read_only_fields = fields


class AdapterSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    version = serializers.SerializerMethodField()
    serving = serializers.SerializerMethodField()
    training_set = serializers.UUIDField(source="run.training_set_id", read_only=True)
    evaluation = serializers.SerializerMethodField()

    class Meta:
        model = AdapterVersion
        fields = ["id", "version", "serving", "serving_name", "sha256", "base_revision", "rank",
                  "size_bytes", "run", "training_set", "load_check", "load_check_reason",
                  "evaluation", "created_at"]
        read_only_fields = fields

    def get_version(self, adapter: AdapterVersion) -> int:
        return int(self.context["numbers"][adapter.pk])

    def get_serving(self, adapter: AdapterVersion) -> bool:
        return bool(adapter.pk == self.context["pinned_id"])

    def get_evaluation(self, adapter: AdapterVersion) -> dict[str, Any] | None:
        found = self.context["evaluations"].get(adapter.pk)
        if found is None:
            return None
        data: dict[str, Any] = EvaluationSerializer(found).data
        if self.context.get("samples"):
            data["samples"] = found.samples
        return data


class PolicySerializer(serializers.Serializer):  # type: ignore[type-arg]
    retrain_after_approvals = serializers.IntegerField(required=False, allow_null=True,
                                                       min_value=0, max_value=100_000)
    min_eval_loss_gain = serializers.FloatField(required=False, allow_null=True, min_value=0.0,
                                                max_value=0.9)


def _refused(exc: services.TrainingError) -> ValidationError:
    return ValidationError({"detail": str(exc), "code": exc.code})


class TrainingRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """Training runs: POST starts one from a frozen training set (the run's id is in the
    answer); GET one for its live status, steps and losses; POST .../cancel/ stops it."""

    scoped_model = TrainingRun
    serializer_class = TrainingRunSerializer
    required_role = Role.TENANT_ADMIN

    def scoped_queryset(self) -> Any:
        return super().scoped_queryset().select_related("training_set")

    def create(self, request: AuthenticatedRequest) -> Response:
        payload = StartRunSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        snapshot = TrainingSet.objects.filter(pk=payload.validated_data["training_set"]).first()
        if snapshot is None:
            raise ValidationError({"training_set": "No such training set in this team."})
        try:
            run = services.start_run(snapshot, request.user,
                                     payload.validated_data["hyperparameters"])
        except services.TrainingError as exc:
            raise _refused(exc) from exc
        code = status.HTTP_201_CREATED if run.state != "failed_user" else status.HTTP_200_OK
        return Response(TrainingRunSerializer(run).data, status=code)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        try:
            run = services.request_cancel(self.get_object(), request.user)
        except services.TrainingError as exc:
            raise _refused(exc) from exc
        return Response(TrainingRunSerializer(run).data)


class AdapterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """Adapter versions, newest first: which run and training set made each, its evaluation
    (and the gate's decision), which one serves. POST .../activate/ promotes a candidate or
    rolls back; POST .../evaluate/ queues a fresh evaluation against the serving one."""

    scoped_model = AdapterVersion
    serializer_class = AdapterSerializer
    required_role = Role.TENANT_ADMIN

    def scoped_queryset(self) -> Any:
        return super().scoped_queryset().select_related("run")

    def get_serializer_context(self) -> dict[str, Any]:
        pin = PinnedAdapter.objects.first()
        return {**super().get_serializer_context(),
                "numbers": services.version_numbers(),
                "evaluations": {e.adapter_id: e for e in AdapterEvaluation.objects.all()},
                "pinned_id": pin.adapter_id if pin else None,
                "samples": self.action == "retrieve"}

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def activate(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        adapter = self.get_object()
        try:
            services.activate(adapter, request.user)
        except services.TrainingError as exc:
            raise _refused(exc) from exc
        return Response(AdapterSerializer(adapter, context=self.get_serializer_context()).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def evaluate(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        adapter = self.get_object()
        running = AdapterEvaluation.objects.filter(adapter=adapter,
                                                   state__in=("queued", "running")).exists()
        if running:
            raise ValidationError({"detail": "This version is being evaluated already."})
        promotion.evaluate_again(adapter, request.user)
        return Response(AdapterSerializer(adapter, context=self.get_serializer_context()).data,
                        status=status.HTTP_202_ACCEPTED)


class PolicyViewSet(TenantScopedViewSet):
    """The team's retraining threshold and promotion margin: GET reads them (with what is in
    force), POST sets either (null: the platform's default)."""

    scoped_model = RetrainPolicy
    serializer_class = PolicySerializer
    required_role = Role.TENANT_ADMIN

    def _current(self) -> dict[str, Any]:
        policy = RetrainPolicy.objects.first()
        return {"retrain_after_approvals": policy.retrain_after_approvals if policy else None,
                "min_eval_loss_gain": policy.min_eval_loss_gain if policy else None,
                "in_force": {"retrain_after_approvals": retrain.threshold(),
                             "min_eval_loss_gain": promotion.min_loss_gain()},
                "new_approved_waiting": retrain.new_approved_count()}

    def list(self, request: AuthenticatedRequest) -> Response:
        return Response(self._current())

    def create(self, request: AuthenticatedRequest) -> Response:
        payload = PolicySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            if "retrain_after_approvals" in data:
                retrain.set_policy(request.user, data["retrain_after_approvals"])
            if "min_eval_loss_gain" in data:
                promotion.set_margin(request.user, data["min_eval_loss_gain"])
        except services.TrainingError as exc:
            raise _refused(exc) from exc
        return Response(self._current())
