"""Four eyes means four eyes on the final text: an approval binds to the exact answer it saw,
an edit voids it, and whoever edited the answer is one of its authors."""

import pytest
from django.urls import reverse

from curation import phi_gate, services
from curation.models import CurationSettings, Example, Review
from tenants.models import AuditEntry, Role
from tenants.scoping import tenant_scope
from tenants.services import add_member, get_or_create_user
from tenants.storage import sha256_hex

from .conftest import PASSWORD, TenantUsers
from .factories import proposed_example

EDITED = "Metformin 500 mg twice daily; check kidney function first."


def second_reviewer(users: TenantUsers):
    user = get_or_create_user(f"reviewer2@{users.tenant.slug}.test", PASSWORD).user
    add_member(users.tenant, user, Role.REVIEWER, actor="system:test")
    return user


def require(users: TenantUsers, approvals: int) -> None:
    with tenant_scope(users.tenant):
        CurationSettings.objects.update_or_create(tenant=users.tenant,
                                                  defaults={"required_approvals": approvals})


def status_of(users: TenantUsers, example: Example) -> str:
    with tenant_scope(users.tenant):
        example.refresh_from_db()
    return example.status


def test_r1s_edit_voids_r2s_approval(alpha):
    require(alpha, 2)
    r1, r2, r3 = alpha.reviewer, alpha.admin, second_reviewer(alpha)
    example = proposed_example(alpha)
    with tenant_scope(alpha.tenant):
        services.decide(example, r2, "approve")
        services.decide(example, r1, "approve_edit", edited_answer=EDITED)
        example.refresh_from_db()
        # The attack: two approvals recorded, but R2 never saw this text.
        assert example.answer == EDITED
        assert example.status == Example.Status.PENDING
        assert services.approvers_of_current_text(example) == set()
        # R2 sees the example again in the queue and can approve what it now says.
        queue = alpha.client_for(r2).get(reverse("curation:review_next"))
        assert queue.url == reverse("curation:review_example", args=[example.pk])
        services.decide(example, r2, "approve")
        assert status_of(alpha, example) == Example.Status.PENDING  # one approval of two
        services.decide(example, r3, "approve")
        assert status_of(alpha, example) == Example.Status.APPROVED
        approval = Review.objects.filter(example=example, reviewer=r3).get()
        assert approval.answer_sha256 == sha256_hex(EDITED.encode())
        entry = AuditEntry.objects.filter(action="curation.review_approve").last()
        assert entry is not None and entry.payload["answer_sha256"] == approval.answer_sha256


def test_the_editor_cannot_approve_their_own_edit(alpha):
    require(alpha, 2)
    example = proposed_example(alpha)
    with tenant_scope(alpha.tenant):
        services.decide(example, alpha.reviewer, "approve_edit", edited_answer=EDITED)
        for decision, extra in (("approve", {}), ("approve_edit", {"edited_answer": "Other."}),
                                ("reject", {"reason": "changed my mind"})):
            with pytest.raises(services.FourEyesViolation, match="edited this answer"):
                services.decide(example, alpha.reviewer, decision, **extra)
        with pytest.raises(services.CurationError, match="cannot be undone"):
            services.undo_last_decision(alpha.reviewer)
    assert status_of(alpha, example) == Example.Status.PENDING
    # Through the page as well: a 403, and the example is not in the editor's queue.
    client = alpha.client_for(alpha.reviewer)
    refused = client.post(reverse("curation:decide", args=[example.pk]), {"decision": "approve"})
    assert refused.status_code == 403
    assert client.get(reverse("curation:review_next")).url == reverse("curation:review_queue")
    assert status_of(alpha, example) == Example.Status.PENDING


def test_with_one_approval_required_an_edit_still_needs_another_reviewers_approval(alpha):
    require(alpha, 1)
    example = proposed_example(alpha)
    with tenant_scope(alpha.tenant):
        services.decide(example, alpha.reviewer, "approve_edit", edited_answer=EDITED)
        assert status_of(alpha, example) == Example.Status.PENDING
        with pytest.raises(services.FourEyesViolation):
            services.decide(example, alpha.clinician, "approve")  # the proposer, as before
        services.decide(example, alpha.admin, "approve")
    assert status_of(alpha, example) == Example.Status.APPROVED


def test_a_phi_redaction_after_an_approval_does_not_void_it(alpha):
    """Positive control: only an edit voids; a placeholder put in by the PHI tools does not."""
    require(alpha, 2)
    example = proposed_example(alpha, answer="Metformin 500 mg twice daily, see the leaflet.")
    with tenant_scope(alpha.tenant):
        services.decide(example, alpha.admin, "approve")
        example.refresh_from_db()
        start = example.answer.index("leaflet")
        phi_gate.redact_span(example, alpha.reviewer, phi_gate.Selection(
            field="answer", start=start, end=start + len("leaflet"), entity_type="PERSON",
            sha256=sha256_hex(b"leaflet")))
        example.refresh_from_db()
        assert "leaflet" not in example.answer
        assert services.approvers_of_current_text(example) == {alpha.admin.pk}
        services.decide(example, alpha.reviewer, "approve")
    assert status_of(alpha, example) == Example.Status.APPROVED
