"""Builders for tenant-owned objects, made through the same services the product uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from curation import services
from curation.models import Example, Message, TrainingSet
from tenants.scoping import tenant_scope

if TYPE_CHECKING:
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


def training_set(users: TenantUsers) -> TrainingSet:
    approved_example(users)
    with tenant_scope(users.tenant):
        return services.freeze_training_set(users.admin)
