"""What the export says about each of the tenant's adapter versions (its model card's facts).

The export (tenants.adapter_export) finds AdapterVersion through the tenant-owned registry and
calls `AdapterVersion.exported_adapters()`, which lands here, inside the tenant's scope. The
corrections are the files to export in place of the stored ones: the config of a version
registered before configs were portable (it named the base by a directory on the training
host), and base_model.json, which such a version never stored. Both are derived from the
verified stored bytes and the base model registry; the weights are exported as stored.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage

from tenants.adapter_export import AdapterFacts, Correction
from tenants.scoping import current_tenant
from tenants.storage import read_verified, tenant_prefix

from . import adapter_files, trainer
from .models import AdapterEvaluation, AdapterVersion, BaseModel

CONFIG_REASON = ("the stored config named its base model by a directory on the training host; "
                 "exported with the public id (null when none is recorded), nothing else changed")
RECORD_REASON = ("not stored: this version was registered before base_model.json existed; "
                 "made at export from the platform's base model registry")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _corrections(adapter: AdapterVersion, base: BaseModel | None) -> dict[str, Correction]:
    public_id = (base.public_id or None) if base is not None else None
    corrections: dict[str, Correction] = {}
    name = adapter_files.CONFIG_FILE
    # Corrections start from the verified stored bytes: a tampered config fails the export
    # (IntegrityError) rather than being "corrected" into something that looks clean.
    stored = read_verified(current_tenant(), f"{adapter.storage_prefix}/{name}",
                           adapter.files[name], default_storage) if name in adapter.files else None
    if stored is not None and not adapter_files.is_portable(stored):
        corrections[name] = Correction(
            adapter_files.portable_config(stored, public_id), CONFIG_REASON)
    if adapter_files.BASE_MODEL_FILE not in adapter.files:
        corrections[adapter_files.BASE_MODEL_FILE] = Correction(adapter_files.base_model_record(
            public_id, adapter.base_revision, base.converted_from if base else {}),
            RECORD_REASON)
    return corrections


def exported_adapters() -> list[AdapterFacts]:
    adapters = list(AdapterVersion.objects.select_related("run", "run__training_set")
                    .order_by("created_at", "pk"))
    bases = {b.revision: b for b in BaseModel.objects.filter(
        revision__in={a.base_revision for a in adapters})}
    return [_facts(adapter, bases.get(adapter.base_revision)) for adapter in adapters]


def _facts(adapter: AdapterVersion, base: BaseModel | None) -> AdapterFacts:
    run, snapshot = adapter.run, adapter.run.training_set
    metrics = dict(run.metrics)
    evaluation = AdapterEvaluation.objects.filter(adapter=adapter, state="done").first()
    if evaluation is not None:  # the model card shows it (figures only; answers are in data/)
        metrics["evaluation"] = {
            "decision": evaluation.decision, "reason": evaluation.reason,
            "held_out_examples": evaluation.examples,
            "compared_to": str(evaluation.compared_to_id) if evaluation.compared_to_id else None,
            "results": evaluation.results}
    recorded = "train_examples" in metrics and "eval_examples" in metrics
    eval_fraction = float(run.hyperparameters.get("eval_fraction", 0.0))
    eval_examples = (int(metrics["eval_examples"]) if recorded
                     else trainer.eval_count(snapshot.example_count, eval_fraction))
    train_examples = (int(metrics["train_examples"]) if recorded
                      else snapshot.example_count - eval_examples)
    manifest = snapshot.manifest if isinstance(snapshot.manifest, dict) else {}
    prefix = tenant_prefix(current_tenant())  # bundle paths are storage keys without it
    return AdapterFacts(
        version_id=str(adapter.pk), sha256=adapter.sha256,
        directory=adapter.storage_prefix.removeprefix(prefix),
        stored_files=dict(adapter.files), corrections=_corrections(adapter, base),
        base_model_id=(base.public_id or None) if base else None,
        base_revision=adapter.base_revision,
        converted_from=dict(base.converted_from) if base else {}, rank=adapter.rank,
        hyperparameters=dict(run.hyperparameters),
        training_set={"version": snapshot.version, "sha256": snapshot.sha256,
                      "examples": snapshot.example_count,
                      "file": snapshot.storage_key.removeprefix(prefix),
                      "redaction_versions": list(manifest.get("redaction_versions", [])),
                      "guideline_versions": list(manifest.get("guideline_versions", []))},
        train_examples=train_examples, eval_examples=eval_examples, counts_recorded=recorded,
        loss_history=list(run.loss_history), metrics=metrics,
        dates={"training set frozen": _iso(snapshot.created_at),
               "run started": _iso(run.started_at), "run finished": _iso(run.finished_at),
               "adapter registered": _iso(adapter.created_at)},
    )
