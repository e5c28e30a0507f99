"""No silent operator access to a tenant: the attacks a platform operator could try, each of
which must fail or leave a trace in the tenant's own audit chain."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from tenants import audit
from tenants.models import AuditEntry, Membership, Role
from tenants.scoping import tenant_scope
from tenants.services import add_member, get_or_create_user

from .conftest import PASSWORD
from .factories import proposed_example
from .mfa import force_login_verified

pytestmark = pytest.mark.django_db


def operator(django_user_model, name: str = "op@sanoweb.test"):
    return django_user_model.objects.create_superuser(name, name, "operator-pass")


def logged_in(user) -> Client:
    client = Client()
    force_login_verified(client, user)
    return client


def entries(tenant) -> list[AuditEntry]:
    with tenant_scope(tenant):
        return list(AuditEntry.objects.order_by("seq"))


def last(tenant) -> AuditEntry:
    return entries(tenant)[-1]


# --- memberships: only through audited services; never for operators ---


def test_a_superuser_cannot_add_themselves_to_a_tenant_in_the_admin(alpha, django_user_model):
    op = operator(django_user_model)
    client = logged_in(op)
    assert client.get("/admin/tenants/membership/add/").status_code == 403
    response = client.post("/admin/tenants/membership/add/",
                           {"user": op.pk, "tenant": alpha.tenant.pk, "role": Role.TENANT_ADMIN})
    assert response.status_code == 403
    assert not Membership.objects.filter(user=op).exists()
    # Positive control: the operator does reach the admin's (read-only) membership list.
    assert client.get("/admin/tenants/membership/").status_code == 200


def test_a_superuser_cannot_change_or_delete_a_membership_in_the_admin(alpha, django_user_model):
    client = logged_in(operator(django_user_model))
    membership = Membership.objects.get(user=alpha.clinician)
    url = f"/admin/tenants/membership/{membership.pk}/change/"
    client.post(url, {"user": membership.user_id, "tenant": alpha.tenant.pk,
                      "role": Role.TENANT_ADMIN})
    assert client.post(f"/admin/tenants/membership/{membership.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.CLINICIAN


def test_deleting_a_members_account_in_the_admin_is_refused(alpha, django_user_model):
    # The cascade would remove the membership without an audit entry.
    client = logged_in(operator(django_user_model))
    response = client.post(f"/admin/auth/user/{alpha.clinician.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Membership.objects.filter(user=alpha.clinician).exists()


@pytest.mark.parametrize("kind", ["superuser", "staff"])
def test_the_services_refuse_to_make_an_operator_a_member(alpha, django_user_model, kind):
    user = django_user_model.objects.create_user(f"{kind}@sanoweb.test", f"{kind}@sanoweb.test",
                                                 "x-pass", is_staff=True,
                                                 is_superuser=kind == "superuser")
    with pytest.raises(PermissionDenied, match="Platform operators"):
        add_member(alpha.tenant, user, Role.REVIEWER, actor="system:test")
    with pytest.raises(PermissionDenied, match="Platform operators"):
        Membership.objects.create(user=user, tenant=alpha.tenant, role=Role.REVIEWER)
    assert not Membership.objects.filter(user=user).exists()


def test_a_membership_row_inserted_for_a_superuser_by_hand_gives_no_tenant_access(
        alpha, django_user_model):
    proposed_example(alpha, question="What dose of zorbitanib?", answer="42 mg.")
    op = operator(django_user_model)
    # bulk_create skips Model.save, as raw SQL would.
    Membership.objects.bulk_create([Membership(user=op, tenant=alpha.tenant,
                                               role=Role.TENANT_ADMIN)])
    client = logged_in(op)
    response = client.get(reverse("curation:review_queue"))
    assert response.status_code == 302 and b"zorbitanib" not in response.content
    assert client.post(reverse("choose_tenant"), {"tenant": "alpha"}).status_code == 404
    assert client.get(reverse("audit_log")).status_code == 302
    # Positive control: the tenant's own reviewer does see the queue.
    assert b"zorbitanib" in logged_in(alpha.reviewer).get(
        reverse("curation:review_queue")).content


def test_a_member_made_superuser_later_loses_tenant_access(alpha):
    client = logged_in(alpha.reviewer)
    assert client.get(reverse("curation:review_queue")).status_code == 200
    type(alpha.reviewer).objects.filter(pk=alpha.reviewer.pk).update(is_superuser=True)
    assert client.get(reverse("curation:review_queue")).status_code == 302


# --- passwords set by an operator ---


def test_an_operators_password_change_of_a_clinician_lands_in_the_tenants_chain(
        alpha, beta, django_user_model):
    add_member(beta.tenant, alpha.clinician, Role.CLINICIAN, actor="system:test")
    op = operator(django_user_model)
    response = logged_in(op).post(
        f"/admin/auth/user/{alpha.clinician.pk}/password/",
        {"password1": "operator-chosen-pass-1", "password2": "operator-chosen-pass-1"})
    assert response.status_code == 302
    alpha.clinician.refresh_from_db()
    assert alpha.clinician.check_password("operator-chosen-pass-1")
    for tenant in (alpha.tenant, beta.tenant):
        entry = last(tenant)
        assert (entry.action, entry.actor, entry.target) == (
            audit.Action.MEMBER_PASSWORD_SET_BY_OPERATOR, f"user:{op.pk}",
            f"user:{alpha.clinician.pk}")
        assert audit.verify_chain(tenant).ok


def test_a_refused_password_form_writes_nothing(alpha, django_user_model):
    before = len(entries(alpha.tenant))
    response = logged_in(operator(django_user_model)).post(
        f"/admin/auth/user/{alpha.clinician.pk}/password/",
        {"password1": "one-pass-aaaa", "password2": "another-pass-bbbb"})
    assert response.status_code == 200
    assert len(entries(alpha.tenant)) == before


# --- logins ---


def test_a_failed_login_of_a_member_is_in_the_tenants_chain(alpha):
    response = Client().post(reverse("login"), {"username": alpha.clinician.email,
                                                "password": "not-the-password"})
    assert response.status_code == 200
    entry = last(alpha.tenant)
    assert (entry.action, entry.target) == (audit.Action.LOGIN_FAILED,
                                            f"user:{alpha.clinician.pk}")
    assert "not-the-password" not in entry.payload_json


def test_a_failed_login_for_an_unknown_email_writes_nowhere(alpha):
    before = len(entries(alpha.tenant))
    Client().post(reverse("login"), {"username": "nobody@alpha.test", "password": "x"})
    assert len(entries(alpha.tenant)) == before


def test_a_login_of_a_member_is_in_the_tenants_chain(alpha):
    Client().post(reverse("login"), {"username": alpha.clinician.email, "password": PASSWORD})
    entry = last(alpha.tenant)
    assert (entry.action, entry.actor) == (audit.Action.LOGIN, f"user:{alpha.clinician.pk}")


def test_choosing_a_tenant_is_in_its_chain(alpha, beta):
    add_member(beta.tenant, alpha.reviewer, Role.REVIEWER, actor="system:test")
    logged_in(alpha.reviewer).post(reverse("choose_tenant"), {"tenant": "beta"})
    entry = last(beta.tenant)
    assert (entry.action, entry.actor) == (audit.Action.TENANT_SELECTED,
                                           f"user:{alpha.reviewer.pk}")


# --- pages that show a tenant's text ---


def test_viewing_the_review_queue_is_in_the_tenants_chain(alpha):
    assert logged_in(alpha.reviewer).get(reverse("curation:review_queue")).status_code == 200
    entry = last(alpha.tenant)
    assert (entry.action, entry.actor, entry.payload) == (
        audit.Action.PAGE_VIEWED, f"user:{alpha.reviewer.pk}", {"view": "curation:review_queue"})


def test_viewing_an_example_records_its_id_and_none_of_its_text(alpha):
    example = proposed_example(alpha, question="What dose of zorbitanib?", answer="42 mg.")
    client = logged_in(alpha.reviewer)
    assert client.get(reverse("curation:review_example", args=[example.pk])).status_code == 200
    entry = last(alpha.tenant)
    assert entry.payload == {"view": "curation:review_example", "object_id": str(example.pk)}
    assert "zorbitanib" not in entry.payload_json
    assert client.get(reverse("curation-api:example-detail", args=[example.pk])).status_code \
        == 200
    assert last(alpha.tenant).payload == {"view": "curation-api:example-detail",
                                          "object_id": str(example.pk)}


def test_a_refused_page_is_not_recorded_as_viewed(alpha):
    client = logged_in(alpha.clinician)  # the login itself is an entry
    before = len(entries(alpha.tenant))
    assert client.get(reverse("curation:review_queue")).status_code == 403
    assert len(entries(alpha.tenant)) == before


# --- the tenant admins' Members page ---


def test_a_tenant_admin_adds_changes_and_removes_a_member_each_audited(alpha):
    newcomer = get_or_create_user("newcomer@alpha.test", PASSWORD).user
    client = logged_in(alpha.admin)
    assert b"reviewer@alpha.test" in client.get(reverse("members")).content
    client.post(reverse("members"), {"email": "Newcomer@Alpha.test", "role": Role.REVIEWER})
    membership = Membership.objects.get(user=newcomer, tenant=alpha.tenant)
    assert membership.role == Role.REVIEWER
    assert (last(alpha.tenant).action, last(alpha.tenant).target) == (
        audit.Action.MEMBER_ADDED, f"user:{newcomer.pk}")
    client.post(reverse("member_role", args=[membership.pk]), {"role": Role.CLINICIAN})
    membership.refresh_from_db()
    assert membership.role == Role.CLINICIAN
    entry = last(alpha.tenant)
    assert (entry.action, entry.actor, entry.payload) == (
        audit.Action.MEMBER_ROLE_CHANGED, f"user:{alpha.admin.pk}",
        {"from": Role.REVIEWER, "to": Role.CLINICIAN})
    client.post(reverse("member_remove", args=[membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert last(alpha.tenant).action == audit.Action.MEMBER_REMOVED
    assert audit.verify_chain(alpha.tenant).ok


def test_the_last_tenant_admin_cannot_demote_or_remove_themselves(alpha):
    mine = Membership.objects.get(user=alpha.admin, tenant=alpha.tenant)
    client = logged_in(alpha.admin)
    client.post(reverse("member_role", args=[mine.pk]), {"role": Role.CLINICIAN})
    client.post(reverse("member_remove", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.role == Role.TENANT_ADMIN
    # With a second admin, the first may step down.
    add_member(alpha.tenant, alpha.reviewer, Role.TENANT_ADMIN, actor="system:test")
    client.post(reverse("member_role", args=[mine.pk]), {"role": Role.CLINICIAN})
    mine.refresh_from_db()
    assert mine.role == Role.CLINICIAN


def test_a_tenant_admin_cannot_add_an_operator_account(alpha, django_user_model):
    op = operator(django_user_model)
    response = logged_in(alpha.admin).post(reverse("members"), {"email": op.email,
                                                                 "role": Role.REVIEWER},
                                           follow=True)
    assert b"Platform operators" in response.content
    assert not Membership.objects.filter(user=op).exists()


def test_only_tenant_admins_reach_the_members_page(alpha):
    assert logged_in(alpha.reviewer).get(reverse("members")).status_code == 403
    membership = Membership.objects.get(user=alpha.clinician)
    logged_in(alpha.reviewer).post(reverse("member_remove", args=[membership.pk]))
    assert Membership.objects.filter(pk=membership.pk).exists()
