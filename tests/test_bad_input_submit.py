"""Bad input, submitted twice: a double click or two requests at once make one thing, not two.

Each test is the attack that must fail. The concurrent ones hold every thread after its
"is there one already?" look-up until all have looked, so only the database constraint can
stop the second insert.
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from django.urls import reverse

from offboarding import export, purge
from tenants.models import AuditEntry, ExportRequest, PurgeRequest
from tenants.scoping import tenant_scope
from training import services
from training.models import RunState, TrainingRun

from .factories import base_model
from .test_training import fact_training_set

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def enqueued(monkeypatch) -> list[Any]:
    """Training tasks sent to the broker (none really is: no worker here)."""
    sent: list[Any] = []
    monkeypatch.setattr(services, "_enqueue", lambda tenant_id, run_id: sent.append(run_id))
    return sent


@pytest.fixture
def snapshot(alpha):
    base_model()
    return fact_training_set(alpha, "atenolol", "7315")


@pytest.fixture
def operators(django_user_model):
    return tuple(django_user_model.objects.create_superuser(f"op{n}@sanoweb.test",
                                                            f"op{n}@sanoweb.test",
                                                            f"operator-pass-{n}")
                 for n in (1, 2))


def hold_after_first_lookup(monkeypatch, module: Any, name: str, threads: int = 2) -> None:
    """Every thread's first call of module.name returns only once all threads have made it."""
    original = getattr(module, name)
    barrier = threading.Barrier(threads, timeout=20)
    seen = threading.local()

    def held(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if not getattr(seen, "done", False):
            seen.done = True
            barrier.wait()
        return result

    monkeypatch.setattr(module, name, held)


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread (its own database connection); results or exceptions."""
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            results[index] = call()
        except BaseException as exc:  # the test inspects it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def runs_and_queued_entries(users) -> tuple[int, int]:
    with tenant_scope(users.tenant):
        return (TrainingRun.objects.count(),
                AuditEntry.objects.filter(action="training.run_queued").count())


def start(users, snapshot, params: dict[str, Any] | None = None) -> TrainingRun:
    with tenant_scope(users.tenant):
        return services.start_run(snapshot, users.admin, params)


# --- training runs ---------------------------------------------------------------------------


def test_starting_the_same_run_twice_gives_one_run(alpha, snapshot, enqueued):
    first = start(alpha, snapshot, {"max_steps": "5"})
    second = start(alpha, snapshot, {"max_steps": 5})  # the same settings, typed differently
    assert first.state == RunState.QUEUED and second.pk == first.pk
    assert runs_and_queued_entries(alpha) == (1, 1)
    assert enqueued == [first.pk]


def test_two_starts_at_once_give_one_run(alpha, snapshot, enqueued, monkeypatch):
    hold_after_first_lookup(monkeypatch, services, "_unfinished_run")
    results = at_once(lambda: start(alpha, snapshot), lambda: start(alpha, snapshot))
    assert all(isinstance(r, TrainingRun) for r in results), results
    assert results[0].pk == results[1].pk
    assert runs_and_queued_entries(alpha) == (1, 1)
    assert len(enqueued) == 1


def test_other_settings_while_a_run_is_queued_are_refused_clearly(alpha, snapshot, enqueued):
    start(alpha, snapshot)
    with pytest.raises(services.TrainingError, match="already queued; cancel it or wait") as err:
        start(alpha, snapshot, {"rank": 4})
    assert err.value.code == "run_in_progress"
    with pytest.raises(services.TrainingError, match="already queued"):
        start(alpha, snapshot, {"rank": 999})  # invalid too: still no second row
    assert runs_and_queued_entries(alpha) == (1, 1)


def test_other_settings_at_once_leave_one_run_and_one_clear_error(alpha, snapshot, enqueued,
                                                                  monkeypatch):
    hold_after_first_lookup(monkeypatch, services, "_unfinished_run")
    results = at_once(lambda: start(alpha, snapshot, {"rank": 4}),
                      lambda: start(alpha, snapshot, {"rank": 8}))
    runs = [r for r in results if isinstance(r, TrainingRun)]
    errors = [r for r in results if isinstance(r, services.TrainingError)]
    assert len(runs) == 1 and len(errors) == 1, results
    assert "cancel it or wait" in str(errors[0])
    assert runs_and_queued_entries(alpha) == (1, 1)


def test_a_finished_run_does_not_block_a_new_one(alpha, snapshot, enqueued):
    first = start(alpha, snapshot)
    with tenant_scope(alpha.tenant):
        services.request_cancel(first, alpha.admin)
    second = start(alpha, snapshot)
    assert second.pk != first.pk and second.state == RunState.QUEUED
    assert runs_and_queued_entries(alpha) == (2, 2)


def test_a_refused_run_does_not_block_a_valid_one(alpha, snapshot, enqueued):
    refused = start(alpha, snapshot, {"rank": 32})  # above the serving engine's limit
    assert refused.state == RunState.FAILED_USER
    queued = start(alpha, snapshot)
    assert queued.state == RunState.QUEUED and queued.pk != refused.pk


def test_a_run_being_cancelled_is_not_handed_back_as_a_new_start(alpha, snapshot, enqueued):
    run = start(alpha, snapshot)
    with tenant_scope(alpha.tenant):
        TrainingRun.objects.filter(pk=run.pk).update(state=RunState.RUNNING)
        services.request_cancel(TrainingRun.objects.get(pk=run.pk), alpha.admin)
    with pytest.raises(services.TrainingError, match="still stopping"):
        start(alpha, snapshot)
    assert runs_and_queued_entries(alpha) == (1, 1)


def test_posting_the_start_form_twice_shows_the_same_run(alpha, snapshot, enqueued):
    client = alpha.client_for(alpha.admin)
    form = {"training_set": str(snapshot.pk), "max_steps": "5"}
    first = client.post(reverse("training:runs"), form)
    second = client.post(reverse("training:runs"), form)
    assert first.status_code == second.status_code == 302
    assert second.url == first.url
    assert client.get(second.url).status_code == 200
    other = client.post(reverse("training:runs"), {**form, "max_steps": "6"}, follow=True)
    assert other.status_code == 200
    assert b"already queued; cancel it or wait for it to finish." in other.content
    assert runs_and_queued_entries(alpha) == (1, 1)


# --- exports ---------------------------------------------------------------------------------


def export_entries(users) -> int:
    with tenant_scope(users.tenant):
        return AuditEntry.objects.filter(action="export.requested").count()


def test_a_double_export_request_makes_one_export(alpha, operators, monkeypatch):
    monkeypatch.setattr(export, "_enqueue", lambda export_id: None)
    first = export.request_export(alpha.tenant, operators[0])
    second = export.request_export(alpha.tenant, operators[1])
    assert second.pk == first.pk
    assert ExportRequest.objects.filter(tenant=alpha.tenant).count() == 1
    assert export_entries(alpha) == 1


def test_two_export_requests_at_once_make_one_export(alpha, operators, monkeypatch):
    monkeypatch.setattr(export, "_enqueue", lambda export_id: None)
    hold_after_first_lookup(monkeypatch, export, "_pending_export")
    results = at_once(lambda: export.request_export(alpha.tenant, operators[0]),
                      lambda: export.request_export(alpha.tenant, operators[1]))
    assert all(isinstance(r, ExportRequest) for r in results), results
    assert results[0].pk == results[1].pk
    assert ExportRequest.objects.filter(tenant=alpha.tenant).count() == 1
    assert export_entries(alpha) == 1


def test_a_finished_export_does_not_block_a_new_one(alpha, operators, monkeypatch):
    monkeypatch.setattr(export, "_enqueue", lambda export_id: None)
    first = export.run_export(export.request_export(alpha.tenant, operators[0]).pk)
    assert first.status == ExportRequest.Status.READY
    second = export.request_export(alpha.tenant, operators[0])
    assert second.pk != first.pk and export_entries(alpha) == 2


def test_an_export_stuck_for_hours_no_longer_blocks(alpha, operators, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(export, "_enqueue", lambda export_id: None)
    stuck = export.request_export(alpha.tenant, operators[0])
    ExportRequest.objects.filter(pk=stuck.pk).update(
        status=ExportRequest.Status.RUNNING,
        created_at=timezone.now() - export.EXPORT_STALE_AFTER * 2)
    fresh = export.request_export(alpha.tenant, operators[0])
    assert fresh.pk != stuck.pk and fresh.status == ExportRequest.Status.QUEUED
    assert ExportRequest.objects.get(pk=stuck.pk).status == ExportRequest.Status.FAILED


# --- purges ----------------------------------------------------------------------------------


def test_a_double_purge_request_is_refused_clearly(alpha, operators):
    purge.request_purge(alpha.tenant, operators[0], "Contract ended")
    with pytest.raises(purge.PurgeError, match="already open"):
        purge.request_purge(alpha.tenant, operators[1], "Contract ended")
    assert PurgeRequest.objects.filter(tenant=alpha.tenant).count() == 1


def test_two_purge_requests_at_once_open_one_purge(alpha, operators, monkeypatch):
    hold_after_first_lookup(monkeypatch, purge, "_open_purge_exists")
    results = at_once(lambda: purge.request_purge(alpha.tenant, operators[0], "Ended"),
                      lambda: purge.request_purge(alpha.tenant, operators[1], "Ended"))
    opened = [r for r in results if isinstance(r, PurgeRequest)]
    refused = [r for r in results if isinstance(r, purge.PurgeError)]
    assert len(opened) == 1 and len(refused) == 1, results
    assert str(refused[0]) == "A purge of this tenant is already open."
    assert PurgeRequest.objects.filter(tenant=alpha.tenant).count() == 1
    with tenant_scope(alpha.tenant):
        assert AuditEntry.objects.filter(action="purge.requested").count() == 1
