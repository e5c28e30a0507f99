"""Curation pages and API: role rules, four-eyes over HTTP, and no raw PHI anywhere."""

import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from curation.models import Example
from tenants.scoping import tenant_scope

from .factories import approved_example, exchange, proposed_example
from .pg import superuser_connection

RAW_PHI = ["Eleanor Vasquez-Pike", "MRN 77120943", "77120943", "eleanor.vp@example.org",
           "(503) 555-0199", "412 Larkspur Lane"]
RAW_MESSAGE = ("Eleanor Vasquez-Pike, MRN 77120943, lives at 412 Larkspur Lane, Portland; "
               "reach her at eleanor.vp@example.org or (503) 555-0199. Is lisinopril 10 mg "
               "right for her?")


def test_a_clinician_proposes_an_exchange_from_the_conversation_page(alpha):
    message = exchange(alpha, "Dose of amoxicillin for otitis?", "80-90 mg/kg/day in two doses.")
    client = alpha.client_for(alpha.clinician)
    page = client.get(reverse("curation:conversation_detail", args=[message.conversation_id]))
    assert page.status_code == 200 and b"Propose this exchange" in page.content
    response = client.post(reverse("curation:propose", args=[message.pk]),
                           {"edited_answer": ""}, follow=True)
    assert b"Proposed for training" in response.content
    with tenant_scope(alpha.tenant):
        assert Example.objects.get().author == alpha.clinician


def test_clinicians_cannot_reach_the_reviewer_portal(alpha):
    example = proposed_example(alpha)
    client = alpha.client_for(alpha.clinician)
    assert client.get(reverse("curation:review_queue")).status_code == 403
    assert client.post(reverse("curation:decide", args=[example.pk]),
                       {"decision": "approve"}).status_code == 403


def test_the_author_cannot_approve_their_own_example_over_http(alpha):
    example = proposed_example(alpha)
    # the admin holds the reviewer role too; make them the author
    with tenant_scope(alpha.tenant):
        Example.objects.filter(pk=example.pk).update(author=alpha.admin)
    client = alpha.client_for(alpha.admin)
    page = client.get(reverse("curation:review_example", args=[example.pk]))
    assert b"You wrote this example" in page.content
    response = client.post(reverse("curation:decide", args=[example.pk]),
                           {"decision": "approve"})
    assert response.status_code == 403
    api = client.post(reverse("curation-api:example-decide", args=[example.pk]),
                      {"decision": "approve"}, content_type="application/json")
    assert api.status_code == 403
    with tenant_scope(alpha.tenant):
        assert Example.objects.get(pk=example.pk).status == "pending"


def test_a_reviewer_approves_and_is_sent_to_the_next_example(alpha):
    first, second = proposed_example(alpha), proposed_example(alpha)
    client = alpha.client_for(alpha.reviewer)
    response = client.post(reverse("curation:decide", args=[first.pk]), {"decision": "approve"})
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow["Location"].endswith(reverse("curation:review_example", args=[second.pk]))


def test_import_page_reports_bad_lines_and_imports_nothing(alpha):
    client = alpha.client_for(alpha.admin)
    upload = SimpleUploadedFile("x.jsonl", b'{"question": "q", "answer": "a"}\n[1, 2]\n')
    response = client.post(reverse("curation:import"), {"file": upload})
    assert b"line 2: expected an object" in response.content
    with tenant_scope(alpha.tenant):
        assert Example.objects.count() == 0


def test_training_sets_page_freezes_approved_examples(alpha):
    approved_example(alpha)
    client = alpha.client_for(alpha.admin)
    response = client.post(reverse("curation:training_sets"), follow=True)
    assert b"Froze training set v1" in response.content
    assert b"verified" in response.content


def test_api_lists_examples_decides_and_freezes(alpha):
    example = proposed_example(alpha)
    reviewer = alpha.client_for(alpha.reviewer)
    listed = reviewer.get(reverse("curation-api:example-list") + "?status=pending").json()
    assert [e["id"] for e in listed] == [str(example.pk)]
    decided = reviewer.post(reverse("curation-api:example-decide", args=[example.pk]),
                            {"decision": "approve"}, content_type="application/json")
    assert decided.status_code == 201
    admin = alpha.client_for(alpha.admin)
    snapshot = admin.post(reverse("curation-api:training-set-list"))
    assert snapshot.status_code == 201 and snapshot.json()["example_count"] == 1
    assert reviewer.post(reverse("curation-api:training-set-list")).status_code == 403


def test_api_propose_only_from_your_own_conversations(alpha):
    message = exchange(alpha, "Q?", "A.")
    other = alpha.client_for(alpha.reviewer)
    refused = other.post(reverse("curation-api:example-list"), {"message": str(message.pk)},
                         content_type="application/json")
    assert refused.status_code == 400
    own = alpha.client_for(alpha.clinician).post(
        reverse("curation-api:example-list"), {"message": str(message.pk)},
        content_type="application/json")
    assert own.status_code == 201 and own.json()["status"] == "pending"


def test_openapi_schema_documents_the_curation_api(alpha):
    schema = alpha.client_for(alpha.admin).get(reverse("api_schema") + "?format=json")
    paths = json.loads(schema.content)["paths"]
    assert "/api/curation/examples/{id}/decide/" in paths
    assert "/api/curation/training-sets/" in paths


@pytest.mark.django_db(transaction=True)
def test_no_raw_phi_from_a_submitted_message_reaches_the_database_or_logs(alpha, caplog):
    caplog.set_level(logging.DEBUG)
    message = exchange(alpha, RAW_MESSAGE, "Lisinopril 10 mg daily is reasonable.")
    client = alpha.client_for(alpha.clinician)
    client.post(reverse("curation:propose", args=[message.pk]),
                {"edited_answer": f"Yes for {RAW_PHI[0]} ({RAW_PHI[2]})."})
    upload = SimpleUploadedFile("import.jsonl", json.dumps(
        {"question": RAW_MESSAGE, "answer": "Lisinopril 10 mg."}).encode())
    alpha.client_for(alpha.admin).post(reverse("curation:import"), {"file": upload})
    with tenant_scope(alpha.tenant):
        assert Example.objects.count() == 2
    # Every text column of every table, read as a superuser (past RLS).
    dump = []
    with superuser_connection() as su:
        tables = [r[0] for r in su.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")]
        for table in tables:
            for row in su.execute(f'SELECT * FROM "{table}"'):
                dump.append(" ".join(str(v) for v in row))
    everything = "\n".join(dump)
    logs = "\n".join(r.getMessage() for r in caplog.records)
    assert "Lisinopril 10 mg" in everything  # the dump is real: clinical text is there
    for phi in RAW_PHI:
        assert phi not in everything, f"raw PHI {phi!r} reached the database"
        assert phi not in logs, f"raw PHI {phi!r} reached the logs"


def test_tenant_admin_requires_two_approvals_from_the_settings_page(alpha):
    client = alpha.client_for(alpha.admin)
    response = client.post(reverse("curation:settings"),
                           {"required_approvals": "2", "guideline_version": "v2"}, follow=True)
    assert b"Curation settings saved" in response.content
    bad = client.post(reverse("curation:settings"),
                      {"required_approvals": "7", "guideline_version": "v2"}, follow=True)
    assert b"one or two approvals" in bad.content
    assert alpha.client_for(alpha.reviewer).get(reverse("curation:settings")).status_code == 403
    example = proposed_example(alpha)
    alpha.client_for(alpha.reviewer).post(reverse("curation:decide", args=[example.pk]),
                                          {"decision": "approve"})
    with tenant_scope(alpha.tenant):
        assert Example.objects.get(pk=example.pk).status == "pending"
