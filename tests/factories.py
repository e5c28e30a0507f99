"""Builders for tenant-owned objects, made through the same services the product uses."""

from __future__ import annotations

import hashlib
import uuid
from typing import TYPE_CHECKING

from curation import phi_gate, services
from curation.models import Example, Message, TrainingSet
from tenants.scoping import tenant_scope
from training.models import AdapterVersion, BaseModel, RunState, TrainingRun

if TYPE_CHECKING:
    from knowledge.models import Chunk

    from .conftest import TenantUsers


def exchange(users: TenantUsers, question: str, answer: str) -> Message:
    """A clinician's chat exchange; returns the model's (assistant) message."""
    with tenant_scope(users.tenant):
        conversation = services.start_conversation(users.clinician, "Ward round")
        services.record_message(conversation, Message.Role.USER, question,
                                author=users.clinician)
        return services.record_message(conversation, Message.Role.ASSISTANT, answer,
                                       author=None, model_version="base@test")


def proposed_example(users: TenantUsers, question: str = "What is the first-line drug "
                     "for type 2 diabetes?", answer: str = "Metformin 500 mg twice daily.",
                     ) -> Example:
    message = exchange(users, question, answer)
    with tenant_scope(users.tenant):
        return services.propose_from_exchange(message, users.clinician)


def approved_example(users: TenantUsers, **kwargs: str) -> Example:
    example = proposed_example(users, **kwargs)
    with tenant_scope(users.tenant):
        services.decide(example, users.reviewer, "approve")
        example.refresh_from_db()
    return example


def clear_residual_candidates(users: TenantUsers) -> int:
    """What a reviewer does for made-up drug names the strict scan flags: "Not PHI"."""
    cleared = 0
    with tenant_scope(users.tenant):
        for example in Example.objects.filter(status=Example.Status.APPROVED):
            for found in phi_gate.candidates(example).values():
                for c in found:
                    if not c.cleared:
                        phi_gate.clear_candidate(example, users.reviewer, field_name=c.field,
                                                 digest=c.sha256, entity_type=c.entity_type)
                        cleared += 1
    return cleared


def training_set(users: TenantUsers) -> TrainingSet:
    approved_example(users)
    clear_residual_candidates(users)
    with tenant_scope(users.tenant):
        return services.freeze_training_set(users.admin)


def base_model() -> BaseModel:
    """A registered base model row (tests that train use the real one from conftest)."""
    base, _ = BaseModel.objects.get_or_create(
        revision="b" * 64, defaults={"name": "test-base", "path": "/nonexistent",
                                     "public_id": "sanoweb-test/test-base",
                                     "is_default": True})
    return base


def training_run(users: TenantUsers) -> TrainingRun:
    snapshot = training_set(users)
    base = base_model()
    with tenant_scope(users.tenant):
        return TrainingRun.objects.create(training_set=snapshot, base_revision=base.revision,
                                          hyperparameters={"rank": 8}, created_by=users.admin,
                                          state=RunState.QUEUED)


def adapter_version(users: TenantUsers) -> AdapterVersion:
    run = training_run(users)
    digest = hashlib.sha256(str(uuid.uuid4()).encode()).hexdigest()
    with tenant_scope(users.tenant):
        return AdapterVersion.objects.create(
            run=run, sha256=digest, size_bytes=1, storage_prefix=f"tenants/{users.tenant.pk}/"
            f"adapters/{digest}", files={}, base_revision=run.base_revision, rank=8)


def indexed_document(users: TenantUsers, name: str, text: str) -> Chunk:
    """A ready document version with one chunk, written directly (no scan, no embedder): for
    tests about who can reach it, not about how it was indexed."""
    import numpy as np
    from django.utils import timezone

    from knowledge import ingest
    from knowledge.models import EMBEDDING_DIM, Chunk, DocumentVersion

    with tenant_scope(users.tenant):
        version = ingest.upload_version(users.admin, name, "doc.md",
                                        f"# {name}\n\n{text}\n".encode())
        DocumentVersion.objects.filter(pk=version.pk).update(
            status=DocumentVersion.Status.READY, ready_at=timezone.now(), chunks_total=1,
            chunks_done=1)
        vector = np.zeros(EMBEDDING_DIM, dtype=np.float32)
        vector[0] = 1.0
        return Chunk.objects.create(version=version, ordinal=0, section=name, text=text,
                                    sha256=hashlib.sha256(text.encode()).hexdigest(),
                                    embedding=vector.tobytes())
