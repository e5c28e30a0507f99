"""Curation: redacted conversations, candidate Q&A examples, reviews and frozen training sets.

Every text field here holds redacted text only; raw clinician text never reaches the database
(curation.services redacts before it builds a row).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from tenants.models import TenantOwned


class ImmutableRow(TenantOwned):
    """A row that is written once. PostgreSQL also rejects UPDATE (curation.apps trigger)."""

    immutable = True

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are immutable.")
        super().save(*args, **kwargs)


class CurationSettings(TenantOwned):
    """Per-tenant curation rules."""

    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.PROTECT, primary_key=True, editable=False
    )
    required_approvals = models.PositiveSmallIntegerField(
        default=1, help_text="Distinct reviewers who must approve an example (1 or 2)."
    )
    guideline_version = models.CharField(max_length=40, default="2026-11")

    def __str__(self) -> str:
        return f"curation settings ({self.required_approvals} approvals)"


class Conversation(TenantOwned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title or str(self.id)


class Message(TenantOwned):
    class Role(models.TextChoices):
        USER = "user"
        ASSISTANT = "assistant"

    class Status(models.TextChoices):
        """Only answered turns go back to the model as history."""

        ANSWERED = "answered"  # a question with its answer, or a complete answer
        UNANSWERED = "unanswered", "not answered"  # the model refused or was unavailable
        INTERRUPTED = "interrupted"  # the answer stream was cut before it finished

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    text = models.TextField(help_text="Redacted text.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    model_version = models.CharField(max_length=200, blank=True)
    redaction_counts = models.JSONField(default=dict)
    # the passages an answer was grounded in (knowledge.retrieval.Passage.citation()): names
    # and ids of the team's documents, shown under the answer
    citations = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ANSWERED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.role} message {self.id}"


class ImportBatch(TenantOwned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    filename = models.CharField(max_length=200)
    line_count = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"import {self.filename} ({self.line_count} lines)"


class Split(models.TextChoices):
    """Which part of a tenant's data an approved example belongs to."""

    TRAIN = "train"
    EVAL = "eval", "held-out evaluation"


class Example(TenantOwned):
    """A candidate Q&A for training; its status follows the reviews."""

    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REJECTED = "rejected"

    class Source(models.TextChoices):
        CHAT = "chat"
        IMPORT = "import"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    question = models.TextField(help_text="Redacted.")
    answer = models.TextField(help_text="Redacted; replaced by an approve-with-edit.")
    source = models.CharField(max_length=16, choices=Source.choices)
    source_messages = models.JSONField(default=list, blank=True)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="examples"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    redaction_report = models.JSONField(default=dict)
    redaction_version = models.CharField(max_length=40)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Decided once, at the first approval (curation.eval_split), and never changed: an
    # example that was ever in the held-out split must never be trained on, and the reverse.
    split = models.CharField(max_length=8, choices=Split.choices, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["tenant", "status"])]

    def __str__(self) -> str:
        return f"example {self.id} ({self.status})"


class Review(ImmutableRow):
    """One reviewer decision. Never changed: an undo is a new row that voids an earlier one."""

    class Decision(models.TextChoices):
        APPROVE = "approve"
        APPROVE_EDIT = "approve_edit", "Approve with edit"
        REJECT = "reject"
        UNDO = "undo"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    example = models.ForeignKey(Example, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=16, choices=Decision.choices)
    reason = models.CharField(max_length=500, blank=True)
    edited_text_sha256 = models.CharField(max_length=64, blank=True)
    previous_answer_sha256 = models.CharField(max_length=64, blank=True)
    answer_sha256 = models.CharField(
        max_length=64, blank=True,
        help_text="The answer text this decision was made on: an approval counts only while "
                  "the answer is still that text.")
    voids = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="voided_by"
    )
    guideline_version = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.decision} of {self.example_id}"


class TrainingSet(ImmutableRow):
    """A frozen snapshot of approved examples: a JSONL file in tenant storage plus its hash."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField()
    storage_key = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField()
    example_count = models.PositiveIntegerField(help_text="Training examples (the file above).")
    # The held-out split, frozen beside the training file in a file of its own, so a trainer
    # handed the training file cannot see an evaluation example at all.
    eval_storage_key = models.CharField(max_length=300, blank=True)
    eval_sha256 = models.CharField(max_length=64, blank=True)
    eval_count = models.PositiveIntegerField(default=0)
    manifest = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version"], name="one_version_per_tenant")
        ]

    def __str__(self) -> str:
        return f"training set v{self.version}"


class TrainingSetExample(ImmutableRow):
    """Which examples a snapshot froze: a real relation, so "is this example frozen?" is an
    indexed lookup on every database (the manifest keeps the same list for export)."""

    training_set = models.ForeignKey(TrainingSet, on_delete=models.PROTECT,
                                     related_name="members")
    example = models.ForeignKey(Example, on_delete=models.PROTECT, related_name="frozen_in")
    split = models.CharField(max_length=8, choices=Split.choices, default=Split.TRAIN)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["training_set", "example"],
                                               name="example_once_per_training_set")]

    def __str__(self) -> str:
        return f"{self.example_id} in {self.training_set_id}"


class ExampleRevision(ImmutableRow):
    """A new version of an example's text after a PHI redaction, recorded by hashes only.

    The earlier text is deliberately not kept: it is the text that still held the PHI.
    """

    class Change(models.TextChoices):
        SPAN_REDACTED = "span_redacted", "span redacted by a reviewer"
        PHI_REPORTED = "phi_reported", "re-redacted after a PHI report"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    example = models.ForeignKey(Example, on_delete=models.PROTECT, related_name="revisions")
    version = models.PositiveIntegerField(help_text="The text's version after this change (2+).")
    field = models.CharField(max_length=16)
    change = models.CharField(max_length=16, choices=Change.choices)
    previous_sha256 = models.CharField(max_length=64)
    new_sha256 = models.CharField(max_length=64)
    redacted = models.JSONField(default=dict, help_text="placeholder type -> spans replaced")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["example", "version"]
        constraints = [models.UniqueConstraint(fields=["example", "version", "field"],
                                               name="one_revision_per_example_version_field")]

    def __str__(self) -> str:
        return f"{self.example_id} v{self.version} {self.field}"


class PhiClearance(ImmutableRow):
    """A reviewer's "not PHI" on one residual-scan candidate, keyed by the sha256 of its text,
    so the same words in the same field stay cleared and different words do not."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    example = models.ForeignKey(Example, on_delete=models.PROTECT, related_name="phi_clearances")
    field = models.CharField(max_length=16)
    span_sha256 = models.CharField(max_length=64)
    entity_type = models.CharField(max_length=32)
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["example", "field", "span_sha256", "entity_type"],
            name="one_clearance_per_candidate")]

    def __str__(self) -> str:
        return f"{self.entity_type} cleared in {self.example_id}.{self.field}"


class TrainingSetFlag(ImmutableRow):
    """PHI turned up in an example after this snapshot froze it. The snapshot's file stays as
    it is (snapshots are immutable), but a flagged snapshot can no longer start training."""

    class Reason(models.TextChoices):
        SPAN_REDACTED = "span_redacted", "a reviewer redacted a span"
        PHI_REPORTED = "phi_reported", "PHI was reported"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    training_set = models.ForeignKey(TrainingSet, on_delete=models.PROTECT,
                                     related_name="phi_flags")
    example = models.ForeignKey(Example, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.training_set_id} flagged ({self.reason})"


class EvalCheck(TenantOwned):
    """A reviewer's check on a held-out example: a phrase the answer must contain
    ("must say") or must not contain ("must not say"). Redacted like every other text."""

    class Kind(models.TextChoices):
        MUST_SAY = "must_say", "must say"
        MUST_NOT_SAY = "must_not_say", "must not say"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    example = models.ForeignKey(Example, on_delete=models.PROTECT, related_name="eval_checks")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    phrase = models.CharField(max_length=200, help_text="Redacted.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["example", "kind", "phrase"],
                                               name="one_check_per_example_kind_phrase")]

    def __str__(self) -> str:
        return f"{self.kind} check on {self.example_id}"

    def passes(self, answer: str) -> bool:
        return check_passes(self.kind, self.phrase, answer)


def check_passes(kind: str, phrase: str, answer: str) -> bool:
    """A must-say or must-not-say check on an answer: case-insensitive containment,
    whitespace-normalised (also run on the checks a frozen held-out file carries)."""
    found = " ".join(phrase.split()).casefold() in " ".join(answer.split()).casefold()
    return found if kind == EvalCheck.Kind.MUST_SAY else not found
