"""The audit log is one unbroken, append-only hash chain per tenant, and tampering shows.

Every test runs twice: appending inline (the head lock per entry) and batched (accepted, then
chained by the sequencer), so the chain the sequencer writes meets the same attacks."""

import itertools
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.utils import DatabaseError

from tenants import audit, sequencer
from tenants.models import AuditEntry
from tenants.scoping import tenant_scope

from .pg import first_value, superuser_connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True, params=["inline", "batched"])
def mode(request, settings):
    settings.AUDIT_SEQUENCING = request.param
    settings.AUDIT_SEQUENCER_THREAD = False  # each test sequences when it means to
    return request.param


def _append_some(tenant, n=5):
    for i in range(n):
        audit.append(tenant, "test.event", actor="system:test", target=f"thing:{i}",
                     payload={"i": i})
    sequencer.flush(tenant)


def _tamper(sql, params=()):
    """Change the table as a superuser, past the append-only trigger; `;` separates steps."""
    with superuser_connection() as su:
        su.execute("SET session_replication_role = replica")  # skips triggers
        for statement in sql.split(";"):
            su.execute(statement, params if "%s" in statement else ())


def _verify(tenant):
    return audit.verify_chain(tenant)


def test_a_fresh_chain_verifies_and_links_every_entry(alpha):
    _append_some(alpha.tenant)
    verdict = _verify(alpha.tenant)
    assert verdict.ok and verdict.entries >= 5
    with tenant_scope(alpha.tenant):
        entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(entries))


def test_verify_audit_command_names_the_edited_entry(alpha):
    _append_some(alpha.tenant)
    call_command("verify_audit", "alpha")
    _tamper("UPDATE tenants_auditentry SET payload_json = '{\"i\":42}' "
            "WHERE tenant_id = %s AND seq = 4", [alpha.tenant.pk])
    with pytest.raises(CommandError, match=r"BROKEN at entry #4: entry_hash"):
        call_command("verify_audit", "alpha")


@pytest.mark.parametrize(
    ("sql", "broken_seq", "reason"),
    [
        ("UPDATE tenants_auditentry SET entry_hash = repeat('a', 64) "
         "WHERE tenant_id = %s AND seq = 3", 3, "entry_hash"),
        ("DELETE FROM tenants_auditentry WHERE tenant_id = %s AND seq = 3", 3, "missing"),
        ("UPDATE tenants_auditentry SET seq = -3 WHERE tenant_id = %s AND seq = 3;"
         "UPDATE tenants_auditentry SET seq = 3 WHERE tenant_id = %s AND seq = 4;"
         "UPDATE tenants_auditentry SET seq = 4 WHERE tenant_id = %s AND seq = -3", 3, ""),
        ("DELETE FROM tenants_auditentry WHERE tenant_id = %s "
         "AND seq > (SELECT max(seq) - 2 FROM tenants_auditentry)", None, "head"),
        ("UPDATE tenants_auditentry SET actor = 'user:999' WHERE tenant_id = %s AND seq = 2",
         2, "entry_hash"),
    ],
    ids=["edited-hash", "deleted-middle", "reordered", "dropped-tail", "edited-actor"],
)
def test_each_kind_of_tampering_is_detected(alpha, sql, broken_seq, reason):
    _append_some(alpha.tenant)
    _tamper(sql, [alpha.tenant.pk])
    verdict = _verify(alpha.tenant)
    assert not verdict.ok
    if broken_seq is not None:
        assert verdict.broken_seq == broken_seq
    assert reason in verdict.reason


def test_rows_spliced_in_from_another_tenant_are_detected(alpha, beta):
    _append_some(alpha.tenant)
    _append_some(beta.tenant)
    _tamper("DELETE FROM tenants_auditentry WHERE tenant_id = %s AND seq = 2", [beta.tenant.pk])
    _tamper("UPDATE tenants_auditentry SET tenant_id = %s WHERE tenant_id = %s AND seq = 2",
            [beta.tenant.pk, alpha.tenant.pk])
    assert _verify(beta.tenant).broken_seq == 2
    assert _verify(alpha.tenant).broken_seq == 2


def test_the_runtime_role_cannot_update_or_delete_entries(alpha):
    with tenant_scope(alpha.tenant), connection.cursor() as cursor:
        cursor.execute("SAVEPOINT s")
        with pytest.raises(DatabaseError, match="permission denied"):
            cursor.execute("UPDATE tenants_auditentry SET actor = 'x'")
        cursor.execute("ROLLBACK TO SAVEPOINT s")
        with pytest.raises(DatabaseError, match="permission denied"):
            cursor.execute("DELETE FROM tenants_auditentry")
        cursor.execute("ROLLBACK TO SAVEPOINT s")


def test_even_the_owner_cannot_update_entries_the_trigger_rejects_it(alpha):
    sequencer.flush(alpha.tenant)
    with superuser_connection() as su:
        su.execute("SET ROLE sanoweb_owner")
        su.execute("SELECT set_config('app.tenant_id', %s, false)", [str(alpha.tenant.pk)])
        assert first_value(su.execute("SELECT count(*) FROM tenants_auditentry")) > 0
        with pytest.raises(Exception, match="append-only"):
            su.execute("UPDATE tenants_auditentry SET actor = 'x'")
        with pytest.raises(Exception, match="append-only"):
            su.execute("DELETE FROM tenants_auditentry")


def test_twenty_concurrent_writers_leave_one_unbroken_chain(alpha):
    sequencer.flush(alpha.tenant)
    before = _verify(alpha.tenant).entries
    errors: list[BaseException] = []
    barrier = threading.Barrier(20)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(5):
                audit.append(alpha.tenant, "test.concurrent", actor=f"system:w{n}",
                             payload={"i": i})
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sequencer.flush(alpha.tenant)
    verdict = _verify(alpha.tenant)
    assert verdict.ok, verdict
    assert verdict.entries == before + 100
