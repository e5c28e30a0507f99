"""Defence in depth before training: residual PHI stops a freeze until a reviewer clears or
redacts it; redactions and PHI reports reach every stored copy and flag what was trained."""

import hashlib
import json
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from curation import phi_gate, services
from curation.models import (
    Example,
    ExampleRevision,
    Message,
    PhiClearance,
    TrainingSet,
    TrainingSetFlag,
)
from tenants.audit import verify_chain
from tenants.models import AuditEntry, Tenant
from tenants.scoping import tenant_scope
from tenants.storage import list_keys, tenant_prefix
from training import services as training
from training.models import AdapterVersion, RunState, TrainingRun

from .factories import adapter_version, base_model, clear_residual_candidates, exchange

pytestmark = pytest.mark.django_db

# "zblrf" is a token no list knows and, without a vowel, reads as an abbreviation: redact()
# keeps it (it takes unknown words that could be names), the strict residual scan flags it.
WORD = "zblrf"
QUESTION = f"Does {WORD} tolerate metformin at 500 mg?"
ANSWER = f"Yes, {WORD} can take metformin with food."


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def approved(users, question=QUESTION, answer=ANSWER):
    message = exchange(users, question, answer)
    with tenant_scope(users.tenant):
        example = services.propose_from_exchange(message, users.clinician)
        services.decide(example, users.reviewer, "approve")
        example.refresh_from_db()
    return example


def audit_entries(users, action):
    with tenant_scope(users.tenant):
        return list(AuditEntry.objects.filter(action=action))


def no_raw_text(users, *words):
    """No audit payload of the tenant contains any of the words."""
    with tenant_scope(users.tenant):
        payloads = " ".join(e.payload_json for e in AuditEntry.objects.all())
    return not any(w in payloads for w in words)


def redact_post(client, example, field, start, end, digest, kind="PERSON"):
    return client.post(reverse("curation:redact_span", args=[example.pk]), {
        "field": field, "start": start, "end": end, "sha256": digest, "type": kind})


# --- the freeze gate -----------------------------------------------------------------------------


def test_the_strict_scan_sees_what_redaction_left_in_the_example(alpha):
    example = approved(alpha)
    assert WORD in example.question  # redact() at ingest did not catch it
    with tenant_scope(alpha.tenant):
        found = phi_gate.candidates(example)
    assert [example.question[c.start:c.end] for c in found["question"]] == [WORD]
    assert found["question"][0].sha256 == sha(WORD)


def test_a_freeze_with_a_residual_candidate_is_refused_and_writes_nothing(alpha):
    example = approved(alpha)
    with tenant_scope(alpha.tenant), pytest.raises(phi_gate.ResidualPhiBlocked) as refused:
        services.freeze_training_set(alpha.admin)
    assert refused.value.example_ids == [str(example.pk)]
    assert refused.value.counts == {"PERSON": 2}  # once in the question, once in the answer
    assert "1 approved example still holds suspected PHI" in str(refused.value)
    assert WORD not in str(refused.value)
    with tenant_scope(alpha.tenant):
        assert not TrainingSet.objects.exists()
    assert list_keys(tenant_prefix(alpha.tenant) + "datasets") == []
    assert audit_entries(alpha, "curation.training_set_frozen") == []


def test_the_freeze_page_and_api_name_the_blocked_examples_without_their_text(alpha):
    example = approved(alpha)
    client = alpha.client_for(alpha.admin)
    page = client.post(reverse("curation:training_sets"))
    body = page.content.decode()
    assert "still holds suspected PHI" in body and WORD not in body
    assert reverse("curation:review_example", args=[example.pk]) in body
    api = client.post(reverse("curation-api:training-set-list"), content_type="application/json")
    assert api.status_code == 400 and api.json()["examples"] == [str(example.pk)]
    assert WORD not in api.content.decode()


def test_clearing_each_candidate_is_audited_and_then_the_freeze_passes(alpha):
    example = approved(alpha)
    client = alpha.client_for(alpha.reviewer)
    for field in ("question", "answer"):
        response = client.post(reverse("curation:clear_phi", args=[example.pk]),
                               {"field": field, "sha256": sha(WORD), "type": "PERSON"})
        assert response.status_code == 302
    with tenant_scope(alpha.tenant):
        assert PhiClearance.objects.filter(example=example, cleared_by=alpha.reviewer).count() == 2
    cleared = audit_entries(alpha, phi_gate.Action.PHI_CLEARED)
    assert [json.loads(e.payload_json)["span_sha256"] for e in cleared] == [sha(WORD)] * 2
    assert no_raw_text(alpha, WORD)
    with tenant_scope(alpha.tenant):
        snapshot = services.freeze_training_set(alpha.admin)
    assert snapshot.example_count == 1


def test_a_clearance_covers_only_the_words_it_names(alpha):
    example = approved(alpha)
    with tenant_scope(alpha.tenant):
        phi_gate.clear_candidate(example, alpha.reviewer, field_name="question",
                                 digest=sha(WORD), entity_type="PERSON")
        with pytest.raises(phi_gate.ResidualPhiBlocked) as refused:  # the answer is not cleared
            services.freeze_training_set(alpha.admin)
    assert refused.value.counts == {"PERSON": 1}


def test_clearing_a_candidate_that_is_not_in_the_text_is_a_400(alpha):
    example = approved(alpha)
    client = alpha.client_for(alpha.reviewer)
    for body in ({"field": "question", "sha256": sha("metformin"), "type": "PERSON"},
                 {"field": "question", "sha256": sha(WORD), "type": "DATE"},
                 {"field": "author", "sha256": sha(WORD), "type": "PERSON"}):
        assert client.post(reverse("curation:clear_phi", args=[example.pk]),
                           body).status_code == 400
    with tenant_scope(alpha.tenant):
        assert not PhiClearance.objects.exists()


def test_the_author_cannot_clear_candidates_in_their_own_example(alpha):
    example = approved(alpha)
    with tenant_scope(alpha.tenant):
        Example.objects.filter(pk=example.pk).update(author=alpha.reviewer)
    response = alpha.client_for(alpha.reviewer).post(
        reverse("curation:clear_phi", args=[example.pk]),
        {"field": "question", "sha256": sha(WORD), "type": "PERSON"})
    assert response.status_code == 403
    with tenant_scope(alpha.tenant):
        assert not PhiClearance.objects.exists()


def test_the_demo_seeder_freezes_both_tenants_through_the_gate():
    base_model()
    call_command("seed_demo", stdout=StringIO())
    for slug in ("northwind", "riverside"):
        tenant = Tenant.objects.get(slug=slug)
        with tenant_scope(tenant):
            snapshot = TrainingSet.objects.get()
            assert snapshot.example_count == 30 and not PhiClearance.objects.exists()
            assert TrainingRun.objects.get(training_set=snapshot).state == RunState.QUEUED


# --- span redaction in the reviewer portal -------------------------------------------------------


def test_the_review_page_highlights_the_candidate_with_its_type_and_a_not_phi_button(alpha):
    example = approved(alpha)
    body = alpha.client_for(alpha.reviewer).get(
        reverse("curation:review_example", args=[example.pk])).content.decode()
    assert f'<mark class="residual" data-type="PERSON" title="suspected PERSON">{WORD}</mark>' \
        in body
    assert body.count('class="clear-phi"') == 2 and "Redact selection" in body


def test_a_span_redaction_replaces_the_words_in_the_example_and_its_chat_messages(alpha):
    example = approved(alpha)
    start = example.question.index(WORD)
    response = redact_post(alpha.client_for(alpha.reviewer), example, "question", start,
                           start + len(WORD), sha(WORD))
    assert response.status_code == 302
    with tenant_scope(alpha.tenant):
        example.refresh_from_db()
        question, answer = (Message.objects.get(pk=m) for m in example.source_messages)
        revisions = list(ExampleRevision.objects.filter(example=example))
    assert example.question == "Does <PERSON> tolerate metformin at 500 mg?"
    assert example.answer == "Yes, <PERSON> can take metformin with food."
    assert question.text == example.question and answer.text == example.answer
    assert example.redaction_report["PERSON"] == 2 and question.redaction_counts["PERSON"] == 1
    assert {(r.version, r.field, r.change) for r in revisions} == {
        (2, "question", "span_redacted"), (2, "answer", "span_redacted")}
    assert {r.new_sha256 for r in revisions} == {sha(example.question), sha(example.answer)}
    [entry] = audit_entries(alpha, phi_gate.Action.SPAN_REDACTED)
    payload = json.loads(entry.payload_json)
    assert payload["field"] == "question" and payload["span_sha256"] == sha(WORD)
    assert payload["length"] == len(WORD) and payload["type"] == "PERSON"
    assert payload["messages"] == sorted(str(m) for m in example.source_messages)
    assert no_raw_text(alpha, WORD, "metformin at 500")
    with tenant_scope(alpha.tenant):
        snapshot = services.freeze_training_set(alpha.admin)  # nothing left: the gate passes
    assert verify_chain(alpha.tenant).ok and snapshot.example_count == 1


def test_the_same_words_are_replaced_only_as_whole_words_and_never_inside_placeholders(alpha):
    example = approved(alpha, f"Is {WORD}x the same as {WORD}? <PERSON> asks.",
                       f"{WORD} yes, PERSON-centred care.")
    start = example.question.index(f"{WORD}?")
    redact_post(alpha.client_for(alpha.reviewer), example, "question", start, start + len(WORD),
                sha(WORD), "REDACTED")
    with tenant_scope(alpha.tenant):
        example.refresh_from_db()
    assert example.question == f"Is {WORD}x the same as <REDACTED>? <PERSON> asks."
    assert example.answer == "<REDACTED> yes, PERSON-centred care."


@pytest.mark.parametrize("change", [
    {"sha256": sha("tolerate")},  # the hash of other words
    {"start": 3},  # offsets moved: the hash no longer matches
    {"start": -1}, {"end": 10_000}, {"start": 9, "end": 9},  # outside or empty
    {"start": "nine"},  # not a number
    {"field": "author"},  # not a text field
    {"type": "script"},  # not a placeholder type
])
def test_a_wrong_sha256_or_offset_is_refused_with_400_and_changes_nothing(alpha, change):
    example = approved(alpha)
    start = example.question.index(WORD)
    body = {"field": "question", "start": start, "end": start + len(WORD), "sha256": sha(WORD),
            "type": "PERSON", **change}
    response = alpha.client_for(alpha.reviewer).post(
        reverse("curation:redact_span", args=[example.pk]), body)
    assert response.status_code == 400
    with tenant_scope(alpha.tenant):
        after = Example.objects.get(pk=example.pk)
        assert (after.question, after.answer) == (example.question, example.answer)
        assert not ExampleRevision.objects.exists()
        assert all(WORD in Message.objects.get(pk=m).text for m in example.source_messages)
    assert audit_entries(alpha, phi_gate.Action.SPAN_REDACTED) == []


def test_offsets_counted_by_a_browser_over_crlf_line_breaks_find_the_stored_words(alpha):
    # A form-submitted textarea stores CR LF; the page's DOM shows it as one LF.
    example = approved(alpha, "Dose of metformin?", f"500 mg.\r\nAsk {WORD} first.")
    with tenant_scope(alpha.tenant):
        example.refresh_from_db()
    assert "\r\n" in example.answer
    seen = example.answer.replace("\r\n", "\n")
    start = seen.index(WORD)
    response = redact_post(alpha.client_for(alpha.reviewer), example, "answer", start,
                           start + len(WORD), sha(WORD))
    assert response.status_code == 302
    with tenant_scope(alpha.tenant):
        example.refresh_from_db()
    assert example.answer == "500 mg.\r\nAsk <PERSON> first."


def test_a_selection_that_cuts_through_a_placeholder_is_refused(alpha):
    example = approved(alpha, "Can <PERSON> take metformin?", "Yes.")
    with tenant_scope(alpha.tenant):
        example.refresh_from_db()
    start = example.question.index("<PERSON>") + 2
    response = redact_post(alpha.client_for(alpha.reviewer), example, "question", start,
                           start + 4, sha(example.question[start:start + 4]))
    assert response.status_code == 400 and b"cuts through a placeholder" in response.content


@pytest.mark.parametrize("route", ["curation:clear_phi", "curation:redact_span",
                                   "curation:report_example_phi"])
def test_another_tenants_example_is_404_like_a_missing_one(alpha, beta, route):
    example = approved(alpha)
    start = example.question.index(WORD)
    body = {"field": "question", "start": start, "end": start + len(WORD), "sha256": sha(WORD),
            "type": "PERSON"}
    for user in (beta.reviewer, beta.admin):
        client = beta.client_for(user)
        assert client.post(reverse(route, args=[example.pk]), body).status_code == 404
        assert client.post(reverse(route, args=[uuid.uuid4()]), body).status_code == 404
    with tenant_scope(alpha.tenant):
        assert Example.objects.get(pk=example.pk).question == example.question
        assert not PhiClearance.objects.exists()


def test_a_clinician_can_neither_clear_nor_redact_nor_report_in_the_portal(alpha):
    example = approved(alpha)
    client = alpha.client_for(alpha.clinician)
    start = example.question.index(WORD)
    body = {"field": "question", "start": start, "end": start + len(WORD), "sha256": sha(WORD),
            "type": "PERSON"}
    for route in ("curation:clear_phi", "curation:redact_span", "curation:report_example_phi"):
        assert client.post(reverse(route, args=[example.pk]), body).status_code == 403
    with tenant_scope(alpha.tenant):
        assert Example.objects.get(pk=example.pk).question == example.question
        assert not PhiClearance.objects.exists()


def test_redacting_a_frozen_example_flags_its_snapshot(alpha):
    example = approved(alpha)
    clear_residual_candidates(alpha)
    with tenant_scope(alpha.tenant):
        snapshot = services.freeze_training_set(alpha.admin)
    start = example.question.index(WORD)
    redact_post(alpha.client_for(alpha.admin), example, "question", start, start + len(WORD),
                sha(WORD))
    with tenant_scope(alpha.tenant):
        flag = TrainingSetFlag.objects.get()
        assert phi_gate.is_flagged(snapshot)
    assert flag.training_set_id == snapshot.pk and flag.reason == "span_redacted"


# --- report PHI and retrain ----------------------------------------------------------------------


def trained(users):
    """An approved example with the residual word, cleared, frozen and trained (an adapter)."""
    example = approved(users)
    clear_residual_candidates(users)
    adapter = adapter_version(users)  # freezes a snapshot holding every approved example
    with tenant_scope(users.tenant):
        adapter.run.hyperparameters = {"rank": 4, "epochs": 3}
        adapter.run.state = RunState.SUCCEEDED
        adapter.run.save()
    return example, adapter


def test_report_phi_on_a_chat_message_re_redacts_audits_and_flags_snapshot_and_adapter(alpha):
    base_model()
    example, adapter = trained(alpha)
    snapshot = adapter.run.training_set
    question_id = example.source_messages[0]
    client = alpha.client_for(alpha.clinician)
    with tenant_scope(alpha.tenant):
        conversation_id = Message.objects.get(pk=question_id).conversation_id
    page = client.get(reverse("curation:conversation_detail", args=[conversation_id]))
    assert b"Report PHI" in page.content
    response = client.post(reverse("curation:report_message_phi", args=[question_id]))
    assert response.status_code == 302
    with tenant_scope(alpha.tenant):
        assert Message.objects.get(pk=question_id).text == \
            "Does <PERSON> tolerate metformin at 500 mg?"
        example.refresh_from_db()
        assert WORD not in example.question and WORD not in example.answer
        assert ExampleRevision.objects.filter(example=example, change="phi_reported").exists()
    [entry] = audit_entries(alpha, phi_gate.Action.PHI_REPORTED)
    payload = json.loads(entry.payload_json)
    assert entry.target == f"message:{question_id}"
    assert payload["examples"] == [str(example.pk)] and payload["counts"] == {"PERSON": 4}
    assert payload["training_sets_flagged"] == [str(snapshot.pk)]
    assert no_raw_text(alpha, WORD)
    with tenant_scope(alpha.tenant):
        [flagged] = training.phi_flagged_snapshots()
    assert flagged["snapshot"] == snapshot and flagged["adapters"] == [adapter]
    banner = alpha.client_for(alpha.admin).get(reverse("training:runs")).content.decode()
    assert 'id="phi-banner"' in banner and adapter.serving_name in banner
    assert "Retrain from a corrected snapshot" in banner


def test_start_run_refuses_a_flagged_snapshot(alpha):
    base_model()
    example, adapter = trained(alpha)
    snapshot = adapter.run.training_set
    with tenant_scope(alpha.tenant):
        phi_gate.report_example(example, alpha.reviewer)
        with pytest.raises(training.TrainingError, match="Retrain from a corrected snapshot") \
                as refused:
            training.start_run(snapshot, alpha.admin)
        assert TrainingRun.objects.filter(training_set=snapshot).count() == 1  # no new run
    assert refused.value.code == "phi_reported"
    assert audit_entries(alpha, "training.run_refused")[0].target == f"training_set:{snapshot.pk}"
    client = alpha.client_for(alpha.admin)
    response = client.post(reverse("training:runs"), {"training_set": snapshot.pk}, follow=True)
    assert b"PHI was found in training set" in response.content
    page = client.get(reverse("training:runs")).content.decode()
    assert f'<option value="{snapshot.pk}" disabled>' in page
    response = client.post(reverse("training:runs"), {}, follow=True)  # nothing selectable
    assert b"Choose a training set that can be trained" in response.content


def test_a_run_queued_before_the_report_never_reaches_the_trainer(alpha):
    base_model()
    example = approved(alpha)
    clear_residual_candidates(alpha)
    with tenant_scope(alpha.tenant):
        snapshot = services.freeze_training_set(alpha.admin)
        run = TrainingRun.objects.create(training_set=snapshot, base_revision="b" * 64,
                                         created_by=alpha.admin, state=RunState.QUEUED)
        phi_gate.report_example(example, alpha.reviewer)

    def trainer(**kwargs):
        raise AssertionError("a flagged snapshot reached the trainer")

    assert training.execute_run(str(alpha.tenant.pk), str(run.pk), trainer=trainer) == \
        RunState.FAILED_USER
    with tenant_scope(alpha.tenant):
        assert TrainingRun.objects.get(pk=run.pk).error_code == "phi_reported"


def test_report_phi_on_an_example_with_a_selection_redacts_it_too(alpha):
    example = approved(alpha, "Dose of metformin for the Larkfield ward?", "500 mg twice daily.")
    with tenant_scope(alpha.tenant):
        example.refresh_from_db()
    start = example.question.index("metformin")
    response = alpha.client_for(alpha.reviewer).post(
        reverse("curation:report_example_phi", args=[example.pk]),
        {"field": "question", "start": start, "end": start + 9, "sha256": sha("metformin")})
    assert response.status_code == 302
    with tenant_scope(alpha.tenant):
        example.refresh_from_db()
    assert "metformin" not in example.question and "<REDACTED>" in example.question
    [entry] = audit_entries(alpha, phi_gate.Action.PHI_REPORTED)
    assert json.loads(entry.payload_json)["selection"] is True


def test_a_report_that_finds_nothing_and_selects_nothing_changes_nothing(alpha):
    message = exchange(alpha, "Dose of metformin?", "500 mg twice daily.")
    response = alpha.client_for(alpha.clinician).post(
        reverse("curation:report_message_phi", args=[message.pk]))
    assert response.status_code == 400 and b"Select the words that are PHI" in response.content
    assert audit_entries(alpha, phi_gate.Action.PHI_REPORTED) == []


def test_only_the_conversations_owner_reports_its_messages(alpha, beta):
    message = exchange(alpha, QUESTION, ANSWER)
    for client in (alpha.client_for(alpha.reviewer), beta.client_for(beta.clinician)):
        assert client.post(reverse("curation:report_message_phi",
                                   args=[message.pk])).status_code == 404
    with tenant_scope(alpha.tenant):
        assert WORD in Message.objects.get(pk=message.pk).text


def test_one_click_retrain_freezes_a_corrected_snapshot_and_queues_a_run(
        alpha, django_capture_on_commit_callbacks):
    base_model()
    example, adapter = trained(alpha)
    flagged = adapter.run.training_set
    with tenant_scope(alpha.tenant):
        phi_gate.report_example(example, alpha.reviewer)
    client = alpha.client_for(alpha.admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("training:retrain", args=[flagged.pk]))
    assert response.status_code == 302
    with tenant_scope(alpha.tenant):
        fresh = TrainingSet.objects.exclude(pk=flagged.pk).get()
        run = TrainingRun.objects.get(training_set=fresh)
        assert not phi_gate.is_flagged(fresh) and fresh.version == flagged.version + 1
        assert WORD not in json.dumps(services.read_training_set(fresh))
    assert run.state == RunState.QUEUED and len(callbacks) == 1
    assert run.hyperparameters["rank"] == 4 and run.hyperparameters["epochs"] == 3
    assert response["Location"] == reverse("training:run_detail", args=[run.pk])
    banner = client.get(reverse("training:runs")).content.decode()
    assert "Replaced by" in banner and "Retrain from a corrected snapshot" not in banner


def test_retrain_is_refused_while_the_gate_still_finds_phi(alpha):
    base_model()
    example, adapter = trained(alpha)
    flagged = adapter.run.training_set
    with tenant_scope(alpha.tenant):
        TrainingSetFlag.objects.create(training_set=flagged, example=example, reason="phi_reported",
                                       flagged_by=alpha.admin)
    approved(alpha)  # a new approved example whose residual word nobody has cleared yet
    page = alpha.client_for(alpha.admin).post(reverse("training:retrain", args=[flagged.pk]))
    assert page.status_code == 200 and b"still holds suspected PHI" in page.content
    with tenant_scope(alpha.tenant):
        assert TrainingSet.objects.count() == 1
        assert not AdapterVersion.objects.exclude(pk=adapter.pk).exists()
