"""A password alone must not open a reviewer's, a tenant admin's or an operator's account: the
attacks someone holding only the password could try, each of which must fail, and the
operator-side changes that must leave a trace in the tenant's chain."""

from __future__ import annotations

import base64
import io
import re
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tenants import audit
from tenants.models import AuditEntry
from tenants.scoping import tenant_scope

from .conftest import PASSWORD
from .mfa import code, code_from_secret, device_for, force_login_verified, fresh_code

pytestmark = pytest.mark.django_db


def password_only(email: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": email, "password": password})
    assert response.status_code == 302, "the password itself must be accepted"
    return client


def actions(tenant) -> list[str]:
    with tenant_scope(tenant):
        return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def secret_on(page: str) -> str:
    found = re.search(r'data-totp-secret="([A-Z2-7=]+)"', page)
    assert found, "the enrolment page shows the key for an authenticator app"
    return found.group(1)


def test_a_reviewer_password_alone_opens_neither_the_queue_nor_the_api(alpha):
    client = password_only(alpha.reviewer.username)
    queue = client.get("/curation/review/")
    assert queue.status_code == 302 and queue["Location"].startswith("/accounts/mfa/")
    api = client.get("/api/curation/examples/")
    assert api.status_code == 403 and api.json()["code"] == "mfa_required"


def test_a_tenant_admin_password_alone_cannot_create_an_api_key(alpha):
    client = password_only(alpha.admin.username)
    response = client.post(reverse("inference:api_keys"), {"name": "stolen"})
    assert response.status_code == 302 and "/accounts/mfa/" in response["Location"]
    from inference.models import ApiKey

    assert not ApiKey.objects.filter(tenant=alpha.tenant).exists()


def test_an_operator_password_alone_does_not_open_the_admin_site(django_user_model):
    django_user_model.objects.create_superuser("op@sanoweb.test", "op@sanoweb.test", "op-pass")
    client = password_only("op@sanoweb.test", "op-pass")
    response = client.get("/admin/tenants/tenant/")
    assert response.status_code == 302 and "/accounts/mfa/" in response["Location"]


def test_enrolment_confirms_only_with_the_apps_code_and_is_audited(alpha):
    client = password_only(alpha.reviewer.username)
    page = client.get(reverse("mfa_enrol")).content.decode()
    secret = secret_on(page)
    assert "<svg" in page, "a QR code of the otpauth URI"
    wrong = client.post(reverse("mfa_enrol"), {"token": "000000"})
    assert wrong.status_code == 200 and b"did not match" in wrong.content
    assert client.get("/curation/review/").status_code == 302
    time.sleep(1.1)  # django-otp refuses every code for 1 s after a wrong one

    done = client.post(reverse("mfa_enrol"), {"token": code_from_secret(secret),
                                               "next": "/curation/review/"})
    assert done.status_code == 302 and done["Location"] == "/curation/review/"
    assert client.get("/curation/review/").status_code == 200
    assert TOTPDevice.objects.get(user=alpha.reviewer).confirmed
    assert audit.Action.MFA_ENROLLED in actions(alpha.tenant)


def test_a_stolen_password_cannot_enrol_a_second_device(alpha):
    device_for(alpha.reviewer)  # the real reviewer's phone
    attacker = password_only(alpha.reviewer.username)
    page = attacker.get(reverse("mfa_enrol"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("mfa_verify"))
    # Posting a code from a key of the attacker's choosing confirms nothing either.
    attempt = attacker.post(reverse("mfa_enrol"), {"token": code(b"attacker-key-0123456")})
    assert attempt.status_code == 302
    assert TOTPDevice.objects.filter(user=alpha.reviewer).count() == 1
    assert attacker.get("/curation/review/").status_code == 302


def test_wrong_codes_are_audited_and_then_throttled_even_for_the_right_code(alpha):
    client = password_only(alpha.admin.username)
    right = fresh_code(alpha.admin)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(3):
        assert client.post(reverse("mfa_verify"), {"token": wrong}).status_code == 200
    assert actions(alpha.tenant).count(audit.Action.MFA_FAILED) == 3
    throttled = client.post(reverse("mfa_verify"), {"token": right})
    assert throttled.status_code == 200, "django-otp's back-off refuses the right code too"
    assert b"Too many wrong codes" in throttled.content
    assert client.get("/tenants/audit/").status_code == 302


def test_a_code_that_signed_in_once_cannot_sign_in_again(alpha):
    token = fresh_code(alpha.admin)
    first = password_only(alpha.admin.username)
    assert first.post(reverse("mfa_verify"), {"token": token}).status_code == 302
    assert first.get("/tenants/audit/").status_code == 200
    assert audit.Action.MFA_VERIFIED in actions(alpha.tenant)
    replay = password_only(alpha.admin.username)
    assert replay.post(reverse("mfa_verify"), {"token": token}).status_code == 200
    assert replay.get("/tenants/audit/").status_code == 302


def test_verify_never_redirects_off_site(alpha):
    client = password_only(alpha.admin.username)
    response = client.post(reverse("mfa_verify"), {"token": fresh_code(alpha.admin),
                                                   "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_clinicians_sign_in_with_a_password_until_their_tenant_asks_for_more(alpha):
    clinician = password_only(alpha.clinician.username)
    assert clinician.get("/").status_code == 200
    admin = force_login_verified(Client(), alpha.admin)
    admin.post(reverse("member_mfa_policy"), {"mfa_for_clinicians": "on"})
    assert audit.Action.MFA_POLICY_CHANGED in actions(alpha.tenant)
    # The same session is asked on its next request, not at its next login.
    response = clinician.get("/")
    assert response.status_code == 302 and "/accounts/mfa/" in response["Location"]


def test_a_clinician_session_promoted_to_reviewer_needs_a_second_factor(alpha):
    clinician = password_only(alpha.clinician.username)
    assert clinician.get("/").status_code == 200
    admin = force_login_verified(Client(), alpha.admin)
    membership = alpha.tenant.memberships.get(user=alpha.clinician)
    admin.post(reverse("member_role", args=[membership.pk]), {"role": "reviewer"})
    response = clinician.get("/")
    assert response.status_code == 302 and "/accounts/mfa/" in response["Location"]


def test_a_member_tenant_admin_cannot_toggle_another_tenants_policy(alpha, beta):
    admin = force_login_verified(Client(), alpha.admin)
    admin.post(reverse("member_mfa_policy"), {"mfa_for_clinicians": "on"})
    beta.tenant.refresh_from_db()
    alpha.tenant.refresh_from_db()
    assert alpha.tenant.mfa_for_clinicians and not beta.tenant.mfa_for_clinicians


def test_an_operator_reset_of_a_device_is_audited_and_needs_a_ticket(alpha):
    device_for(alpha.reviewer)
    with pytest.raises(Exception, match="ticket"):
        call_command("reset_mfa", alpha.reviewer.username, ticket="free text; with spaces",
                     stdout=io.StringIO())
    assert TOTPDevice.objects.filter(user=alpha.reviewer).exists()
    call_command("reset_mfa", alpha.reviewer.username, ticket="SUP-1234", stdout=io.StringIO())
    assert not TOTPDevice.objects.filter(user=alpha.reviewer).exists()
    with tenant_scope(alpha.tenant):
        entry = AuditEntry.objects.filter(action=audit.Action.MFA_RESET_BY_OPERATOR).get()
    assert entry.target == f"user:{alpha.reviewer.pk}" and "SUP-1234" in entry.payload_json


def test_changepassword_from_the_command_line_is_audited(alpha, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a-new-long-passphrase-42")
    call_command("changepassword", alpha.clinician.username, stdout=io.StringIO())
    alpha.clinician.refresh_from_db()
    assert alpha.clinician.check_password("a-new-long-passphrase-42")
    assert audit.Action.MEMBER_PASSWORD_SET_BY_OPERATOR in actions(alpha.tenant)


def _user_change_form(operator: Client, user) -> dict[str, str]:
    return {"username": user.username, "email": user.email, "first_name": "",
            "last_name": "", "is_active": "on", "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00", "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "00:00:00"}


def test_an_operator_changing_a_members_email_leaves_a_trace(alpha, django_user_model):
    op = django_user_model.objects.create_superuser("op@sanoweb.test", "op@sanoweb.test", "x")
    operator = force_login_verified(Client(), op)
    url = f"/admin/auth/user/{alpha.clinician.pk}/change/"
    form = _user_change_form(operator, alpha.clinician) | {"email": "elsewhere@evil.example"}
    response = operator.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    with tenant_scope(alpha.tenant):
        entry = AuditEntry.objects.filter(
            action=audit.Action.MEMBER_ACCOUNT_CHANGED_BY_OPERATOR).get()
    assert entry.target == f"user:{alpha.clinician.pk}"
    assert "email" in entry.payload_json and "evil.example" not in entry.payload_json


def test_an_operator_cannot_make_a_member_staff(alpha, django_user_model):
    op = django_user_model.objects.create_superuser("op@sanoweb.test", "op@sanoweb.test", "x")
    operator = force_login_verified(Client(), op)
    url = f"/admin/auth/user/{alpha.clinician.pk}/change/"
    response = operator.post(url, _user_change_form(operator, alpha.clinician)
                             | {"is_staff": "on"})
    assert response.status_code == 200 and b"operators are never members" in response.content
    alpha.clinician.refresh_from_db()
    assert not alpha.clinician.is_staff


def test_totp_code_helper_matches_rfc_6238():
    # RFC 6238 appendix B, SHA-1 secret "12345678901234567890", T = 59 s -> 94287082 (8 digits)
    key = b"12345678901234567890"
    assert code(key, at=59) == "287082"
    assert base64.b32encode(key).decode() and code_from_secret(base64.b32encode(key).decode())
