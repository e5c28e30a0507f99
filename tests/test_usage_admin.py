"""The operators' platform-wide usage export: superusers holding usage.view_tenantusage only
(staff with every permission are refused, tenant admins never reach the admin site); one row
per tenant with figures and ids only, and the export in each tenant's chain."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tenants.models import AuditEntry, Tenant
from tenants.scoping import tenant_scope
from usage.exports import OPERATOR_EXPORTED

from .mfa import force_login_verified
from .test_usage import independent_count, make_calls, pinned, standin  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
EXPORT = reverse("admin:usage_platform_export")


def operator(django_user_model):
    user = django_user_model.objects.create_superuser("op@sanoweb.test", "op@sanoweb.test",
                                                      "operator-pass")
    return force_login_verified(Client(), user), user


def staff(django_user_model, *, with_permission: bool):
    user = django_user_model.objects.create_user("staff@sanoweb.test", "staff@sanoweb.test",
                                                 "staff-pass", is_staff=True)
    if with_permission:
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="usage"))
        user = django_user_model.objects.get(pk=user.pk)  # no cached permissions
        assert user.has_perm("usage.view_tenantusage")
    return force_login_verified(Client(), user)


def exported(tenant: Tenant) -> list[AuditEntry]:
    with tenant_scope(tenant):
        return list(AuditEntry.objects.filter(action=OPERATOR_EXPORTED))


def test_an_operator_exports_one_row_per_tenant_and_each_tenants_chain_records_it(
        alpha, beta, pinned, standin, django_user_model):  # noqa: F811
    make_calls(standin, alpha.tenant, [(12, 4, None), (30, 8, 16)], refused=1)
    make_calls(standin, beta.tenant, [(100, 10, None)], failed=2)
    client, user = operator(django_user_model)
    assert client.get(reverse("admin:usage_tenantusage_changelist")).status_code == 200
    assert client.get(EXPORT).status_code == 200
    month = datetime.now(UTC).strftime("%Y-%m")
    response = client.post(EXPORT, {"month": month})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = {r["tenant_slug"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert set(rows) == {"alpha", "beta"}
    for users in (alpha, beta):
        outcomes, tokens = independent_count(users.tenant)
        row = rows[users.tenant.slug]
        assert int(row["requests"]) == sum(outcomes.values()) > 0
        assert int(row["requests_ok"]) == outcomes["ok"]
        assert int(row["prompt_tokens"]) == tokens["prompt_tokens"]
        [entry] = exported(users.tenant)
        assert entry.actor == f"user:{user.pk}" and entry.payload["first_day"].startswith(month)
    assert rows["alpha"]["adapter_versions"] == "2" and int(rows["alpha"]["storage_adapter_bytes"])
    assert b"propranolol" not in response.content and b"10 mg" not in response.content


def test_a_bad_month_is_a_400_and_exports_nothing(alpha, django_user_model):
    client, _ = operator(django_user_model)
    assert client.post(EXPORT, {"month": "last month"}).status_code == 400
    assert exported(alpha.tenant) == []


@pytest.mark.parametrize("with_permission", [False, True])
def test_staff_are_refused_with_or_without_the_permission(alpha, django_user_model,
                                                          with_permission):
    client = staff(django_user_model, with_permission=with_permission)
    assert client.get(EXPORT).status_code == 403
    assert client.post(EXPORT, {"month": "2026-12"}).status_code == 403
    assert client.get(reverse("admin:usage_tenantusage_changelist")).status_code == 403
    assert exported(alpha.tenant) == []


def test_a_tenant_admin_never_reaches_the_export(alpha):
    client = alpha.client_for(alpha.admin)
    response = client.post(EXPORT, {"month": "2026-12"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert exported(alpha.tenant) == []
