"""The audit log cannot be forged or rewritten unnoticed, even with the database's roles.

Each test is an attack: the runtime role's raw SQL (tests.pg.app_role_connection), or the
superuser/owner cutting and rewriting the log, against the signed checkpoints outside the
database (tenants.checkpoints).
"""

import hashlib
import json

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from curation.models import Review
from tenants import audit, checkpoints
from tenants.models import AuditEntry
from tenants.scoping import tenant_scope
from tenants.tasks import checkpoint_audit_chains

from .factories import approved_example, training_set
from .pg import app_role_connection, superuser_connection

pytestmark = pytest.mark.django_db(transaction=True)


def _append_some(tenant, n=5):
    for i in range(n):
        audit.append(tenant, "test.event", actor="system:test", target=f"thing:{i}",
                     payload={"i": i})


def _as_runtime_role(tenant, sql, params=()):
    """Run `sql` as the runtime role inside the tenant's RLS scope, as a hijacked app would."""
    with app_role_connection() as conn, conn.transaction():
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
        return conn.execute(sql, params).rowcount


def _recompute_from(tenant, seq):
    """As the superuser, rewrite entry hashes from #seq on and the head, so the chain verifies
    again: what someone with the owner's SQL access can always do to an unkeyed chain."""
    with tenant_scope(tenant):
        entries = list(AuditEntry.objects.order_by("seq"))
    prev = entries[seq - 2].entry_hash if seq > 1 else audit.GENESIS_HASH
    with superuser_connection() as su:
        su.execute("SET session_replication_role = replica")  # past the append-only trigger
        for entry in entries[seq - 1:]:
            entry.prev_hash = prev
            new = audit.compute_entry_hash(str(tenant.pk), entry.seq, prev,
                                           audit._hashed_fields(entry))
            su.execute("UPDATE tenants_auditentry SET prev_hash = %s, entry_hash = %s "
                       "WHERE id = %s", [prev, new, entry.pk])
            prev = new
        su.execute("UPDATE tenants_auditchainhead SET seq = %s, entry_hash = %s "
                   "WHERE tenant_id = %s", [entries[-1].seq, prev, tenant.pk])


def test_a_forged_entry_inserted_as_the_runtime_role_is_refused(alpha):
    forged = audit.compute_entry_hash(str(alpha.tenant.pk), 999, "0" * 64, {})
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_runtime_role(
            alpha.tenant,
            "INSERT INTO tenants_auditentry (tenant_id, seq, created_at, actor, action, target, "
            "model_pin, request_sha256, payload_json, prev_hash, entry_hash) "
            "VALUES (%s, 999, now(), 'user:1', 'forged', '', '', '', '{}', %s, %s)",
            [alpha.tenant.pk, "0" * 64, forged])


def test_moving_the_head_as_the_runtime_role_is_refused(alpha):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_runtime_role(alpha.tenant, "UPDATE tenants_auditchainhead SET seq = 1 "
                         "WHERE tenant_id = %s", [alpha.tenant.pk])


def test_the_runtime_roles_one_way_in_appends_in_order_and_only_in_its_own_scope(alpha, beta):
    before = audit.verify_chain(alpha.tenant).entries
    with app_role_connection() as conn, conn.transaction():
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(alpha.tenant.pk)])
        conn.execute("SELECT sanoweb_audit_append(%s, 'system:x', 'x.y', '', '', '', '{}')",
                     [alpha.tenant.pk])
    assert audit.verify_chain(alpha.tenant).ok
    assert audit.verify_chain(alpha.tenant).entries == before + 1
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        _as_runtime_role(beta.tenant, "SELECT sanoweb_audit_append(%s, 'x', 'forged', '', '', "
                         "'', '{}')", [alpha.tenant.pk])


def test_the_database_hashes_exactly_as_python_verifies(alpha):
    awkward = 'quote " backslash \\ newline \n tab \t bell \x07 del \x7f é ü 漢字 \u2028 🩺'
    for text in (awkward, "", "plain"):
        audit.append(alpha.tenant, text or "empty", actor=text, target=text, model_pin=text,
                     request_sha256=text, payload={"text": text, "n": [1, 2.5, None]})
    verdict = audit.verify_chain(alpha.tenant)
    assert verdict.ok, verdict.reason


@pytest.mark.parametrize("operation", ["UPDATE", "DELETE"])
@pytest.mark.parametrize("table", ["tenants_auditentry", "curation_review",
                                   "curation_trainingset"])
def test_changing_an_immutable_row_as_the_runtime_role_is_refused(alpha, table, operation):
    approved_example(alpha)
    training_set(alpha)
    sql = (f"UPDATE {table} SET tenant_id = tenant_id" if operation == "UPDATE"
           else f"DELETE FROM {table}")
    with pytest.raises(psycopg.DatabaseError, match=r"permission denied|immutable"):
        _as_runtime_role(alpha.tenant, sql)
    with tenant_scope(alpha.tenant):
        assert Review.objects.exists()  # the rows are there: the refusal was not vacuous


def test_a_purge_may_still_delete_immutable_rows_as_the_owner(alpha):
    # The owner with the purge flag set, as offboarding.purge._deletion_rights does.
    approved_example(alpha)
    with psycopg.connect(host="127.0.0.1", port=5432, user="sanoweb_owner",
                         dbname=connection.settings_dict["NAME"]) as conn, conn.transaction():
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(alpha.tenant.pk)])
        with pytest.raises(psycopg.DatabaseError, match="immutable"), conn.transaction():
            conn.execute("DELETE FROM curation_review")
        conn.execute("SELECT set_config('sanoweb.allow_audit_purge', 'on', true)")
        assert conn.execute("DELETE FROM curation_review").rowcount > 0


def test_dropping_the_tail_and_rewriting_the_head_fails_against_the_checkpoints(alpha):
    _append_some(alpha.tenant)
    signed = checkpoints.write_checkpoint(alpha.tenant)
    assert signed is not None
    assert signed is not None
    call_command("verify_audit", "alpha")
    with superuser_connection() as su:
        su.execute("SET session_replication_role = replica")
        su.execute("DELETE FROM tenants_auditentry WHERE tenant_id = %s AND seq > %s",
                   [alpha.tenant.pk, signed.seq - 2])
    _recompute_from(alpha.tenant, signed.seq - 2)
    assert audit.verify_chain(alpha.tenant).ok  # the chain alone cannot tell
    with pytest.raises(CommandError, match=rf"checkpoint #{signed.seq}: .*cut back"):
        call_command("verify_audit", "alpha")


def test_rewriting_an_entry_below_a_checkpoint_fails_even_with_every_hash_recomputed(alpha):
    _append_some(alpha.tenant)
    signed = checkpoints.write_checkpoint(alpha.tenant)
    assert signed is not None
    _append_some(alpha.tenant, 2)
    with superuser_connection() as su:
        su.execute("SET session_replication_role = replica")
        su.execute("UPDATE tenants_auditentry SET actor = 'user:999' "
                   "WHERE tenant_id = %s AND seq = 3", [alpha.tenant.pk])
    _recompute_from(alpha.tenant, 3)
    assert audit.verify_chain(alpha.tenant).ok
    with pytest.raises(CommandError, match=rf"checkpoint #{signed.seq}: .*rewritten"):
        call_command("verify_audit", "alpha")


def _rewrite_file(key, change):
    with default_storage.open(key, "rb") as handle:
        document = json.loads(handle.read())
    change(document)
    default_storage.delete(key)
    default_storage.save(key, ContentFile(json.dumps(document).encode()))


def test_a_tampered_checkpoint_file_fails_verification(alpha):
    _append_some(alpha.tenant)
    signed = checkpoints.write_checkpoint(alpha.tenant)
    assert signed is not None
    call_command("verify_audit", "alpha")

    def lower_the_seq(document):
        document["body"]["seq"] -= 1

    _rewrite_file(signed.key, lower_the_seq)
    with pytest.raises(CommandError, match="signature does not verify"):
        call_command("verify_audit", "alpha")


def test_a_checkpoint_removed_from_the_middle_breaks_the_links(alpha):
    _append_some(alpha.tenant, 2)
    first = checkpoints.write_checkpoint(alpha.tenant)
    assert first is not None
    _append_some(alpha.tenant, 2)
    checkpoints.write_checkpoint(alpha.tenant)
    _append_some(alpha.tenant, 2)
    checkpoints.write_checkpoint(alpha.tenant)
    assert checkpoints.verify_audit(alpha.tenant).checkpoints == 3
    default_storage.delete(first.key)
    with pytest.raises(CommandError, match="does not link to the previous checkpoint"):
        call_command("verify_audit", "alpha")


def test_checkpoints_chain_and_live_outside_the_tenants_prefix(alpha, beta):
    _append_some(alpha.tenant)
    assert checkpoint_audit_chains()["alpha"] is not None  # the beat task, run inline
    assert checkpoint_audit_chains()["alpha"] is None  # nothing new: nothing signed
    audit.append(alpha.tenant, "test.more", actor="system:test")
    call_command("audit_checkpoint", "alpha")
    keys = checkpoints.stored_checkpoints(alpha.tenant)
    assert len(keys) == 2 and all(k.startswith(f"audit-checkpoints/{alpha.tenant.pk}/")
                                  for k in keys)
    first, second = (checkpoints._load(k) for k in keys)
    assert second.body["previous_signature"] == first.signature
    assert first.body["previous_signature"] is None
    assert hashlib.sha256(b"").hexdigest() not in json.dumps(second.body)
    verdict = checkpoints.verify_audit(alpha.tenant)
    assert verdict.ok and verdict.latest_checkpoint is not None
    assert verdict.latest_checkpoint.seq == second.seq


def test_a_broken_chain_is_never_signed(alpha):
    _append_some(alpha.tenant)
    with superuser_connection() as su:
        su.execute("SET session_replication_role = replica")
        su.execute("UPDATE tenants_auditentry SET actor = 'x' WHERE tenant_id = %s AND seq = 2",
                   [alpha.tenant.pk])
    with pytest.raises(checkpoints.CheckpointError, match="BROKEN at entry #2"):
        checkpoints.write_checkpoint(alpha.tenant)
    assert checkpoints.stored_checkpoints(alpha.tenant) == []


def test_the_audit_page_says_up_to_which_signed_checkpoint_the_chain_verifies(alpha):
    page = alpha.client_for(alpha.admin).get(reverse("audit_log")).content.decode()
    assert "no signed checkpoint has been written yet" in page
    signed = checkpoints.write_checkpoint(alpha.tenant)
    assert signed is not None
    page = alpha.client_for(alpha.admin).get(reverse("audit_log")).content.decode()
    assert f"latest signed checkpoint: entry #{signed.seq}" in page
    assert f"{signed.signed_at:%Y-%m-%d %H:%M}" in page
    with superuser_connection() as su:
        su.execute("SET session_replication_role = replica")
        su.execute("DELETE FROM tenants_auditentry WHERE tenant_id = %s AND seq = %s",
                   [alpha.tenant.pk, signed.seq])
    _recompute_from(alpha.tenant, signed.seq - 1)  # the head too: only the checkpoint knows
    page = alpha.client_for(alpha.admin).get(reverse("audit_log")).content.decode()
    assert "The audit log does not verify." in page
