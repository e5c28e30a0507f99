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

from .closing import CLOSED, PURGE_ACTION_PREFIX
from .models import AuditChainHead, AuditEntry, AuditPending, Tenant, TenantOwned

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
# Batched sequencing (tenants.sequencer): accept without the head, sequence in batches.
ACCEPT_FUNCTION_SIGNATURE = "sanoweb_audit_accept(uuid, text, text, text, text, text, text)"
SEQUENCE_FUNCTION_SIGNATURE = "sanoweb_audit_sequence(uuid, integer, boolean)"
PENDING_TENANTS_SIGNATURE = "sanoweb_audit_pending_tenants()"
WRITE_FUNCTIONS = (APPEND_FUNCTION_SIGNATURE, ACCEPT_FUNCTION_SIGNATURE,
                   SEQUENCE_FUNCTION_SIGNATURE, PENDING_TENANTS_SIGNATURE)


def audit_hash_functions() -> list[str]:
    """The two content hashes in SQL, the same bytes as tenants.audit computes in Python.
    Plain SQL functions without a SET clause, so that PostgreSQL inlines them (a SET clause
    costs a settings save and restore per call: it halved the accept rate). They are not
    SECURITY DEFINER, and pg_catalog, searched first, resolves every function they call."""
    from .audit import DOMAIN, PENDING_DOMAIN

    iso = """
CREATE OR REPLACE FUNCTION sanoweb_iso_utc(p_at timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN to_char(p_at AT TIME ZONE 'UTC', 'US') = '000000' THEN ''
            ELSE '.' || to_char(p_at AT TIME ZONE 'UTC', 'US') END
    || '+00:00'
$$"""
    fields = """'"action":' || to_json(p_action)::text
    || ',"actor":' || to_json(p_actor)::text
    || ',"created_at":' || to_json(public.sanoweb_iso_utc(p_at))::text"""
    entry = f"""
CREATE OR REPLACE FUNCTION sanoweb_audit_entry_hash(
  p_tenant uuid, p_seq bigint, p_prev text, p_at timestamptz, p_actor text, p_action text,
  p_target text, p_model_pin text, p_request_sha256 text, p_payload_json text
) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT encode(sha256('\\x{DOMAIN.hex()}'::bytea || convert_to('{{' || {fields}
    || ',"model_pin":' || to_json(p_model_pin)::text
    || ',"payload":' || to_json(p_payload_json)::text
    || ',"prev_hash":' || to_json(p_prev)::text
    || ',"request_sha256":' || to_json(p_request_sha256)::text
    || ',"seq":' || p_seq::text
    || ',"target":' || to_json(p_target)::text
    || ',"tenant":' || to_json(p_tenant::text)::text || '}}', 'UTF8')), 'hex')
$$"""
    pending = f"""
CREATE OR REPLACE FUNCTION sanoweb_audit_pending_hash(
  p_id bigint, p_tenant uuid, p_at timestamptz, p_actor text, p_action text, p_target text,
  p_model_pin text, p_request_sha256 text, p_payload_json text
) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT encode(sha256('\\x{PENDING_DOMAIN.hex()}'::bytea || convert_to('{{' || {fields}
    || ',"id":' || p_id::text
    || ',"model_pin":' || to_json(p_model_pin)::text
    || ',"payload":' || to_json(p_payload_json)::text
    || ',"request_sha256":' || to_json(p_request_sha256)::text
    || ',"target":' || to_json(p_target)::text
    || ',"tenant":' || to_json(p_tenant::text)::text || '}}', 'UTF8')), 'hex')
$$"""
    return [iso, entry, pending]


def audit_append_function(connection: BaseDatabaseWrapper) -> str:
    entries = _quote(connection, AuditEntry._meta.db_table)
    head = _quote(connection, AuditChainHead._meta.db_table)

    # Only quoted table names are interpolated: no outside input.
    return f"""
CREATE OR REPLACE FUNCTION sanoweb_audit_append(
  p_tenant uuid, p_actor text, p_action text, p_target text, p_model_pin text,
  p_request_sha256 text, p_payload_json text
) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_seq bigint; v_prev text; v_at timestamptz; v_hash text; v_id bigint;
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
  v_hash := public.sanoweb_audit_entry_hash(p_tenant, v_seq, v_prev, v_at, p_actor, p_action,
                                            p_target, p_model_pin, p_request_sha256,
                                            p_payload_json);
  INSERT INTO public.{entries} (tenant_id, seq, created_at, actor, action, target, model_pin,
                                request_sha256, payload_json, prev_hash, entry_hash)
    VALUES (p_tenant, v_seq, v_at, p_actor, p_action, p_target, p_model_pin,
            p_request_sha256, p_payload_json, v_prev, v_hash)
    RETURNING id INTO v_id;
  UPDATE public.{head} SET seq = v_seq, entry_hash = v_hash WHERE tenant_id = p_tenant;
  RETURN v_id;
END;
$$"""  # noqa: S608


def audit_batch_functions(connection: BaseDatabaseWrapper) -> list[str]:
    """Accept (insert a pending entry, no head lock) and sequence (chain a batch of pending
    entries under the head lock, advance the head once): the runtime role's way to write the
    log when AUDIT_SEQUENCING is "batched". Both run as the owner with RLS still forced; accept
    scopes its own insert to the entry's tenant (as audit.append's tenant_scope did: the
    caller names the tenant either way) and gives the caller's scope back."""
    entries = _quote(connection, AuditEntry._meta.db_table)
    head = _quote(connection, AuditChainHead._meta.db_table)
    pending = _quote(connection, AuditPending._meta.db_table)
    tenants = _quote(connection, Tenant._meta.db_table)
    closed = ", ".join(f"'{status}'" for status in CLOSED)  # TextChoices values, no input
    accept = f"""
CREATE OR REPLACE FUNCTION sanoweb_audit_accept(
  p_tenant uuid, p_actor text, p_action text, p_target text, p_model_pin text,
  p_request_sha256 text, p_payload_json text
) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_id bigint; v_at timestamptz := clock_timestamp(); v_status text;
  v_scope text := current_setting('app.tenant_id', true);
BEGIN
  -- tenants.closing: a closed tenant takes only the purge's own entries. FOR KEY SHARE
  -- conflicts with close()'s FOR UPDATE, so no entry slips in behind the purge.
  IF left(p_action, {len(PURGE_ACTION_PREFIX)}) <> '{PURGE_ACTION_PREFIX}' THEN
    SELECT status INTO v_status FROM public.{tenants} WHERE id = p_tenant FOR KEY SHARE;
    IF v_status IS NULL OR v_status IN ({closed}) THEN RETURN -1; END IF;
  END IF;
  v_id := nextval(pg_get_serial_sequence('public.{pending}', 'id'));
  -- The entry's own tenant scope for the insert (RLS), then the caller's back: one statement,
  -- in or out of a transaction, and the caller's scope is what it was.
  PERFORM set_config('app.tenant_id', p_tenant::text, true);
  INSERT INTO public.{pending} (id, tenant_id, created_at, actor, action, target, model_pin,
                                request_sha256, payload_json, content_hash)
    VALUES (v_id, p_tenant, v_at, p_actor, p_action, p_target, p_model_pin, p_request_sha256,
            p_payload_json,
            public.sanoweb_audit_pending_hash(v_id, p_tenant, v_at, p_actor, p_action,
                                              p_target, p_model_pin, p_request_sha256,
                                              p_payload_json));
  PERFORM set_config('app.tenant_id', coalesce(v_scope, ''), true);
  RETURN v_id;
END;
$$"""  # noqa: S608
    sequence = f"""
CREATE OR REPLACE FUNCTION sanoweb_audit_sequence(p_tenant uuid, p_limit integer,
                                                  p_wait boolean)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_seq bigint; v_prev text; v_hash text; v_ids bigint[] := '{{}}'; r record;
BEGIN
  -- Nothing to do writes nothing (no head row either: a purged tenant must not get one back).
  PERFORM 1 FROM public.{pending} WHERE tenant_id = p_tenant LIMIT 1;
  IF NOT FOUND THEN RETURN 0; END IF;
  INSERT INTO public.{head} (tenant_id, seq, entry_hash)
    VALUES (p_tenant, 0, repeat('0', 64)) ON CONFLICT (tenant_id) DO NOTHING;
  IF p_wait THEN
    SELECT seq, entry_hash INTO v_seq, v_prev FROM public.{head}
      WHERE tenant_id = p_tenant FOR NO KEY UPDATE;
  ELSE
    SELECT seq, entry_hash INTO v_seq, v_prev FROM public.{head}
      WHERE tenant_id = p_tenant FOR NO KEY UPDATE SKIP LOCKED;
    IF NOT FOUND THEN RETURN -1; END IF;  -- another sequencer holds this chain
  END IF;
  IF v_seq IS NULL THEN
    RAISE EXCEPTION 'no audit chain head visible for this tenant (outside its scope?)';
  END IF;
  FOR r IN SELECT * FROM public.{pending} WHERE tenant_id = p_tenant ORDER BY id
           LIMIT p_limit LOOP
    IF r.content_hash <> public.sanoweb_audit_pending_hash(
         r.id, r.tenant_id, r.created_at, r.actor, r.action, r.target, r.model_pin,
         r.request_sha256, r.payload_json) THEN
      RAISE EXCEPTION 'pending audit entry % does not match its content hash', r.id;
    END IF;
    v_seq := v_seq + 1;
    v_hash := public.sanoweb_audit_entry_hash(p_tenant, v_seq, v_prev, r.created_at, r.actor,
                                              r.action, r.target, r.model_pin,
                                              r.request_sha256, r.payload_json);
    INSERT INTO public.{entries} (tenant_id, seq, created_at, actor, action, target, model_pin,
                                  request_sha256, payload_json, prev_hash, entry_hash)
      VALUES (p_tenant, v_seq, r.created_at, r.actor, r.action, r.target, r.model_pin,
              r.request_sha256, r.payload_json, v_prev, v_hash);
    v_prev := v_hash;
    v_ids := v_ids || r.id;
  END LOOP;
  IF cardinality(v_ids) = 0 THEN RETURN 0; END IF;
  PERFORM set_config('sanoweb.audit_sequencing', 'on', true);
  DELETE FROM public.{pending} WHERE id = ANY(v_ids);
  PERFORM set_config('sanoweb.audit_sequencing', 'off', true);
  UPDATE public.{head} SET seq = v_seq, entry_hash = v_prev WHERE tenant_id = p_tenant;
  RETURN cardinality(v_ids);
END;
$$"""  # noqa: S608
    # Which chains have work: ids only, across tenants, so that one sequencer can sweep all.
    scan = f"""
CREATE OR REPLACE FUNCTION sanoweb_audit_pending_tenants() RETURNS SETOF uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM set_config('sanoweb.pending_scan', 'on', true);  -- see pending_scan_policy
  RETURN QUERY SELECT DISTINCT tenant_id FROM public.{pending};
  PERFORM set_config('sanoweb.pending_scan', 'off', true);
END;
$$"""  # noqa: S608
    return [accept, sequence, scan]


def pending_protection_statements(connection: BaseDatabaseWrapper, app_role: str) -> list[str]:
    """Pending entries: the runtime role writes them only through sanoweb_audit_accept; they
    leave only by being sequenced (inside sanoweb_audit_sequence) or purged; never updated.
    The owner, inside sanoweb_audit_pending_tenants only, may see which tenants have some."""
    table = _quote(connection, AuditPending._meta.db_table)
    role_literal = app_role.replace("'", "''")
    statements = [
        f"""CREATE OR REPLACE FUNCTION sanoweb_audit_pending_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'pending audit entries are never updated (UPDATE rejected)';
  END IF;
  IF current_user = '{role_literal}'
     OR (coalesce(current_setting('sanoweb.audit_sequencing', true), '') <> 'on'
         AND coalesce(current_setting('sanoweb.allow_audit_purge', true), '') <> 'on') THEN
    RAISE EXCEPTION 'pending audit entries leave only by being sequenced (% rejected)', TG_OP;
  END IF;
  IF TG_OP = 'TRUNCATE' THEN RETURN NULL; END IF;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql""",
        f"DROP TRIGGER IF EXISTS pending_guard ON {table}",
        f"CREATE TRIGGER pending_guard BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION sanoweb_audit_pending_guard()",
        f"DROP TRIGGER IF EXISTS pending_no_truncate ON {table}",
        f"CREATE TRIGGER pending_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION sanoweb_audit_pending_guard()",
        # Only the owner role (the functions' definer), only with the flag the function sets.
        f"DROP POLICY IF EXISTS pending_scan ON {table}",
        f"CREATE POLICY pending_scan ON {table} FOR SELECT TO CURRENT_USER "
        "USING (coalesce(current_setting('sanoweb.pending_scan', true), '') = 'on')",
    ]
    if app_role:
        statements.append(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {table} "
                          f"FROM {_quote(connection, app_role)}")
    return statements


def grant_statements(connection: BaseDatabaseWrapper, app_role: str) -> list[str]:
    role = _quote(connection, app_role)
    head = _quote(connection, AuditChainHead._meta.db_table)
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        # The head moves only inside sanoweb_audit_append and sanoweb_audit_sequence.
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {head} FROM {role}",
    ] + [f"GRANT EXECUTE ON FUNCTION {signature} TO {role}" for signature in WRITE_FUNCTIONS]


def apply_database_protections(using: str = "default") -> None:
    """The audit append function, grants, RLS policies and the append-only and immutable-row
    triggers; a no-op off PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    app_role = settings.DATABASE_APP_ROLE
    owner = connection.settings_dict.get("USER", "")
    runtime_role = app_role if app_role != owner else ""
    statements = [*audit_hash_functions(), audit_append_function(connection),
                  *audit_batch_functions(connection)]
    statements += [f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC"
                   for signature in WRITE_FUNCTIONS]
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
    statements += pending_protection_statements(connection, runtime_role)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
