"""PostgreSQL's second wall: row-level security on every tenant-owned table.

Applied after every `migrate` (tenants.apps connects it to post_migrate), so a new
`TenantOwned` model gets its policy without anyone remembering to write one. The statements are
idempotent. They run as the owner role; the runtime role only gets DML grants.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from .models import AuditChainHead, AuditEntry, TenantOwned

POLICY = "tenant_isolation"
# Fail closed: with app.tenant_id unset or empty the predicate is NULL and no row matches.
TENANT_PREDICATE = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid"


def tenant_owned_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, TenantOwned) and not model._meta.proxy
    )


def _quote(connection: BaseDatabaseWrapper, name: str) -> str:
    return str(connection.ops.quote_name(name))


def rls_statements(table: str, connection: BaseDatabaseWrapper) -> list[str]:
    t = _quote(connection, table)
    return [
        f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {t}",
        f"CREATE POLICY {POLICY} ON {t} USING ({TENANT_PREDICATE}) "
        f"WITH CHECK ({TENANT_PREDICATE})",
    ]


def audit_protection_statements(connection: BaseDatabaseWrapper, app_role: str) -> list[str]:
    """The audit log is append-only: UPDATE always fails; DELETE and TRUNCATE only for the
    owner role with `sanoweb.allow_audit_purge` set (tenant purge, test flush), never for the
    runtime role, which also lacks the privileges."""
    table = _quote(connection, AuditEntry._meta.db_table)
    role_literal = app_role.replace("'", "''")
    function = f"""
CREATE OR REPLACE FUNCTION sanoweb_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'audit entries are append-only (UPDATE rejected)';
  END IF;
  IF current_user = '{role_literal}'
     OR coalesce(current_setting('sanoweb.allow_audit_purge', true), '') <> 'on' THEN
    RAISE EXCEPTION 'audit entries are append-only (% rejected)', TG_OP;
  END IF;
  IF TG_OP = 'TRUNCATE' THEN RETURN NULL; END IF;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql"""
    statements = [
        function,
        f"DROP TRIGGER IF EXISTS audit_append_only ON {table}",
        f"CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION sanoweb_audit_append_only()",
        f"DROP TRIGGER IF EXISTS audit_no_truncate ON {table}",
        f"CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION sanoweb_audit_append_only()",
    ]
    if app_role:
        statements.append(
            f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {_quote(connection, app_role)}"
        )
    return statements


def immutable_statements(table: str, connection: BaseDatabaseWrapper) -> list[str]:
    t = _quote(connection, table)
    return [
        """CREATE OR REPLACE FUNCTION sanoweb_reject_update() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% rows are immutable (UPDATE rejected)', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql""",
        f"DROP TRIGGER IF EXISTS immutable_row ON {t}",
        f"CREATE TRIGGER immutable_row BEFORE UPDATE ON {t} "
        "FOR EACH ROW EXECUTE FUNCTION sanoweb_reject_update()",
    ]


def grant_statements(connection: BaseDatabaseWrapper, app_role: str) -> list[str]:
    role = _quote(connection, app_role)
    head = _quote(connection, AuditChainHead._meta.db_table)
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE DELETE, TRUNCATE ON {head} FROM {role}",
    ]


def apply_database_protections(using: str = "default") -> None:
    """Grants, RLS policies and the audit trigger; a no-op off PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    app_role = settings.DATABASE_APP_ROLE
    owner = connection.settings_dict.get("USER", "")
    statements: list[str] = []
    # Grants only make sense when the runtime role is not the owner doing the migration.
    if app_role and app_role != owner:
        statements += grant_statements(connection, app_role)
    for table in tenant_owned_tables():
        statements += rls_statements(table, connection)
    for model in apps.get_models():
        if issubclass(model, TenantOwned) and model.immutable:
            statements += immutable_statements(model._meta.db_table, connection)
    statements += audit_protection_statements(connection, app_role if app_role != owner else "")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
