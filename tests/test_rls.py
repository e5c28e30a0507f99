"""PostgreSQL row-level security is the second wall, checked as the runtime role."""

import pytest
from django.db import connection, transaction

from tenants.models import AuditEntry
from tenants.registry import tenant_owned_models
from tenants.scoping import tenant_scope

from .pg import app_role_connection, first_value, superuser_connection

pytestmark = pytest.mark.django_db(transaction=True)


def _count_raw(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        count: int = cursor.fetchone()[0]
        return count


def test_the_runtime_role_is_neither_superuser_nor_bypassrls_nor_owner():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tableowner = current_user"
        )
        assert cursor.fetchone()[0] == 0


def test_every_tenant_owned_table_has_forced_rls_and_a_policy():
    tables = [m._meta.db_table for m in tenant_owned_models()]
    assert "tenants_auditentry" in tables
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = %s",
                [table],
            )
            assert cursor.fetchone() == (True, True), table
            cursor.execute("SELECT count(*) FROM pg_policies WHERE tablename = %s", [table])
            assert cursor.fetchone()[0] >= 1, table


def test_raw_sql_with_no_tenant_set_sees_no_rows_although_rows_exist(alpha, beta):
    with superuser_connection() as su:
        assert first_value(su.execute("SELECT count(*) FROM tenants_auditentry")) > 0
    assert _count_raw("tenants_auditentry") == 0


def test_raw_sql_under_betas_scope_sees_none_of_alphas_rows(alpha, beta):
    with tenant_scope(beta.tenant), connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tenant_id FROM tenants_auditentry")
        assert [row[0] for row in cursor.fetchall()] == [beta.tenant.pk]
        cursor.execute(
            "SELECT count(*) FROM tenants_auditentry WHERE tenant_id = %s", [alpha.tenant.pk]
        )
        assert cursor.fetchone()[0] == 0


def test_raw_insert_of_alphas_id_under_betas_scope_is_rejected(alpha, beta):
    from django.db.utils import ProgrammingError

    with (
        pytest.raises(ProgrammingError, match="row-level security"),
        tenant_scope(beta.tenant),
        connection.cursor() as cursor,
    ):
        # A table the runtime role may insert into (the audit log it may not: test_security_audit).
        cursor.execute(
            "INSERT INTO curation_curationsettings (tenant_id, required_approvals, "
            "guideline_version) VALUES (%s, 1, 'x')",
            [alpha.tenant.pk],
        )


def test_raw_update_across_tenants_changes_nothing(alpha, beta):
    with tenant_scope(beta.tenant), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE curation_curationsettings SET required_approvals = 2 WHERE tenant_id = %s",
            [alpha.tenant.pk],
        )
        assert cursor.rowcount == 0


def test_the_tenant_setting_does_not_outlive_its_transaction(alpha):
    with app_role_connection() as conn:
        with conn.transaction():
            conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(alpha.tenant.pk)])
            assert first_value(conn.execute("SELECT count(*) FROM tenants_auditentry")) > 0
        assert first_value(conn.execute("SELECT count(*) FROM tenants_auditentry")) == 0
        setting = first_value(conn.execute("SELECT current_setting('app.tenant_id', true)"))
        assert setting in ("", None)


def test_orm_scope_leaves_the_connection_clean(alpha):
    with tenant_scope(alpha.tenant):
        assert AuditEntry.objects.count() > 0
    assert not transaction.get_connection().in_atomic_block
    assert _count_raw("tenants_auditentry") == 0
