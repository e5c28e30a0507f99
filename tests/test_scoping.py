"""Tenant-owned querysets fail closed and never cross tenants."""

import pytest

from tenants.models import AuditEntry
from tenants.scoping import TenantScopeError, current_tenant_or_none, tenant_scope


def test_querying_a_tenant_owned_model_with_no_tenant_scope_raises(alpha):
    with pytest.raises(TenantScopeError):
        list(AuditEntry.objects.all())
    with pytest.raises(TenantScopeError):
        AuditEntry.objects.count()


def test_scope_sees_only_its_own_tenants_rows(alpha, beta):
    with tenant_scope(alpha.tenant):
        alpha_entries = list(AuditEntry.objects.all())
    with tenant_scope(beta.tenant):
        beta_entries = list(AuditEntry.objects.all())
    assert alpha_entries and beta_entries
    assert {e.tenant_id for e in alpha_entries} == {alpha.tenant.pk}
    assert {e.tenant_id for e in beta_entries} == {beta.tenant.pk}


def test_beta_cannot_fetch_alphas_row_by_id(alpha, beta):
    with tenant_scope(alpha.tenant):
        entry = AuditEntry.objects.first()
    assert entry is not None
    with tenant_scope(beta.tenant), pytest.raises(AuditEntry.DoesNotExist):
        AuditEntry.objects.get(pk=entry.pk)


def test_saving_a_row_for_another_tenant_inside_a_scope_is_refused(alpha, beta):
    with tenant_scope(alpha.tenant):
        entry = AuditEntry.objects.first()
    assert entry is not None
    with tenant_scope(beta.tenant), pytest.raises(AuditEntry.DoesNotExist):
        entry.save()


def test_nested_scopes_restore_the_outer_tenant(alpha, beta):
    with tenant_scope(alpha.tenant):
        with tenant_scope(beta.tenant):
            assert current_tenant_or_none() == beta.tenant
        assert current_tenant_or_none() == alpha.tenant
        assert {e.tenant_id for e in AuditEntry.objects.all()} == {alpha.tenant.pk}
    assert current_tenant_or_none() is None
