"""Curation: redaction at ingest, four-eyes review, all-or-nothing import, frozen snapshots."""

import json

import pytest
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.utils import DatabaseError

from curation import services
from curation.models import CurationSettings, Example, Message, Review, TrainingSet
from tenants.audit import verify_chain
from tenants.models import AuditEntry
from tenants.scoping import tenant_scope
from tenants.storage import IntegrityError, tenant_prefix

from .factories import approved_example, exchange, proposed_example

PHI_QUESTION = ("Patient John Whitaker, MRN 48213377, DOB 03/14/1952, phone (617) 555-0142: "
                "should his metformin 1000 mg daily continue?")


def test_chat_messages_are_stored_redacted(alpha):
    message = exchange(alpha, PHI_QUESTION, "Yes, continue metformin 1000 mg daily.")
    with tenant_scope(alpha.tenant):
        question = Message.objects.get(conversation=message.conversation, role="user")
    for phi in ("Whitaker", "48213377", "03/14/1952", "555-0142"):
        assert phi not in question.text
    assert "<PERSON>" in question.text and "metformin 1000 mg daily" in question.text
    assert question.redaction_counts.get("PERSON", 0) >= 1


def test_a_proposed_exchange_becomes_a_pending_redacted_example(alpha):
    message = exchange(alpha, PHI_QUESTION, "Continue it.")
    with tenant_scope(alpha.tenant):
        example = services.propose_from_exchange(message, alpha.clinician,
                                                 "Continue; call Mr. Whitaker at 617-555-0142.")
    assert example.status == Example.Status.PENDING
    assert "Whitaker" not in example.question + example.answer
    assert "555-0142" not in example.answer
    assert example.source_messages[1] == str(message.pk)
    assert example.redaction_report["PERSON"] >= 2


def test_only_an_assistant_answer_can_be_proposed(alpha):
    message = exchange(alpha, "Question?", "Answer.")
    with tenant_scope(alpha.tenant):
        question = Message.objects.get(conversation=message.conversation, role="user")
        with pytest.raises(services.CurationError):
            services.propose_from_exchange(question, alpha.clinician)


def test_the_author_can_never_approve_their_own_example(alpha):
    example = proposed_example(alpha)
    with tenant_scope(alpha.tenant):
        with pytest.raises(services.FourEyesViolation):
            services.decide(example, alpha.clinician, "approve")
        example.refresh_from_db()
    assert example.status == Example.Status.PENDING


def test_approval_is_an_immutable_review_and_an_audit_entry(alpha):
    example = approved_example(alpha)
    assert example.status == Example.Status.APPROVED
    with tenant_scope(alpha.tenant):
        review = Review.objects.get(example=example)
        assert review.guideline_version
        assert AuditEntry.objects.filter(action="curation.review_approve",
                                         target=f"example:{example.pk}").exists()
        with pytest.raises(ValueError, match="immutable"):
            review.save()
        with (pytest.raises(DatabaseError, match="immutable"), transaction.atomic(),
              connection.cursor() as cursor):
            cursor.execute("UPDATE curation_review SET reason = 'x' WHERE id = %s", [review.pk])
    assert verify_chain(alpha.tenant).ok


def test_two_approvals_when_the_tenant_requires_them(alpha):
    with tenant_scope(alpha.tenant):
        CurationSettings.objects.update_or_create(tenant=alpha.tenant,
                                                  defaults={"required_approvals": 2})
    example = proposed_example(alpha)
    with tenant_scope(alpha.tenant):
        services.decide(example, alpha.reviewer, "approve")
        example.refresh_from_db()
        assert example.status == Example.Status.PENDING
        with pytest.raises(services.CurationError, match="already decided"):
            services.decide(example, alpha.reviewer, "approve")
        services.decide(example, alpha.admin, "approve")
        example.refresh_from_db()
    assert example.status == Example.Status.APPROVED


def test_reject_needs_a_reason_and_approve_with_edit_is_redacted(alpha):
    first, second = proposed_example(alpha), proposed_example(alpha)
    with tenant_scope(alpha.tenant):
        with pytest.raises(services.CurationError, match="why"):
            services.decide(first, alpha.reviewer, "reject")
        services.decide(first, alpha.reviewer, "reject", reason="Outdated guidance")
        review = services.decide(second, alpha.reviewer, "approve_edit",
                                 edited_answer="Metformin; ask Dr. Hannah Price first.")
        second.refresh_from_db()
        first.refresh_from_db()
    assert first.status == Example.Status.REJECTED
    # The editor wrote the new text: another reviewer must approve it (tests/test_security_review)
    assert second.status == Example.Status.PENDING
    assert "Hannah Price" not in second.answer and "<PERSON>" in second.answer
    assert review.edited_text_sha256 and review.previous_answer_sha256


def test_undo_voids_the_last_decision_and_reopens_the_example(alpha):
    example = approved_example(alpha)
    with tenant_scope(alpha.tenant):
        undo = services.undo_last_decision(alpha.reviewer)
        example.refresh_from_db()
        assert undo is not None and undo.voids is not None
        assert example.status == Example.Status.PENDING
        services.decide(example, alpha.reviewer, "reject", reason="Second thoughts")
        example.refresh_from_db()
    assert example.status == Example.Status.REJECTED


def test_a_decision_frozen_into_a_training_set_cannot_be_undone(alpha):
    example = approved_example(alpha)
    other = approved_example(alpha)
    with tenant_scope(alpha.tenant):
        training_set = services.freeze_training_set(alpha.admin)
        assert {m.example_id for m in training_set.members.all()} == {example.pk, other.pk}
        with pytest.raises(services.CurationError, match="already part of a training set"):
            services.undo_last_decision(alpha.reviewer)
        assert Example.objects.get(pk=other.pk).status == Example.Status.APPROVED


def test_import_is_all_or_nothing_and_names_bad_lines(alpha):
    good = json.dumps({"question": "Max dose of ibuprofen?", "answer": "3200 mg per day."})
    bad = b"\n".join([good.encode(), b"{not json", good.encode(),
                      json.dumps({"question": "only"}).encode()])
    with tenant_scope(alpha.tenant):
        report = services.import_examples(bad, "batch.jsonl", alpha.admin)
        assert report.created == 0
        assert report.errors == ["line 2: not valid JSON",
                                 "line 4: question and answer must both be strings"]
        assert Example.objects.count() == 0
        phi_line = json.dumps({"question": "Can Maria Gonzalez (SSN 123-45-6789) take it?",
                               "answer": "Yes."})
        report = services.import_examples(f"{good}\n{phi_line}\n".encode(), "b.jsonl",
                                          alpha.admin)
        assert report.created == 2 and report.errors == []
        texts = " ".join(Example.objects.values_list("question", flat=True))
    assert "Gonzalez" not in texts and "123-45-6789" not in texts


def test_freezing_writes_an_immutable_hashed_snapshot_in_tenant_storage(alpha):
    approved_example(alpha)
    proposed_example(alpha)  # pending: not frozen
    with tenant_scope(alpha.tenant):
        snapshot = services.freeze_training_set(alpha.admin)
        records = services.read_training_set(snapshot)
        with pytest.raises(ValueError, match="immutable"):
            snapshot.save()
    assert snapshot.storage_key.startswith(tenant_prefix(alpha.tenant) + "datasets/")
    assert snapshot.example_count == 1 and len(records) == 1
    assert records[0]["messages"][1]["role"] == "assistant"
    assert snapshot.manifest["example_ids"] and snapshot.manifest["review_ids"]
    assert snapshot.manifest["sha256"] == snapshot.sha256


def test_freezing_nothing_is_a_clear_error(alpha):
    with tenant_scope(alpha.tenant), pytest.raises(services.CurationError, match="no approved"):
        services.freeze_training_set(alpha.admin)


def test_a_tampered_snapshot_file_is_detected_on_read(alpha):
    approved_example(alpha)
    with tenant_scope(alpha.tenant):
        snapshot = services.freeze_training_set(alpha.admin)
    path = default_storage.path(snapshot.storage_key)
    with open(path, "r+b") as handle:
        data = bytearray(handle.read())
        data[5] ^= 0x01
        handle.seek(0)
        handle.write(bytes(data))
    with tenant_scope(alpha.tenant), pytest.raises(IntegrityError, match="tampered"):
        services.read_training_set(snapshot)


def test_beta_cannot_read_alphas_snapshot_even_with_its_id(alpha, beta):
    approved_example(alpha)
    with tenant_scope(alpha.tenant):
        snapshot = services.freeze_training_set(alpha.admin)
    with tenant_scope(beta.tenant):
        with pytest.raises(TrainingSet.DoesNotExist):
            TrainingSet.objects.get(pk=snapshot.pk)
        from tenants.storage import StorageKeyError, read_verified

        with pytest.raises(StorageKeyError):
            read_verified(beta.tenant, snapshot.storage_key, snapshot.sha256)
