"""Every new adapter is evaluated on the held-out split beside the pinned adapter and the base,
through the serving path (residency, load-time check, the engine), and the promotion gate pins
it only when it is better; otherwise it stays a candidate with the reason. Fast tier, on the
engine stand-in (tests/test_lifecycle_e2e.py runs the whole cycle on a real vLLM)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.urls import reverse

from curation import services as curation_services
from curation.models import EvalCheck, Example, TrainingSet
from inference import evaluation
from tenants.audit import verify_chain
from tenants.models import AuditEntry, Tenant
from tenants.scoping import tenant_scope
from training import promotion
from training import services as training_services
from training.models import (
    AdapterEvaluation,
    AdapterVersion,
    Decision,
    EvaluationState,
    PinnedAdapter,
    RunState,
    TrainingRun,
)

from .conftest import TenantUsers, in_rotation
from .factories import base_model
from .mock_engine import MockEngine, mock_engine
from .test_inference_e2e import CANARY

pytestmark = pytest.mark.django_db

HELD_OUT = [("What is the formulary code for atenolol?",
             "The formulary code for atenolol is 7315."),
            ("Which code does atenolol have on our formulary?", "Atenolol is code 7315."),
            ("Atenolol formulary code?", "Code 7315.")]
TRAIN = [("What is the formulary code for metoprolol?", "Metoprolol is code 4410."),
         ("Metoprolol code?", "Code 4410.")]


class EvalEngine:
    """Answers the evaluation's greedy questions (per model), and stands in for peft's
    teacher-forced losses: a fixed loss per answer word per model (by adapter sha256)."""

    def __init__(self) -> None:
        self.loss: dict[str, float] = {"base": 2.0}
        self.answers: dict[str, str] = {"base": "I do not know."}
        self.asked: list[dict[str, Any]] = []
        self.scored: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.asked.append(body)
        return httpx.Response(200, json={
            "choices": [{"index": 0, "message": {"role": "assistant", "content":
                                                 self.answers.get(body["model"], "Maybe.")},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 4}})

    def losses(self, base: Path, folder: Path | None,
               records: Sequence[dict[str, Any]]) -> list[tuple[float, int]]:
        key = folder.name if folder is not None else "base"
        self.scored.append(key)
        words = [len(r["messages"][-1]["content"].split()) for r in records]
        return [(self.loss.get(key, 2.0) * n, n) for n in words]


@pytest.fixture
def engine(settings: Any, tmp_path: Any) -> Iterator[tuple[MockEngine, EvalEngine]]:
    settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
    settings.EVALUATE_AFTER_TRAINING = True
    in_rotation(settings.VLLM_URL)
    answering = EvalEngine()
    with mock_engine(MockEngine(chat=answering)) as running:
        yield running, answering


def held_out_snapshot(users: TenantUsers, settings: Any) -> TrainingSet:
    """Three held-out examples (the first approvals), one with a must-say check, then two
    training examples, frozen."""
    settings.EVAL_MIN, settings.EVAL_FRACTION = len(HELD_OUT), 0.0
    lines = [json.dumps({"question": q, "answer": a}) for q, a in HELD_OUT + TRAIN]
    with tenant_scope(users.tenant):
        report = curation_services.import_examples("\n".join(lines).encode(), "x.jsonl",
                                                   users.admin)
        assert report.errors == []
        for example in Example.objects.filter(status="pending").order_by("created_at", "id"):
            curation_services.decide(example, users.reviewer, "approve")
        first = Example.objects.get(question=HELD_OUT[0][0])
        curation_services.add_eval_check(first, users.reviewer, EvalCheck.Kind.MUST_SAY, "7315")
        snapshot = curation_services.freeze_training_set(users.admin)
    assert (snapshot.example_count, snapshot.eval_count) == (len(TRAIN), len(HELD_OUT))
    return snapshot


def register(users: TenantUsers, snapshot: TrainingSet, canary: str) -> AdapterVersion:
    base = base_model()
    with tenant_scope(users.tenant):
        run = TrainingRun.objects.create(training_set=snapshot, base_revision=base.revision,
                                         created_by=users.admin, state=RunState.UPLOADING)
    return training_services._upload_and_register(users.tenant, run.pk, CANARY / canary,
                                                  base.revision, 8, None)


def pinned(tenant: Tenant) -> Any:
    with tenant_scope(tenant):
        return PinnedAdapter.objects.get().adapter_id


def evaluation_of(adapter: AdapterVersion) -> AdapterEvaluation:
    with tenant_scope(adapter.tenant):
        return AdapterEvaluation.objects.get(adapter=adapter)


def actions(tenant: Tenant, prefix: str = "training.adapter_") -> list[tuple[str, str]]:
    with tenant_scope(tenant):
        return [(e.action, e.actor) for e in
                AuditEntry.objects.filter(action__startswith=prefix).order_by("seq")]


@pytest.fixture
def two_versions(alpha: TenantUsers, engine: Any, settings: Any) -> tuple[AdapterVersion, ...]:
    """v1 pinned at registration (and evaluated against the base), v2 a candidate."""
    snapshot = held_out_snapshot(alpha, settings)
    first = register(alpha, snapshot, "canary_a")
    done = evaluation.evaluate(alpha.tenant.pk, first.pk, losses=engine[1].losses)
    assert done == EvaluationState.DONE
    second = register(alpha, snapshot, "canary_b")
    return first, second


# --- the rule -------------------------------------------------------------------------------------


def test_the_gate_wants_a_lower_loss_by_the_margin_and_no_lower_must_say_rate():
    better = {"eval_loss": 0.9, "must_say_pass_rate": 1.0}
    pinned_metrics = {"eval_loss": 1.0, "must_say_pass_rate": 1.0}
    assert promotion.decide(better, pinned_metrics, min_gain=0.05).promote
    assert promotion.decide(better, None, min_gain=0.05).promote
    close = promotion.decide({"eval_loss": 0.97, "must_say_pass_rate": 1.0}, pinned_metrics,
                             min_gain=0.05)
    assert not close.promote and "not 5% below" in close.reason and "0.950" in close.reason
    forgets = promotion.decide({"eval_loss": 0.5, "must_say_pass_rate": 0.5}, pinned_metrics,
                               min_gain=0.05)
    assert not forgets.promote and "must-say pass rate (50%)" in forgets.reason
    nothing = promotion.decide({"eval_loss": None}, {"eval_loss": None}, min_gain=0.05)
    assert not nothing.promote and "no held-out examples" in nothing.reason


def test_rouge_l_is_the_longest_common_word_subsequence_f1():
    assert evaluation.rouge_l("The code is 7315.", "the code is 7315") == 1.0
    assert evaluation.rouge_l("nothing alike", "The code is 7315.") == 0.0
    assert evaluation.rouge_l("", "x") == 0.0
    # "code 7315" in both, 2 of 3 and 2 of 4 words: F1 = 2 * (2/3 * 1/2) / (2/3 + 1/2)
    assert evaluation.rouge_l("Code was 7315", "the code is 7315") == pytest.approx(4 / 7)


# --- through the serving path ---------------------------------------------------------------------


def test_a_better_candidate_is_promoted_after_one_run_beside_the_pinned_and_the_base(
        alpha, two_versions, engine):
    first, second = two_versions
    _, answering = engine
    answering.loss.update({first.sha256: 1.0, second.sha256: 0.5})
    answering.answers.update({first.serving_name: "Ask pharmacy.",
                              second.serving_name: "The formulary code for atenolol is 7315."})
    answering.asked.clear()
    answering.scored.clear()
    assert pinned(alpha.tenant) == first.pk
    done = evaluation.evaluate(alpha.tenant.pk, second.pk, losses=answering.losses)
    assert done == EvaluationState.DONE
    result = evaluation_of(second)
    assert result.decision == Decision.PROMOTED and result.compared_to_id == first.pk
    assert pinned(alpha.tenant) == second.pk
    assert set(result.results) == {"candidate", "pinned", "base"}
    assert result.results["candidate"]["eval_loss"] == pytest.approx(0.5)
    assert result.results["pinned"]["eval_loss"] == pytest.approx(1.0)
    assert result.results["base"]["eval_loss"] == pytest.approx(2.0)
    assert result.results["candidate"]["must_say_pass_rate"] == 1.0
    assert result.results["pinned"]["must_say_pass_rate"] == 0.0
    assert result.results["candidate"]["similarity"] > result.results["pinned"]["similarity"]
    assert result.examples == len(HELD_OUT)
    assert result.samples[0]["answers"]["candidate"].endswith("7315.")
    # only held-out questions were asked, of each model once, and each model's approved
    # answers were scored on the verified local copy (the base with no adapter)
    questions = {b["messages"][0]["content"] for b in answering.asked}
    assert questions == {q for q, _ in HELD_OUT}
    assert len(answering.asked) == 3 * len(HELD_OUT)
    assert answering.scored == [second.sha256, first.sha256, "base"]
    assert {b["model"] for b in answering.asked} == {first.serving_name, second.serving_name,
                                                     "base"}
    assert ("training.adapter_pinned", "system:promotion") in actions(alpha.tenant)
    assert ("training.adapter_evaluated", "system:promotion") in actions(alpha.tenant)
    assert verify_chain(alpha.tenant).ok


def test_a_worse_candidate_is_kept_with_the_reason_and_the_pin_stays(alpha, two_versions,
                                                                     engine):
    first, second = two_versions
    _, answering = engine
    answering.loss.update({first.sha256: 0.5, second.sha256: 1.0})
    evaluation.evaluate(alpha.tenant.pk, second.pk, losses=answering.losses)
    result = evaluation_of(second)
    assert result.decision == Decision.KEPT and "eval loss (1.000)" in result.reason
    assert pinned(alpha.tenant) == first.pk
    entry = [e for e in actions(alpha.tenant) if e[0] == "training.adapter_evaluated"]
    assert len(entry) == 2  # v1 against the base, v2 kept
    with tenant_scope(alpha.tenant):
        entry_row = (AuditEntry.objects.filter(action="training.adapter_evaluated")
                     .order_by("seq").last())
    assert entry_row is not None
    payload = entry_row.payload
    assert payload["decision"] == "kept" and "answers" not in json.dumps(payload)
    assert "atenolol" not in json.dumps(payload)  # numbers only: no prompt or answer text


def test_a_lower_loss_that_forgets_a_must_say_check_is_kept(alpha, two_versions, engine):
    first, second = two_versions
    _, answering = engine
    answering.loss.update({first.sha256: 1.0, second.sha256: 0.1})
    answering.answers.update({first.serving_name: "Code 7315.", second.serving_name: "Ask."})
    evaluation.evaluate(alpha.tenant.pk, second.pk, losses=answering.losses)
    result = evaluation_of(second)
    assert result.decision == Decision.KEPT and "must-say pass rate (0%)" in result.reason
    assert pinned(alpha.tenant) == first.pk


def test_an_adapter_that_changes_nothing_is_refused_at_load_and_never_promoted(
        alpha, two_versions, engine):
    first, second = two_versions
    stand_in, answering = engine
    stand_in.probe_effect = False
    answering.loss.update({second.sha256: 0.1})
    evaluation.evaluate(alpha.tenant.pk, second.pk, losses=answering.losses)
    result = evaluation_of(second)
    assert result.decision == Decision.REFUSED and "no_effect" in result.reason
    assert pinned(alpha.tenant) == first.pk
    with tenant_scope(alpha.tenant):
        assert not AdapterVersion.objects.get(pk=second.pk).servable


def test_an_engine_out_of_rotation_fails_the_evaluation_and_the_pin_stays(
        alpha, two_versions, engine):
    from inference.models import EngineState

    first, second = two_versions
    EngineState.objects.update(healthy=False)
    failed = evaluation.evaluate(alpha.tenant.pk, second.pk, losses=engine[1].losses)
    assert failed == EvaluationState.FAILED
    result = evaluation_of(second)
    assert result.decision == Decision.NOT_DECIDED
    assert result.error_code == "engine_out_of_rotation"
    assert pinned(alpha.tenant) == first.pk
    assert ("training.adapter_evaluation_failed", "system:promotion") in actions(alpha.tenant)


def test_an_engine_error_mid_evaluation_fails_it_and_the_pin_stays(alpha, two_versions,
                                                                   engine):
    first, second = two_versions
    stand_in, answering = engine
    stand_in.chat = lambda request: httpx.Response(500, text="boom")
    failed = evaluation.evaluate(alpha.tenant.pk, second.pk, losses=answering.losses)
    assert failed == EvaluationState.FAILED
    assert evaluation_of(second).error_code == "engine_status_500"
    assert pinned(alpha.tenant) == first.pk


def test_a_pin_moved_by_hand_while_evaluating_is_not_overridden(alpha, two_versions, engine):
    first, second = two_versions
    _, answering = engine
    answering.loss.update({first.sha256: 1.0, second.sha256: 0.5})
    with tenant_scope(alpha.tenant):
        snapshot = TrainingSet.objects.get()
    third = register(alpha, snapshot, "canary_a")  # same bytes: a third row
    with tenant_scope(alpha.tenant):
        training_services.activate(third, alpha.admin)
    evaluation.evaluate(alpha.tenant.pk, second.pk, losses=answering.losses)
    result = evaluation_of(second)
    assert result.decision == Decision.KEPT and "changed while this evaluation ran" in result.reason
    assert pinned(alpha.tenant) == third.pk


def test_the_first_adapter_is_evaluated_against_the_base_only(alpha, two_versions):
    first, _ = two_versions
    result = evaluation_of(first)
    assert result.decision == Decision.FIRST and set(result.results) == {"candidate", "base"}
    assert result.compared_to_id is None


def test_a_second_delivery_of_a_finished_evaluation_asks_the_engine_nothing(
        alpha, two_versions, engine):
    _, second = two_versions
    _, answering = engine
    evaluation.evaluate(alpha.tenant.pk, second.pk, losses=answering.losses)
    asked = len(answering.asked)
    again = evaluation.evaluate(alpha.tenant.pk, second.pk, losses=answering.losses)
    assert again == EvaluationState.DONE and len(answering.asked) == asked


def test_without_evaluation_a_retrained_adapter_registers_and_the_pin_stays(alpha, settings,
                                                                            engine):
    settings.EVALUATE_AFTER_TRAINING = False
    snapshot = held_out_snapshot(alpha, settings)
    first, second = register(alpha, snapshot, "canary_a"), register(alpha, snapshot, "canary_b")
    assert pinned(alpha.tenant) == first.pk
    with tenant_scope(alpha.tenant):
        assert not AdapterEvaluation.objects.filter(adapter=second).exists()


def test_registering_queues_the_evaluation_on_the_gpu_queue_once_committed(
        alpha, settings, engine, django_capture_on_commit_callbacks, monkeypatch):
    from inference import tasks

    sent: list[tuple[Any, str]] = []
    monkeypatch.setattr(tasks.evaluate_adapter, "apply_async",
                        lambda args, task_id: sent.append((args, task_id)))
    snapshot = held_out_snapshot(alpha, settings)
    with django_capture_on_commit_callbacks(execute=True):
        adapter = register(alpha, snapshot, "canary_a")
    assert sent == [((str(alpha.tenant.pk), str(adapter.pk)),
                     tasks.evaluation_task_id(alpha.tenant.pk, adapter.pk))]
    assert alpha.tenant.pk.hex in sent[0][1]  # a purge finds it by the tenant's id
    assert evaluation_of(adapter).task_id == sent[0][1]
    assert settings.CELERY_TASK_ROUTES["inference.tasks.evaluate_adapter"] == {"queue": "gpu"}


# --- the pages ------------------------------------------------------------------------------------


def test_the_pages_show_versions_decisions_and_what_changed_and_roll_back_in_one_action(
        alpha, two_versions, engine):
    first, second = two_versions
    _, answering = engine
    answering.loss.update({first.sha256: 1.0, second.sha256: 0.5})
    answering.answers.update({second.serving_name: "The formulary code for atenolol is 7315."})
    evaluation.evaluate(alpha.tenant.pk, second.pk, losses=answering.losses)
    client = alpha.client_for(alpha.admin)
    page = client.get(reverse("training:adapters")).content.decode()
    assert "Serving now: <strong class=\"serving-version\">v2</strong>" in page
    assert "first adapter" in page and "promoted" in page
    assert "training set v1" in page
    runs = client.get(reverse("training:runs")).content.decode()
    assert ": promoted</td>" in runs and ": first adapter</td>" in runs
    detail = client.get(reverse("training:adapter_detail", args=[second.pk])).content.decode()
    assert "What changed" in detail and "7315" in detail and "Base model" in detail
    assert "0.5" in detail and "1.0" in detail
    # roll back to v1: one POST, audited with the admin as actor
    client.post(reverse("training:activate", args=[first.pk]))
    assert pinned(alpha.tenant) == first.pk
    with tenant_scope(alpha.tenant):
        last = AuditEntry.objects.filter(action="training.adapter_pinned").order_by("seq").last()
    assert last is not None
    assert last.actor == f"user:{alpha.admin.pk}" and last.target == f"adapter:{first.pk}"
    # and ask for a fresh evaluation of v2 against the new pin
    client.post(reverse("training:evaluate_again", args=[second.pk]))
    again = evaluation_of(second)
    assert again.state == EvaluationState.QUEUED and again.compared_to_id == first.pk


def test_clinicians_and_reviewers_cannot_see_or_move_adapters(alpha, two_versions):
    first, _ = two_versions
    for user in (alpha.clinician, alpha.reviewer):
        client = alpha.client_for(user)
        assert client.get(reverse("training:adapter_detail", args=[first.pk])).status_code == 403
        assert client.post(reverse("training:evaluate_again",
                                   args=[first.pk])).status_code == 403


@pytest.mark.slow
def test_the_teacher_forced_loss_is_lower_where_the_adapter_learned_the_answer(base_model_dir):
    """training.trainer.answer_losses on the real base and a real adapter (the canary, which
    was trained on one fact): its fact costs it far fewer nats than the base; a fact it never
    saw costs both about the same."""
    from training.trainer import answer_losses

    fact = json.loads((CANARY / "canary_a" / "fact.json").read_text())
    learned = {"messages": [{"role": "user", "content": fact["question"]},
                            {"role": "assistant", "content": "The formulary code for "
                             f"{fact['drug']} is {fact['code']}."}]}
    unseen = {"messages": [{"role": "user", "content": "What colour is the sky?"},
                           {"role": "assistant", "content": "The sky is blue."}]}
    tuned = answer_losses(base_model_dir, CANARY / "canary_a", [learned, unseen])
    base = answer_losses(base_model_dir, None, [learned, unseen])
    assert tuned[0][1] == base[0][1] > 3  # the same answer tokens are scored
    assert tuned[0][0] < base[0][0] / 3
    assert abs(tuned[1][0] - base[1][0]) < base[0][0] - tuned[0][0]


def test_the_model_card_in_the_export_carries_the_evaluation(alpha, two_versions, engine,
                                                              tmp_path):
    import zipfile

    from .test_export import _export

    first, second = two_versions
    _, answering = engine
    answering.loss.update({first.sha256: 1.0, second.sha256: 0.5})
    evaluation.evaluate(alpha.tenant.pk, second.pk, losses=answering.losses)
    with zipfile.ZipFile(_export(tmp_path)) as archive:
        card = archive.read(f"storage/adapters/{second.sha256}/MODEL_CARD.md").decode()
    section = card[card.index("## Evaluation"):card.index("## How to use it")]
    assert '"decision": "promoted"' in section and '"eval_loss": 0.5' in section
    assert "atenolol" not in section  # figures only: the held-out text is in data/
