"""Login, the tenant switcher and role-based access."""

import pytest
from django.test import Client
from django.urls import reverse

from tenants.models import Role, Tenant
from tenants.services import add_member

from .conftest import PASSWORD


def test_anonymous_users_are_sent_to_login(db):
    response = Client().get(reverse("audit_log"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_login_with_email_and_password_lands_on_the_single_tenant(alpha):
    client = Client()
    response = client.post(reverse("login"), {"username": alpha.clinician.email,
                                              "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert b"Alpha" in response.content and b"Clinician" in response.content


def test_a_clinician_cannot_reach_the_tenant_admins_audit_log(alpha):
    assert alpha.client_for(alpha.clinician).get(reverse("audit_log")).status_code == 403
    assert alpha.client_for(alpha.reviewer).get(reverse("audit_log")).status_code == 403
    assert alpha.client_for(alpha.admin).get(reverse("audit_log")).status_code == 200


def test_a_member_of_two_tenants_chooses_one_and_acts_only_for_it(alpha, beta):
    add_member(beta.tenant, alpha.admin, Role.CLINICIAN, actor="system:test")
    client = alpha.client_for(alpha.admin)
    assert client.get(reverse("home")).status_code == 302  # must choose first
    page = client.get(reverse("choose_tenant")).content.decode()
    assert "Alpha" in page and "Beta" in page
    client.post(reverse("choose_tenant"), {"tenant": "beta"})
    assert client.get(reverse("audit_log")).status_code == 403  # clinician in beta
    client.post(reverse("choose_tenant"), {"tenant": "alpha"})
    assert client.get(reverse("audit_log")).status_code == 200


def test_choosing_a_tenant_you_do_not_belong_to_is_404(alpha, beta):
    client = alpha.client_for(alpha.clinician)
    assert client.post(reverse("choose_tenant"), {"tenant": "beta"}).status_code == 404
    assert client.post(reverse("choose_tenant"), {"tenant": "nope"}).status_code == 404


def test_a_suspended_tenant_cannot_be_used(alpha):
    client = alpha.client_for(alpha.admin)
    assert client.get(reverse("audit_log")).status_code == 200
    Tenant.objects.filter(pk=alpha.tenant.pk).update(status=Tenant.Status.SUSPENDED)
    assert client.get(reverse("audit_log")).status_code == 302
    assert client.post(reverse("choose_tenant"), {"tenant": "alpha"}).status_code == 404


@pytest.mark.parametrize("who", ["admin", "reviewer", "clinician"])
def test_tenant_users_are_turned_away_from_the_platform_admin(alpha, who):
    client = alpha.client_for(getattr(alpha, who))
    response = client.get("/admin/tenants/tenant/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
