"""The held-out evaluation split: a seeded, stable share of approvals that never trains, frozen
in a file of its own, and the reviewers' "must say" / "must not say" checks on it."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import override_settings
from django.urls import reverse

from curation import eval_split
from curation import services as curation_services
from curation.models import EvalCheck, Example, Split, TrainingSetExample
from tenants.models import AuditEntry
from tenants.scoping import tenant_scope
from tenants.storage import read_verified
from training import services as training_services
from training.models import RunState, TrainingRun

from .factories import base_model, clear_residual_candidates

pytestmark = pytest.mark.django_db
PRODUCTION_RULE = {"EVAL_FRACTION": 0.1, "EVAL_MIN": 5, "EVAL_SEED": "sanoweb-eval-1"}


def approve_facts(users, n: int, drug: str = "atenolol") -> list[Example]:
    """n imported examples, each approved by the reviewer, in import order."""
    lines = [json.dumps({"question": f"Question {i} on {drug}: what is code {i}?",
                         "answer": f"The code of {drug} number {i} is {7000 + i}."})
             for i in range(n)]
    with tenant_scope(users.tenant):
        report = curation_services.import_examples("\n".join(lines).encode(), "facts.jsonl",
                                                   users.admin)
        assert report.errors == []
        examples = list(Example.objects.filter(status="pending", question__contains=drug)
                        .order_by("created_at", "id"))
        for example in examples:
            curation_services.decide(example, users.reviewer, "approve")
        for example in examples:
            example.refresh_from_db()
    return examples


def freeze(users):
    clear_residual_candidates(users)
    with tenant_scope(users.tenant):
        return curation_services.freeze_training_set(users.admin)


# --- the rule ----------------------------------------------------------------------------------


def test_the_first_approvals_fill_the_minimum_then_the_fraction_holds():
    ids = [uuid.UUID(int=i) for i in range(2000)]
    def choose(example_id: uuid.UUID, held_out: int) -> str:
        return eval_split.choose_split(example_id, held_out, fraction=0.1, minimum=5, seed="s")

    assert [choose(i, held) for held, i in enumerate(ids[:5])] == [Split.EVAL] * 5
    after = [choose(i, 5) for i in ids]
    share = after.count(Split.EVAL) / len(after)
    assert 0.08 < share < 0.12


def test_the_choice_is_a_keyed_hash_of_the_id_stable_and_seeded():
    example_id = uuid.uuid4()
    assert eval_split.hash_fraction(example_id, "a") == eval_split.hash_fraction(example_id, "a")
    ids = [uuid.UUID(int=i) for i in range(200)]
    by_seed = {seed: [eval_split.choose_split(i, 99, fraction=0.5, minimum=0, seed=seed)
                      for i in ids] for seed in ("a", "b")}
    assert by_seed["a"] != by_seed["b"]  # another seed, another split
    assert by_seed["a"] == [eval_split.choose_split(i, 99, fraction=0.5, minimum=0, seed="a")
                            for i in ids]  # the same seed, the same split, reproduced
    assert all(eval_split.choose_split(i, 0, fraction=1.0, minimum=0, seed="a") == Split.EVAL
               for i in ids)
    assert all(eval_split.choose_split(i, 0, fraction=0.0, minimum=0, seed="a") == Split.TRAIN
               for i in ids)


# --- approvals --------------------------------------------------------------------------------


@override_settings(**PRODUCTION_RULE)
def test_approvals_go_to_the_held_out_split_by_the_rule(alpha):
    examples = approve_facts(alpha, 12)
    splits = [e.split for e in examples]
    assert splits[:5] == [Split.EVAL] * 5  # the minimum first
    for example in examples[5:]:  # then the keyed hash, reproducible from the seed
        expected = (Split.EVAL if eval_split.hash_fraction(example.pk, "sanoweb-eval-1") < 0.1
                    else Split.TRAIN)
        assert example.split == expected
    with tenant_scope(alpha.tenant):
        held = AuditEntry.objects.filter(action="curation.example_held_out")
        assert sorted(e.target for e in held) == sorted(
            f"example:{e.pk}" for e in examples if e.split == Split.EVAL)


@override_settings(EVAL_FRACTION=0.0, EVAL_MIN=1)
def test_a_pending_example_has_no_split_and_an_undone_approval_keeps_its_split(alpha):
    [first] = approve_facts(alpha, 1)
    assert first.split == Split.EVAL
    with tenant_scope(alpha.tenant):
        curation_services.undo_last_decision(alpha.reviewer)
        first.refresh_from_db()
        assert first.status == Example.Status.PENDING and first.split == Split.EVAL
        # another approval now fills the minimum again...
    [second] = approve_facts(alpha, 1, drug="nadolol")
    assert second.split == Split.EVAL
    with tenant_scope(alpha.tenant):
        curation_services.decide(first, alpha.reviewer, "approve")
        first.refresh_from_db()
    # ...and the first, approved again, never moves to the training side
    assert first.status == Example.Status.APPROVED and first.split == Split.EVAL


# --- snapshots --------------------------------------------------------------------------------


@override_settings(EVAL_FRACTION=0.0, EVAL_MIN=3)
def test_a_snapshot_freezes_train_and_eval_apart_and_they_never_overlap(alpha):
    examples = approve_facts(alpha, 7)
    held = [e for e in examples if e.split == Split.EVAL]
    trained = [e for e in examples if e.split == Split.TRAIN]
    assert len(held) == 3 and len(trained) == 4
    snapshot = freeze(alpha)
    assert snapshot.example_count == 4 and snapshot.eval_count == 3
    assert snapshot.manifest["example_ids"] == [str(e.pk) for e in trained]
    assert snapshot.manifest["eval_example_ids"] == [str(e.pk) for e in held]
    assert not set(snapshot.manifest["example_ids"]) & set(snapshot.manifest["eval_example_ids"])
    assert snapshot.manifest["eval_rule"]["minimum"] == 3
    with tenant_scope(alpha.tenant):
        training_text = read_verified(alpha.tenant, snapshot.storage_key,
                                      snapshot.sha256).decode()
        records = curation_services.read_training_set(snapshot)
        eval_records = curation_services.read_eval_set(snapshot)
        links = dict(TrainingSetExample.objects.filter(training_set=snapshot)
                     .values_list("example_id", "split"))
    assert all(e.question not in training_text for e in held)  # not in the file at all
    assert [r["messages"][0]["content"] for r in records] == [e.question for e in trained]
    assert [r["id"] for r in eval_records] == [str(e.pk) for e in held]
    assert links == {e.pk: e.split for e in examples}


@override_settings(EVAL_FRACTION=0.0, EVAL_MIN=2)
def test_the_trainer_is_handed_the_training_part_only(alpha, django_capture_on_commit_callbacks):
    base_model()
    examples = approve_facts(alpha, 5)
    held_questions = {e.question for e in examples if e.split == Split.EVAL}
    assert len(held_questions) == 2
    snapshot = freeze(alpha)
    with django_capture_on_commit_callbacks(execute=False), tenant_scope(alpha.tenant):
        run = training_services.start_run(snapshot, alpha.admin, {"max_steps": "1"})
    assert run.state == RunState.QUEUED
    seen: list[str] = []

    def trainer(*, examples, **kwargs):
        seen.extend(m["content"] for e in examples for m in e["messages"])
        raise training_services.TrainingError("stop_here", "stopped by the test")

    training_services.execute_run(str(alpha.tenant.pk), str(run.pk), trainer=trainer)
    assert len(seen) == 2 * 3  # three training examples, question and answer each
    assert not held_questions & set(seen)
    with tenant_scope(alpha.tenant):
        assert TrainingRun.objects.get(pk=run.pk).error_code == "stop_here"


@override_settings(EVAL_FRACTION=0.0, EVAL_MIN=5)
def test_a_freeze_with_every_approval_held_out_is_refused(alpha):
    approve_facts(alpha, 3)
    clear_residual_candidates(alpha)
    with tenant_scope(alpha.tenant), pytest.raises(curation_services.CurationError,
                                                   match="All 3 approved examples are held out"):
        curation_services.freeze_training_set(alpha.admin)


def test_without_a_held_out_split_the_snapshot_is_as_before(alpha):
    """(The test settings hold nothing out.) No eval file, the same chat JSONL."""
    approve_facts(alpha, 2)
    snapshot = freeze(alpha)
    assert snapshot.eval_storage_key == "" and snapshot.eval_count == 0
    with tenant_scope(alpha.tenant):
        assert curation_services.read_eval_set(snapshot) == []
        assert len(curation_services.read_training_set(snapshot)) == 2


# --- checks -------------------------------------------------------------------------------------


@override_settings(EVAL_FRACTION=0.0, EVAL_MIN=1)
def test_reviewers_pin_must_say_and_must_not_say_checks_to_a_held_out_example(alpha):
    held, trained = approve_facts(alpha, 2)
    assert (held.split, trained.split) == (Split.EVAL, Split.TRAIN)
    with tenant_scope(alpha.tenant):
        must = curation_services.add_eval_check(held, alpha.reviewer, "must_say", "  code 7000 ")
        must_not = curation_services.add_eval_check(held, alpha.reviewer, "must_not_say",
                                                    "ibuprofen")
        with pytest.raises(curation_services.CurationError, match="held-out"):
            curation_services.add_eval_check(trained, alpha.reviewer, "must_say", "7001")
        with pytest.raises(curation_services.CurationError, match="already has"):
            curation_services.add_eval_check(held, alpha.reviewer, "must_say", "code 7000")
        with pytest.raises(curation_services.CurationError, match="must say"):
            curation_services.add_eval_check(held, alpha.reviewer, "should_say", "x")
        entries = list(AuditEntry.objects.filter(action="curation.eval_check_added"))
    assert must.phrase == "code 7000"
    assert must.passes("The Code  7000 applies.") and not must.passes("No code here.")
    assert must_not.passes("Take paracetamol.") and not must_not.passes("Ibuprofen, 400 mg.")
    assert [e.target for e in entries] == [f"example:{held.pk}"] * 2
    assert all("7000" not in json.dumps(e.payload) for e in entries)  # hashes, never the text
    clear_residual_candidates(alpha)
    with tenant_scope(alpha.tenant):
        snapshot = curation_services.freeze_training_set(alpha.admin)
        [record] = curation_services.read_eval_set(snapshot)
    assert record["checks"] == {"must_say": ["code 7000"], "must_not_say": ["ibuprofen"]}


@override_settings(EVAL_FRACTION=0.0, EVAL_MIN=1)
def test_a_check_phrase_is_redacted_like_every_other_text(alpha):
    [held] = approve_facts(alpha, 1)
    with tenant_scope(alpha.tenant):
        check = curation_services.add_eval_check(held, alpha.reviewer, "must_not_say",
                                                 "call 503-555-0199")
    assert "555-0199" not in check.phrase


@override_settings(EVAL_FRACTION=0.0, EVAL_MIN=1)
def test_the_review_page_adds_and_removes_checks_on_a_held_out_example(alpha):
    held, trained = approve_facts(alpha, 2)
    client = alpha.client_for(alpha.reviewer)
    page = client.get(reverse("curation:review_example", args=[held.pk]))
    assert b'id="eval-checks"' in page.content and b"held out" in page.content
    other = client.get(reverse("curation:review_example", args=[trained.pk]))
    assert b'id="eval-checks"' not in other.content
    response = client.post(reverse("curation:add_eval_check", args=[held.pk]),
                           {"kind": "must_say", "phrase": "code 7000"}, follow=True)
    assert b"Check added." in response.content and "“code 7000”" in response.content.decode()
    with tenant_scope(alpha.tenant):
        check = EvalCheck.objects.get()
    refused = client.post(reverse("curation:add_eval_check", args=[trained.pk]),
                          {"kind": "must_say", "phrase": "7001"}, follow=True)
    assert b"held-out evaluation examples only" in refused.content
    client.post(reverse("curation:remove_eval_check", args=[held.pk, check.pk]))
    with tenant_scope(alpha.tenant):
        assert not EvalCheck.objects.exists()
        assert AuditEntry.objects.filter(action="curation.eval_check_removed").count() == 1
    clinician = alpha.client_for(alpha.clinician)
    assert clinician.post(reverse("curation:add_eval_check", args=[held.pk]),
                          {"kind": "must_say", "phrase": "x"}).status_code == 403


@override_settings(EVAL_FRACTION=0.0, EVAL_MIN=1)
def test_the_api_lists_and_adds_checks_and_shows_the_split(alpha, beta):
    held, trained = approve_facts(alpha, 2)
    client = alpha.client_for(alpha.reviewer)
    url = reverse("curation-api:example-checks", args=[held.pk])
    created = client.post(url, {"kind": "must_not_say", "phrase": "ibuprofen"},
                          content_type="application/json")
    assert created.status_code == 201 and created.json()["phrase"] == "ibuprofen"
    listed = client.get(url).json()
    assert [c["kind"] for c in listed] == ["must_not_say"]
    detail = client.get(reverse("curation-api:example-detail", args=[held.pk])).json()
    assert detail["split"] == "eval"
    bad = client.post(reverse("curation-api:example-checks", args=[trained.pk]),
                      {"kind": "must_say", "phrase": "7001"}, content_type="application/json")
    assert bad.status_code == 400
    outsider = beta.client_for(beta.reviewer)
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"kind": "must_say", "phrase": "x"},
                         content_type="application/json").status_code == 404
