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
    """The audit log is append-only: the runtime role inserts only through
    sanoweb_audit_append; UPDATE always fails; DELETE and TRUNCATE only for the owner role with
    `sanoweb.allow_audit_purge` set (tenant purge, test flush), never for the runtime role,
    which also lacks the privileges."""
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
            # Appends go through sanoweb_audit_append only.
            f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {table} "
            f"FROM {_quote(connection, app_role)}"
        )
    return statements


def immutable_statements(
    table: str, connection: BaseDatabaseWrapper, app_role: str = ""
) -> list[str]:
    """Rows written once: UPDATE always fails; DELETE only for the owner role with
    `sanoweb.allow_audit_purge` set (the tenant purge), never for the runtime role, which also
    lacks the DELETE privilege."""
    t = _quote(connection, table)
    role_literal = app_role.replace("'", "''")
    statements = [
        f"""CREATE OR REPLACE FUNCTION sanoweb_immutable_row() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION '% rows are immutable (UPDATE rejected)', TG_TABLE_NAME;
  END IF;
  IF current_user = '{role_literal}'
     OR coalesce(current_setting('sanoweb.allow_audit_purge', true), '') <> 'on' THEN
    RAISE EXCEPTION '% rows are immutable (DELETE rejected)', TG_TABLE_NAME;
  END IF;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql""",
        f"DROP TRIGGER IF EXISTS immutable_row ON {t}",
        f"CREATE TRIGGER immutable_row BEFORE UPDATE OR DELETE ON {t} "
        "FOR EACH ROW EXECUTE FUNCTION sanoweb_immutable_row()",
    ]
    if app_role:
        statements.append(f"REVOKE DELETE, TRUNCATE ON {t} FROM {_quote(connection, app_role)}")
    return statements


# The only way the runtime role can add to the audit log. It runs as its owner (the owner
# role), locks the tenant's head row, and computes entry_hash exactly as
# tenants.audit.compute_entry_hash does: sha256(DOMAIN || canonical JSON), keys sorted, no
# spaces, strings escaped by to_json (the same escapes as json.dumps(ensure_ascii=False)),
# created_at as Python's isoformat() of the UTC time (no fraction when it is zero). RLS still
# applies inside it (FORCE), so p_tenant must be the transaction's app.tenant_id.
APPEND_FUNCTION_SIGNATURE = "sanoweb_audit_append(uuid, text, text, text, text, text, text)"


def audit_append_function(connection: BaseDatabaseWrapper) -> str:
    entries = _quote(connection, AuditEntry._meta.db_table)
    head = _quote(connection, AuditChainHead._meta.db_table)
    from .audit import DOMAIN

    # Only quoted table names and a hex constant are interpolated: no outside input.
    return f"""
CREATE OR REPLACE FUNCTION sanoweb_audit_append(
  p_tenant uuid, p_actor text, p_action text, p_target text, p_model_pin text,
  p_request_sha256 text, p_payload_json text
) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_seq bigint; v_prev text; v_at timestamptz; v_utc timestamp; v_at_text text;
  v_body text; v_hash text; v_id bigint;
BEGIN
  INSERT INTO public.{head} (tenant_id, seq, entry_hash)
    VALUES (p_tenant, 0, repeat('0', 64)) ON CONFLICT (tenant_id) DO NOTHING;
  -- FOR NO KEY UPDATE: serialises appends without blocking inserts that reference the tenant.
  SELECT seq, entry_hash INTO v_seq, v_prev FROM public.{head}
    WHERE tenant_id = p_tenant FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no audit chain head visible for this tenant (outside its scope?)';
  END IF;
  v_seq := v_seq + 1;
  v_at := clock_timestamp();
  v_utc := v_at AT TIME ZONE 'UTC';
  v_at_text := to_char(v_utc, 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN to_char(v_utc, 'US') = '000000' THEN '' ELSE '.' || to_char(v_utc, 'US') END
    || '+00:00';
  v_body := '{{"action":' || to_json(p_action)::text
    || ',"actor":' || to_json(p_actor)::text
    || ',"created_at":' || to_json(v_at_text)::text
    || ',"model_pin":' || to_json(p_model_pin)::text
    || ',"payload":' || to_json(p_payload_json)::text
    || ',"prev_hash":' || to_json(v_prev)::text
    || ',"request_sha256":' || to_json(p_request_sha256)::text
    || ',"seq":' || v_seq::text
    || ',"target":' || to_json(p_target)::text
    || ',"tenant":' || to_json(p_tenant::text)::text || '}}';
  v_hash := encode(sha256('\\x{DOMAIN.hex()}'::bytea || convert_to(v_body, 'UTF8')), 'hex');
  INSERT INTO public.{entries} (tenant_id, seq, created_at, actor, action, target, model_pin,
                                request_sha256, payload_json, prev_hash, entry_hash)
    VALUES (p_tenant, v_seq, v_at, p_actor, p_action, p_target, p_model_pin,
            p_request_sha256, p_payload_json, v_prev, v_hash)
    RETURNING id INTO v_id;
  UPDATE public.{head} SET seq = v_seq, entry_hash = v_hash WHERE tenant_id = p_tenant;
  RETURN v_id;
END;
$$"""  # noqa: S608


def grant_statements(connection: BaseDatabaseWrapper, app_role: str) -> list[str]:
    role = _quote(connection, app_role)
    head = _quote(connection, AuditChainHead._meta.db_table)
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        # The head moves only inside sanoweb_audit_append.
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {head} FROM {role}",
        f"GRANT EXECUTE ON FUNCTION {APPEND_FUNCTION_SIGNATURE} TO {role}",
    ]


def apply_database_protections(using: str = "default") -> None:
    """The audit append function, grants, RLS policies and the append-only and immutable-row
    triggers; a no-op off PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    app_role = settings.DATABASE_APP_ROLE
    owner = connection.settings_dict.get("USER", "")
    runtime_role = app_role if app_role != owner else ""
    statements = [
        audit_append_function(connection),
        f"REVOKE ALL ON FUNCTION {APPEND_FUNCTION_SIGNATURE} FROM PUBLIC",
    ]
    # Grants only make sense when the runtime role is not the owner doing the migration.
    if runtime_role:
        statements += grant_statements(connection, runtime_role)
    for table in tenant_owned_tables():
        statements += rls_statements(table, connection)
    for model in apps.get_models():
        if issubclass(model, TenantOwned) and model.immutable:
            statements += immutable_statements(model._meta.db_table, connection, runtime_role)
    statements.append("DROP FUNCTION IF EXISTS sanoweb_reject_update()")  # the UPDATE-only one
    statements += audit_protection_statements(connection, runtime_role)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
