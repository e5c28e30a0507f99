"""Training runs, the adapter versions they produce, and each tenant's pinned adapter."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q

from curation.models import TrainingSet
from tenants.models import TenantOwned

if TYPE_CHECKING:
    from tenants.adapter_export import AdapterFacts


class BaseModel(models.Model):
    """A prepared base model directory (platform-wide; on the global allow-list)."""

    name = models.CharField(max_length=200)
    path = models.CharField(max_length=500)
    revision = models.CharField(max_length=64, unique=True, help_text="sha256 of its files")
    # Written into adapter configs instead of `path` (a directory on our host means nothing to
    # a customer); blank when unknown, and then the config says null.
    public_id = models.CharField(max_length=200, blank=True,
                                 help_text="public Hugging Face id, e.g. owner/name")
    converted_from = models.JSONField(default=dict, blank=True,
                                      help_text="the file it was converted from: name, sha256")
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name}@{self.revision[:12]}"


class RunState(models.TextChoices):
    VALIDATING = "validating"
    QUEUED = "queued"
    RUNNING = "running"
    UPLOADING = "uploading"
    SUCCEEDED = "succeeded"
    FAILED_USER = "failed_user"
    FAILED_SYSTEM = "failed_system"
    CANCEL_REQUESTED = "cancel_requested"
    CANCELLED = "cancelled"


TERMINAL_STATES = frozenset({RunState.SUCCEEDED, RunState.FAILED_USER, RunState.FAILED_SYSTEM,
                             RunState.CANCELLED})
# Sorted, so the constraint below reads the same to makemigrations on every run.
UNFINISHED_STATES = tuple(sorted(set(RunState) - TERMINAL_STATES))


class TrainingRun(TenantOwned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    training_set = models.ForeignKey(TrainingSet, on_delete=models.PROTECT, related_name="runs")
    base_revision = models.CharField(max_length=64)
    hyperparameters = models.JSONField(default=dict)
    state = models.CharField(max_length=20, choices=RunState.choices,
                             default=RunState.VALIDATING)
    step = models.PositiveIntegerField(default=0)
    total_steps = models.PositiveIntegerField(default=0)
    loss_history = models.JSONField(default=list, blank=True)  # [{"step", "loss", "eval_loss"}]
    metrics = models.JSONField(default=dict, blank=True)
    worker_host = models.CharField(max_length=200, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A double click or two tabs must not queue the same snapshot twice; the database
            # keeps this even when two requests check at the same moment (services.start_run).
            models.UniqueConstraint(fields=["training_set"],
                                    condition=Q(state__in=UNFINISHED_STATES),
                                    name="one_unfinished_run_per_training_set"),
        ]

    def __str__(self) -> str:
        return f"run {self.id} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def progress_percent(self) -> int:
        return int(100 * self.step / self.total_steps) if self.total_steps else 0


class LoadCheck(models.TextChoices):
    """The serving engine's load-time check of an adapter (inference.load_probe)."""

    UNCHECKED = "unchecked"
    PASSED = "passed"
    REFUSED = "refused", "refused: not servable"


class AdapterVersion(TenantOwned):
    """A verified LoRA adapter in tenant storage. One per run, so re-delivery cannot add two."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.OneToOneField(TrainingRun, on_delete=models.PROTECT, related_name="adapter")
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField()
    storage_prefix = models.CharField(max_length=300)
    files = models.JSONField(help_text="file name -> sha256")
    base_revision = models.CharField(max_length=64)
    rank = models.PositiveSmallIntegerField()
    # Set by the engine's load-time check, the first time the adapter is put into service; a
    # refused adapter is never served (the reason says why: no effect, another base).
    load_check = models.CharField(max_length=16, choices=LoadCheck.choices,
                                  default=LoadCheck.UNCHECKED)
    load_check_reason = models.CharField(max_length=200, blank=True)
    load_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.serving_name

    @property
    def servable(self) -> bool:
        return self.load_check != LoadCheck.REFUSED

    @property
    def serving_name(self) -> str:
        """Derived from content, so a retrain is always a new name on the serving engine."""
        return f"t{self.tenant_id.hex}-{self.sha256[:16]}"

    @property
    def model_pin(self) -> str:
        return f"adapter:{self.sha256}@base:{self.base_revision}"

    @classmethod
    def exported_adapters(cls) -> list[AdapterFacts]:
        """The export's hook (tenants.adapter_export): facts and portable files per version."""
        from .export_facts import exported_adapters

        return exported_adapters()


class PinnedAdapter(TenantOwned):
    """The adapter a tenant's inference uses (one row per tenant; absent = none yet)."""

    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.PROTECT, primary_key=True,
                                  editable=False)
    adapter = models.ForeignKey(AdapterVersion, on_delete=models.PROTECT, related_name="+")
    pinned_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"pinned {self.adapter}"


class RetrainPolicy(TenantOwned):
    """A tenant's continuous retraining (training.retrain): freeze and train by itself once
    enough newly approved training examples wait (absent row or empty field: the setting)."""

    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.PROTECT, primary_key=True,
                                  editable=False)
    retrain_after_approvals = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="New approved training examples that start a retrain; empty: "
                  "RETRAIN_AFTER_APPROVALS; 0: never by itself.")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    last_triggered_at = models.DateTimeField(null=True, blank=True)
    # Why the last due check did not retrain, so a freeze blocked for hours is audited once.
    last_skip_reason = models.CharField(max_length=40, blank=True)
    # The promotion gate (training.promotion): how much lower, as a fraction of the pinned
    # adapter's eval loss, a candidate's must be; empty: PROMOTION_MIN_LOSS_GAIN.
    min_eval_loss_gain = models.FloatField(
        null=True, blank=True,
        help_text="Fraction by which a new adapter's eval loss must beat the pinned one's; "
                  "empty: PROMOTION_MIN_LOSS_GAIN.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"retrain after {self.retrain_after_approvals} approvals"


class EvaluationState(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Decision(models.TextChoices):
    """What the promotion gate made of an evaluated adapter."""

    PENDING = "pending", "pending"
    PROMOTED = "promoted", "promoted"  # it beat the pinned adapter and is pinned now
    KEPT = "kept", "kept as a candidate"  # it did not beat the pinned one (the reason says how)
    FIRST = "first", "first adapter"  # pinned at registration: there was nothing to beat
    REFUSED = "refused", "refused at load"  # the load-time check refused it
    NOT_DECIDED = "not_decided", "no decision"  # the evaluation failed: the pin did not move


class AdapterEvaluation(TenantOwned):
    """One evaluation of an adapter version on its training set's held-out split, through the
    serving engine, side by side with the adapter pinned when it ran and with the base model.

    `results` maps "candidate", "pinned" (absent without one) and "base" to their metrics:
    eval_loss (mean negative log-likelihood per answer token), must_say_pass_rate, checks,
    answer_words and similarity (ROUGE-L F1 to the approved answers). `samples` holds the
    first held-out prompts with each model's answer ("what changed")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    adapter = models.OneToOneField(AdapterVersion, on_delete=models.PROTECT,
                                   related_name="evaluation")
    compared_to = models.ForeignKey(AdapterVersion, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=EvaluationState.choices,
                             default=EvaluationState.QUEUED)
    examples = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=dict, blank=True)
    samples = models.JSONField(default=list, blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices,
                                default=Decision.PENDING)
    reason = models.CharField(max_length=300, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    error_code = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"evaluation of {self.adapter_id} ({self.state}, {self.decision})"
