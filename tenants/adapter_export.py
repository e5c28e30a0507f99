"""Adapters in the export bundle, usable elsewhere: portable files and a model card each.

tenants/ imports no other app. The export already finds every tenant-owned table through
tenants.registry; a table whose rows are adapters also offers a classmethod
`exported_adapters() -> list[AdapterFacts]` (training.AdapterVersion does), called inside the
tenant's scope. It returns plain data: what the model card says, and the files whose exported
bytes must differ from the stored ones.

Decision (issue 19): adapters registered before their config was portable are corrected in the
bundle, on the fly, not rewritten in storage. A version's sha256 names the bytes it was
registered with and stays true; serving never reads the field that changes; and a rewrite
would need a second version row for the same run. Wherever an exported file's bytes differ
from the stored ones (or a file is added that the version never stored), the manifest's
`adapters` section lists it with the adapter version, the version's sha256, the stored bytes'
sha256 and the exported bytes' sha256 (which the manifest's `files` lists too, so the
signature covers the corrected bytes). The weights are never corrected.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import models

from .models import Tenant
from .registry import model_label, tenant_owned_models
from .scoping import tenant_scope

HOOK = "exported_adapters"
MODEL_CARD = "MODEL_CARD.md"
NEVER_CORRECTED = frozenset({"adapter_model.safetensors"})


@dataclass(frozen=True)
class Correction:
    data: bytes
    reason: str  # for the customer: never a local path


@dataclass(frozen=True)
class AdapterFacts:
    """One adapter version, as its owning app describes it for the bundle."""

    version_id: str
    sha256: str  # the registry's digest of the stored files
    directory: str  # storage key under the tenant prefix, e.g. "adapters/<sha256>"
    stored_files: dict[str, str]  # file name -> sha256, as registered
    corrections: dict[str, Correction]  # file name -> what to export instead
    base_model_id: str | None
    base_revision: str
    converted_from: dict[str, Any]
    rank: int
    hyperparameters: dict[str, Any]
    training_set: dict[str, Any]  # version, sha256, examples, redaction_versions, frozen_at, …
    train_examples: int | None
    eval_examples: int | None
    counts_recorded: bool  # False: derived from the snapshot size and eval_fraction
    loss_history: list[dict[str, Any]]
    metrics: dict[str, Any]
    dates: dict[str, str | None]  # label -> ISO time


def _providers() -> list[type[models.Model]]:
    return [m for m in sorted(tenant_owned_models(), key=model_label) if hasattr(m, HOOK)]


def adapter_facts(tenant: Tenant) -> list[AdapterFacts]:
    with tenant_scope(tenant):
        return [facts for model in _providers() for facts in getattr(model, HOOK)()]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def add_to_bundle(tenant: Tenant, files: dict[str, bytes]) -> list[dict[str, Any]]:
    """Correct and complete each adapter's folder in `files` (bundle path -> bytes), add its
    model card, and return the manifest's `adapters` entries."""
    from . import model_card  # rendering only; kept apart so this module stays the hook

    entries = []
    for facts in adapter_facts(tenant):
        folder = f"storage/{facts.directory}"
        corrected = []
        for name, correction in sorted(facts.corrections.items()):
            if name in NEVER_CORRECTED or "/" in name:
                raise ValueError(f"{name} cannot be corrected in an export.")
            path = f"{folder}/{name}"
            before = files.get(path)
            if before == correction.data:
                continue
            files[path] = correction.data
            corrected.append({
                "file": name, "reason": correction.reason,
                "stored_sha256": _sha(before) if before is not None else None,
                "exported_sha256": _sha(correction.data),
            })
        card = f"{folder}/{MODEL_CARD}"
        files[card] = model_card.render(tenant, facts, folder,
                                        {n: _sha(files[f"{folder}/{n}"])
                                         for n in sorted({*facts.stored_files,
                                                          *facts.corrections})
                                         if f"{folder}/{n}" in files}).encode()
        entries.append({"adapter_version": facts.version_id, "adapter_sha256": facts.sha256,
                        "directory": folder, "model_card": card, "corrected": corrected})
    return entries
