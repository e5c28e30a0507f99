"""Batched audit sequencing: accepting is apart from sequencing, and nothing is lost or forged
between the two (tenants.audit, tenants.sequencer, tenants.audit_proofs).

test_audit.py runs every attack on the chain in both modes; these are the attacks and failures
that only the batched path has: an entry accepted but not yet chained, a sequencer killed in the
middle of a batch, a proof of one entry that must not show the others."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction

from tenants import audit, audit_proofs, checkpoints, sequencer, signing
from tenants.models import AuditEntry, AuditPending
from tenants.scoping import tenant_scope

from .pg import first_value, superuser_connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def batched(settings):
    settings.AUDIT_SEQUENCING = "batched"
    settings.AUDIT_SEQUENCER_THREAD = False  # the tests say when to sequence, but one
    yield
    sequencer.stop_thread()


def _accept(tenant, n, action="test.batched", **payload):
    for i in range(n):
        audit.append(tenant, action, actor="system:test", target=f"t:{i}",
                     payload={"i": i, **payload})


def _pending(tenant) -> int:
    with tenant_scope(tenant):
        return AuditPending.objects.count()


def _su(sql, params=()):
    with superuser_connection() as su:
        su.execute("SET session_replication_role = replica")  # past the triggers
        for statement in sql.split(";"):
            su.execute(statement, params if "%s" in statement else ())


def test_an_append_is_accepted_without_the_head_and_chained_by_the_sequencer(alpha):
    sequencer.flush(alpha.tenant)
    before = audit.verify_chain(alpha.tenant).entries
    _accept(alpha.tenant, 3)
    verdict = audit.verify_chain(alpha.tenant)
    assert verdict.ok and verdict.entries == before and verdict.pending == 3
    assert "3 accepted, not yet sequenced" in checkpoints.verify_audit(alpha.tenant).message

    assert sequencer.sequence(alpha.tenant) == 3
    verdict = audit.verify_chain(alpha.tenant)  # Python re-derives every hash SQL wrote
    assert verdict.ok and verdict.entries == before + 3 and verdict.pending == 0
    with tenant_scope(alpha.tenant):
        chained = list(AuditEntry.objects.filter(action="test.batched").order_by("seq"))
    assert [e.payload["i"] for e in chained] == [0, 1, 2]  # acceptance order


def test_an_entry_commits_or_rolls_back_with_the_change_it_records(alpha):
    sequencer.flush(alpha.tenant)
    with pytest.raises(RuntimeError), transaction.atomic():
        _accept(alpha.tenant, 1, action="test.rolled_back")
        raise RuntimeError("the state change failed")
    assert _pending(alpha.tenant) == 0
    _accept(alpha.tenant, 1, action="test.committed")
    assert _pending(alpha.tenant) == 1


def test_the_sequencer_thread_chains_what_concurrent_writers_accept_within_a_second(
        alpha, settings):
    settings.AUDIT_SEQUENCER_THREAD = True
    sequencer.flush(alpha.tenant)
    before = audit.verify_chain(alpha.tenant).entries
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            _accept(alpha.tenant, 25, action="test.concurrent", writer=n)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    finished = time.monotonic()
    while _pending(alpha.tenant) and time.monotonic() - finished < 5:
        time.sleep(0.02)
    lag = time.monotonic() - finished
    assert errors == []
    verdict = audit.verify_chain(alpha.tenant)
    assert verdict.ok and verdict.pending == 0 and verdict.entries == before + 200
    assert lag < 1.0, f"the last accepted entry waited {lag:.2f} s to be sequenced"
    with tenant_scope(alpha.tenant):
        seen = sorted((e.payload["writer"], e.payload["i"])
                      for e in AuditEntry.objects.filter(action="test.concurrent"))
    assert seen == sorted((n, i) for n in range(8) for i in range(25))


def _sequencer_process(database: str, batch: int) -> subprocess.Popen[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sanoweb.settings_test",
           "DATABASE_URL": f"postgres://{connection.settings_dict['USER']}@127.0.0.1:5432/"
                           f"{database}",
           "AUDIT_SEQUENCING": "batched", "AUDIT_SEQUENCE_BATCH": str(batch),
           "AUDIT_SEQUENCE_INTERVAL": "0.05"}
    return subprocess.Popen([sys.executable, "manage.py", "audit_sequencer"],
                            cwd=settings.BASE_DIR, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait_for_a_batch_in_flight(pid: int, timeout: float = 60) -> None:
    """Until the sequencer's backend is inside sanoweb_audit_sequence with work to do."""
    deadline = time.monotonic() + timeout
    with superuser_connection() as su:
        while time.monotonic() < deadline:
            busy = first_value(su.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                "AND query LIKE 'SELECT sanoweb_audit_sequence(%%'"))
            if busy:
                return
            time.sleep(0.002)
    raise AssertionError(f"sequencer {pid} never started a batch")


def test_a_sequencer_killed_mid_batch_loses_nothing_and_chains_nothing_twice(alpha):
    """kill -9 while a batch is being chained, with writers still accepting; a new sequencer
    resumes from the durable queue."""
    sequencer.flush(alpha.tenant)
    before = audit.verify_chain(alpha.tenant).entries
    _accept(alpha.tenant, 3000, action="test.backlog")  # a batch big enough to catch in flight
    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            while not stop.is_set():
                _accept(alpha.tenant, 1, action="test.during", k=len(written))
                written.append(1)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for t in threads:
        t.start()
    database = connection.settings_dict["NAME"]
    first = _sequencer_process(database, batch=3000)
    try:
        _wait_for_a_batch_in_flight(first.pid)
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        # the killed batch rolled back: what it had chained is not in the chain
        assert audit.verify_chain(alpha.tenant).ok
        second = _sequencer_process(database, batch=500)
        time.sleep(1.0)  # writers keep accepting while the new sequencer catches up
    finally:
        stop.set()
        for t in threads:
            t.join()
    try:
        deadline = time.monotonic() + 60
        while _pending(alpha.tenant) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    assert errors == [] and len(written) > 0
    assert first.returncode == -signal.SIGKILL and second.returncode == 0, second.stdout
    verdict = audit.verify_chain(alpha.tenant)
    assert verdict.ok and verdict.pending == 0, verdict
    assert verdict.entries == before + 3000 + len(written)
    with tenant_scope(alpha.tenant):
        backlog = sorted(AuditEntry.objects.filter(action="test.backlog").values_list(
            "payload_json", flat=True))
    assert backlog == sorted(audit.canonical_json({"i": i}) for i in range(3000))  # once each


# --- attacks on what is accepted but not yet chained ---------------------------------------

@pytest.mark.parametrize(("sql", "what"), [
    ("UPDATE tenants_auditpending SET payload_json = '{\"i\":42}' "
     "WHERE id = (SELECT min(id) FROM tenants_auditpending WHERE tenant_id = %s)", "edited"),
    ("UPDATE tenants_auditpending SET content_hash = repeat('a', 64) "
     "WHERE id = (SELECT max(id) FROM tenants_auditpending WHERE tenant_id = %s)",
     "edited-hash"),
    ("UPDATE tenants_auditpending p SET payload_json = q.payload_json, "
     "content_hash = q.content_hash FROM tenants_auditpending q "
     "WHERE p.tenant_id = %s AND q.tenant_id = p.tenant_id AND q.id = p.id + 1", "reordered"),
    ("INSERT INTO tenants_auditpending (tenant_id, created_at, actor, action, target, "
     "model_pin, request_sha256, payload_json, content_hash) VALUES "
     "(%s, now(), 'user:1', 'forged', '', '', '', '{}', repeat('b', 64))", "forged"),
])
def test_tampering_with_an_accepted_entry_is_detected_and_never_chained(alpha, sql, what):
    sequencer.flush(alpha.tenant)
    chained = audit.verify_chain(alpha.tenant).entries
    _accept(alpha.tenant, 3)
    _su(sql, [alpha.tenant.pk])
    verdict = audit.verify_chain(alpha.tenant)
    assert not verdict.ok and "not yet sequenced" in verdict.reason, what
    with pytest.raises(DatabaseError, match="does not match its content hash"):
        sequencer.sequence(alpha.tenant)
    assert audit.verify_chain(alpha.tenant).entries == chained  # the batch rolled back whole


def test_an_accepted_entry_moved_from_another_tenant_is_detected(alpha, beta):
    _accept(beta.tenant, 2)
    _su("UPDATE tenants_auditpending SET tenant_id = %s WHERE id = (SELECT max(id) FROM "
        "tenants_auditpending WHERE tenant_id = %s)", [alpha.tenant.pk, beta.tenant.pk])
    assert "not yet sequenced" in audit.verify_chain(alpha.tenant).reason


def test_the_runtime_role_can_neither_edit_nor_drop_nor_write_accepted_entries(alpha):
    _accept(alpha.tenant, 2)
    accepted = _pending(alpha.tenant)
    with tenant_scope(alpha.tenant), connection.cursor() as cursor:
        for statement in ("UPDATE tenants_auditpending SET actor = 'x'",
                          "DELETE FROM tenants_auditpending",
                          "INSERT INTO tenants_auditpending (tenant_id, created_at, actor, "
                          "action, target, model_pin, request_sha256, payload_json, "
                          "content_hash) SELECT tenant_id, created_at, actor, action, target, "
                          "model_pin, request_sha256, payload_json, content_hash "
                          "FROM tenants_auditpending"):
            cursor.execute("SAVEPOINT s")
            with pytest.raises(DatabaseError, match="permission denied"):
                cursor.execute(statement)
            cursor.execute("ROLLBACK TO SAVEPOINT s")
    assert _pending(alpha.tenant) == accepted


def test_the_owner_cannot_drop_an_accepted_entry_outside_sequencing_or_a_purge(alpha):
    _accept(alpha.tenant, 1)
    with superuser_connection() as su:
        su.execute("SET ROLE sanoweb_owner")
        su.execute("SELECT set_config('app.tenant_id', %s, false)", [str(alpha.tenant.pk)])
        with pytest.raises(Exception, match="leave only by being sequenced"):
            su.execute("DELETE FROM tenants_auditpending")
        with pytest.raises(Exception, match="never updated"):
            su.execute("UPDATE tenants_auditpending SET actor = 'x'")


def test_one_tenants_sequencing_never_sees_another_tenants_pending_entries(alpha, beta):
    _accept(alpha.tenant, 2)
    _accept(beta.tenant, 5)
    assert sequencer.sequence(alpha.tenant) >= 2
    assert _pending(beta.tenant) >= 5 and _pending(alpha.tenant) == 0
    with tenant_scope(alpha.tenant), connection.cursor() as cursor:  # alpha's scope, beta's id
        cursor.execute("SELECT sanoweb_audit_sequence(%s, 100, true)", [beta.tenant.pk])
        assert cursor.fetchone()[0] == 0  # RLS holds inside the function: nothing to see
    assert _pending(beta.tenant) >= 5


# --- checkpoints sign sequenced heads; proofs show one entry -------------------------------

def test_a_checkpoint_signs_the_sequenced_head_and_its_tree(alpha):
    _accept(alpha.tenant, 4)
    sequencer.flush(alpha.tenant)
    _accept(alpha.tenant, 2)  # accepted after: not in what is signed
    checkpoint = checkpoints.write_checkpoint(alpha.tenant)
    verdict = audit.verify_chain(alpha.tenant)
    assert checkpoint is not None and checkpoint.seq == verdict.entries
    assert checkpoint.body["merkle_root"] == audit_proofs.tree_root(
        audit_proofs.chain_leaves(alpha.tenant, checkpoint.seq)).hex()
    assert checkpoints.verify_audit(alpha.tenant).ok


def test_an_inclusion_proof_holds_for_its_entry_and_shows_no_other(alpha):
    _accept(alpha.tenant, 12, secret_word="only-in-this-chain")
    sequencer.flush(alpha.tenant)
    checkpoints.write_checkpoint(alpha.tenant)
    size = audit.verify_chain(alpha.tenant).entries
    for seq in (1, 7, size):
        proof = audit_proofs.prove(alpha.tenant, seq)
        assert audit_proofs.check_proof(proof, signing.public_key_pem()) == ""
        assert len(proof["audit_path"]) <= size.bit_length()
        others = json.dumps({k: v for k, v in proof.items() if k != "entry"})
        assert "only-in-this-chain" not in others and "test.batched" not in others

    proof = audit_proofs.prove(alpha.tenant, 7)
    forged = {**proof, "entry": {**proof["entry"], "actor": "user:999"}}
    assert "entry_hash" in audit_proofs.check_proof(forged, signing.public_key_pem())
    other = audit_proofs.prove(alpha.tenant, 8)
    moved = {**proof, "audit_path": other["audit_path"]}
    assert "audit path" in audit_proofs.check_proof(moved, signing.public_key_pem())


def test_the_tree_head_agrees_with_rfc_6962_for_every_size_to_33():
    leaves = [audit_proofs.leaf_hash(f"{i:064x}") for i in range(33)]

    def mth(d):  # RFC 6962 §2.1, written from the text, recursively
        if len(d) == 1:
            return d[0]
        k = 1 << ((len(d) - 1).bit_length() - 1)
        return audit_proofs._node(mth(d[:k]), mth(d[k:]))

    for n in range(1, 34):
        root = audit_proofs.tree_root(leaves[:n])
        assert root == mth(leaves[:n])
        for m in range(n):
            path = audit_proofs.audit_path(leaves[:n], m)
            assert audit_proofs.verify_inclusion(leaves[m], m, n, path, root)
            assert not audit_proofs.verify_inclusion(leaves[(m + 1) % n], m, n, path, root) \
                or n == 1


def test_audit_proof_command_prints_a_proof_that_checks(alpha):
    _accept(alpha.tenant, 3)
    sequencer.flush(alpha.tenant)
    call_command("audit_checkpoint", stdout=io.StringIO())
    out = io.StringIO()
    call_command("audit_proof", "alpha", "2", stdout=out)
    proof = json.loads(out.getvalue())
    assert audit_proofs.check_proof(proof, signing.public_key_pem()) == ""


def test_accepting_for_another_tenant_gives_the_callers_scope_back(alpha, beta):
    with tenant_scope(alpha.tenant):
        audit.append(beta.tenant, "test.cross", actor="system:test")  # an operator's note
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('app.tenant_id', true)")
            assert cursor.fetchone()[0] == str(alpha.tenant.pk)
        assert not AuditPending.objects.filter(action="test.cross").exists()  # alpha sees none
    with tenant_scope(beta.tenant):
        assert AuditPending.objects.filter(action="test.cross").count() == 1


def test_a_closed_tenant_accepts_only_the_purges_own_entries(alpha):
    from tenants import closing

    with transaction.atomic():
        closing.close(alpha.tenant)
    before = _pending(alpha.tenant)
    with pytest.raises(closing.TenantClosed):
        audit.append(alpha.tenant, "inference.chat", actor="system:test")
    audit.append(alpha.tenant, "purge.executing", actor="system:purge")
    assert _pending(alpha.tenant) == before + 1


def test_the_audit_page_says_how_many_entries_wait_for_the_sequencer(alpha):
    import re

    from django.urls import reverse

    client = alpha.client_for(alpha.admin)
    _accept(alpha.tenant, 3)
    before = _pending(alpha.tenant)
    page = client.get(reverse("audit_log")).content.decode()
    shown = re.search(r'id="audit-pending">(\d+) entr', page)
    # the page view is audited too, in the same request: the count may include it
    assert shown and int(shown.group(1)) in (before, before + 1), page
