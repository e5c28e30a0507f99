"""Where curation keeps a tenant's data: its tables and the frozen training-set snapshots."""

from __future__ import annotations

from tenants import tenant_data
from tenants.places import StorageCategory, TenantTable

from .models import (
    Conversation,
    CurationSettings,
    EvalCheck,
    Example,
    ExampleRevision,
    ImportBatch,
    Message,
    PhiClearance,
    Review,
    TrainingSet,
    TrainingSetExample,
    TrainingSetFlag,
)


def register() -> None:
    tenant_data.register(
        TenantTable(CurationSettings),
        TenantTable(Conversation),
        TenantTable(Message),
        TenantTable(ImportBatch),
        TenantTable(Example),
        TenantTable(Review),
        TenantTable(ExampleRevision),
        TenantTable(PhiClearance),
        TenantTable(TrainingSet, evidence=("sha256",)),
        TenantTable(TrainingSetExample),
        TenantTable(TrainingSetFlag),
        TenantTable(EvalCheck),
        StorageCategory("datasets"),
    )
