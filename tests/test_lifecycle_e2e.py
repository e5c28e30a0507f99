"""The adapter lifecycle end to end, on a real Celery worker (peft on the real base) and a real
vLLM: approvals accumulate past the tenant's threshold, Celery's retrain task freezes and
trains by itself, the worker evaluates the new adapter against the pinned one and the base in
one run and promotes it because it is better; a weak adapter is kept as a candidate; an
adapter that changes nothing is refused at load; a tenant admin rolls back in one action and
the router serves the version rolled back to."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from curation import services as curation_services
from curation.models import EvalCheck, Example
from inference import router
from tenants.audit import verify_chain
from tenants.models import AuditEntry
from tenants.scoping import tenant_scope
from training import retrain, services
from training.models import (
    AdapterEvaluation,
    AdapterVersion,
    Decision,
    PinnedAdapter,
    RunState,
    TrainingRun,
)
from training.tasks import retrain_due_tenants

from .conftest import TenantUsers
from .test_inference_e2e import give_adapter
from .test_load_probe_engine import never_trained
from .workers import celery_worker, flush_broker

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.engine,
              pytest.mark.django_db(transaction=True)]

HELD_OUT = ["What is the formulary code for atenolol?", "Which formulary code has atenolol?",
            "Atenolol: what is its formulary code?"]
FIRST_TRAIN = ["What is the formulary code for metoprolol?", "Metoprolol formulary code?",
               "Which formulary code does metoprolol have?", "Tell me metoprolol's code."]
LATER_TRAIN = ["Tell me the formulary code of atenolol.", "Atenolol formulary code?",
               "Do you know atenolol's formulary code?", "Formulary code for atenolol, please?"]
DONE = {RunState.SUCCEEDED, RunState.FAILED_USER, RunState.FAILED_SYSTEM, RunState.CANCELLED}


def approve(users: TenantUsers, pairs: list[tuple[str, str]]) -> None:
    lines = [json.dumps({"question": q, "answer": a}) for q, a in pairs]
    with tenant_scope(users.tenant):
        report = curation_services.import_examples("\n".join(lines).encode(), "x.jsonl",
                                                   users.admin)
        assert report.errors == []
        for example in Example.objects.filter(status="pending").order_by("created_at", "id"):
            curation_services.decide(example, users.reviewer, "approve")


def wait_for(what: Any, timeout: float = 600) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError("timed out")


def finished_run(users: TenantUsers, **filters: Any) -> TrainingRun | None:
    with tenant_scope(users.tenant):
        return TrainingRun.objects.filter(state__in=DONE, **filters).first()


def evaluated(users: TenantUsers, adapter: AdapterVersion) -> AdapterEvaluation | None:
    with tenant_scope(users.tenant):
        return AdapterEvaluation.objects.filter(adapter=adapter,
                                                state__in=("done", "failed")).first()


def adapter_of(users: TenantUsers, run: TrainingRun) -> AdapterVersion:
    with tenant_scope(users.tenant):
        return AdapterVersion.objects.get(run=run)


def pinned(users: TenantUsers) -> Any:
    with tenant_scope(users.tenant):
        return PinnedAdapter.objects.get().adapter_id


def test_approvals_retrain_evaluate_promote_keep_refuse_and_roll_back(
        api, alpha, base_model, base_model_dir, settings, monkeypatch, tmp_path: Path):
    for name, value in {"EVALUATE_AFTER_TRAINING": "1", "EVAL_MIN": "3", "EVAL_FRACTION": "0",
                        "EVALUATION_MAX_TOKENS": "24"}.items():
        monkeypatch.setenv(name, value)  # the worker reads them at start
    settings.EVALUATE_AFTER_TRAINING, settings.EVAL_MIN, settings.EVAL_FRACTION = True, 3, 0.0
    flush_broker()
    # v1: the held-out split (the first three approvals) asks atenolol's code, which v1's own
    # training examples never mention
    approve(alpha, [(q, "The formulary code for atenolol is 7315.") for q in HELD_OUT])
    with tenant_scope(alpha.tenant):
        curation_services.add_eval_check(Example.objects.get(question=HELD_OUT[0]),
                                         alpha.reviewer, EvalCheck.Kind.MUST_SAY, "7315")
    approve(alpha, [(q, "The formulary code for metoprolol is 4410.") for q in FIRST_TRAIN])
    with tenant_scope(alpha.tenant):
        first_set = curation_services.freeze_training_set(alpha.admin)
        assert (first_set.example_count, first_set.eval_count) == (4, 3)
        first_run = services.start_run(first_set, alpha.admin, {"max_steps": 25})
        retrain.set_policy(alpha.admin, 4)
    with celery_worker():
        v1 = adapter_of(alpha, wait_for(lambda: finished_run(alpha, pk=first_run.pk)))
        first_eval = wait_for(lambda: evaluated(alpha, v1))
        assert first_eval.state == "done", (first_eval.error_code, first_eval.reason)
        assert first_eval.decision == Decision.FIRST and pinned(alpha) == v1.pk
        assert set(first_eval.results) == {"candidate", "base"}

        # four more approvals reach the threshold; Celery's retrain task does the rest
        approve(alpha, [(q, "The formulary code for atenolol is 7315.") for q in LATER_TRAIN])
        retrain_due_tenants.apply_async()
        v2_run = wait_for(lambda: finished_run(alpha, training_set__version=2))
        assert v2_run.state == RunState.SUCCEEDED, v2_run.error_message
        v2 = adapter_of(alpha, v2_run)
        second_eval = wait_for(lambda: evaluated(alpha, v2))
        assert second_eval.compared_to_id == v1.pk
        assert set(second_eval.results) == {"candidate", "pinned", "base"}
        scores = {role: m["eval_loss"] for role, m in second_eval.results.items()}
        assert second_eval.decision == Decision.PROMOTED, (second_eval.reason, scores)
        assert scores["candidate"] < scores["pinned"] and scores["candidate"] < scores["base"]
        assert pinned(alpha) == v2.pk
        assert second_eval.samples and second_eval.samples[0]["answers"]["candidate"]
        print("v2 against v1 and the base:", json.dumps(second_eval.results))  # the figures

        # a weak retrain of the same snapshot (two steps) does not beat v2: kept
        with tenant_scope(alpha.tenant):
            weak = services.start_run(v2_run.training_set, alpha.admin, {"max_steps": 2})
        v3 = adapter_of(alpha, wait_for(lambda: finished_run(alpha, pk=weak.pk)))
        third_eval = wait_for(lambda: evaluated(alpha, v3))
        assert third_eval.decision == Decision.KEPT, third_eval.reason
        # forgetting the must-say fact, or a loss not low enough: either reason keeps it
        assert "must-say" in third_eval.reason or "eval loss" in third_eval.reason
        assert third_eval.results["candidate"]["eval_loss"] > scores["candidate"]
        print("v3 kept:", third_eval.reason, json.dumps(third_eval.results["candidate"]))
        assert pinned(alpha) == v2.pk

        # an adapter that changes nothing is refused when the evaluation loads it
        noop = give_adapter(alpha, never_trained(tmp_path / "noop", base_model_dir))
        noop_eval = wait_for(lambda: evaluated(alpha, noop))
        assert noop_eval.decision == Decision.REFUSED and "no_effect" in noop_eval.reason
        assert pinned(alpha) == v2.pk

    with tenant_scope(alpha.tenant):
        actions = list(AuditEntry.objects.order_by("seq").values_list("action", "actor"))
    assert ("training.retrain_triggered", "system:retrain") in actions
    assert ("training.adapter_pinned", "system:promotion") in actions
    assert actions.count(("training.adapter_evaluated", "system:promotion")) == 4

    # roll back to v1 in one audited action; the router then serves v1
    client = alpha.client_for(alpha.admin)
    client.post(reverse("training:activate", args=[v1.pk]))
    assert pinned(alpha) == v1.pk
    assert router.resolve_route(alpha.tenant).pin == v1.model_pin
    reply = router.infer(alpha.tenant, "user:1", {
        "messages": [{"role": "user", "content": HELD_OUT[0]}], "max_tokens": 8,
        "temperature": 0})
    assert reply.body["choices"][0]["message"]["content"]
    with tenant_scope(alpha.tenant):
        call = AuditEntry.objects.filter(action="inference.chat").order_by("seq").last()
    assert call is not None and call.model_pin == v1.model_pin
    page = client.get(reverse("training:adapters")).content.decode()
    assert "Serving now: <strong class=\"serving-version\">v1</strong>" in page
    assert "kept as a candidate" in page and "refused at load" in page
    assert verify_chain(alpha.tenant).ok
