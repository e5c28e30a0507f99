"""A purge that nothing can outrun, end to end: a training run on a real Celery worker, an
export waiting in the real broker and a stream open through the router to a real vLLM are
all stopped, then everything is deleted, and verify_purge finds nothing before the
certificate is signed."""

from __future__ import annotations

import json
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from inference import engine_auth, streams
from inference.services import create_key
from offboarding import export, purge
from tenants import host_caches, signing
from tenants.models import DeletionCertificate, PurgeRequest
from tenants.scoping import tenant_scope
from training import services as training_services
from training.models import RunState, TrainingRun

from .pg import superuser_connection
from .test_inference_e2e import CANARY, give_adapter
from .test_training import fact_training_set
from .workers import celery_worker, flush_broker

pytestmark = [pytest.mark.slow, pytest.mark.engine, pytest.mark.worker,
              pytest.mark.django_db(transaction=True)]


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


class Watcher(threading.Thread):
    """Reads the run's and the export's states as a superuser every 0.2 s while the purge
    runs: what the rows went through before they were deleted."""

    def __init__(self, run_id, export_id) -> None:
        super().__init__(daemon=True)
        self.run_id, self.export_id = run_id, export_id
        self.runs: list[str] = []
        self.exports: list[str] = []
        self.done = threading.Event()
        self.looked = threading.Event()  # the first look is in: the purge may start

    def run(self) -> None:
        with superuser_connection() as pg:
            while True:
                finished = self.done.is_set()  # one last look after the purge has returned
                for table, key, seen in (("training_trainingrun", self.run_id, self.runs),
                                         ("tenants_exportrequest", self.export_id,
                                          self.exports)):
                    column = "state" if table.startswith("training") else "status"
                    row = pg.execute(f"SELECT {column} FROM {table} WHERE id = %s",
                                     [key]).fetchone()
                    state = row[0] if row else "deleted"
                    if not seen or seen[-1] != state:
                        seen.append(state)
                self.looked.set()
                if finished:
                    return
                time.sleep(0.2)


def open_stream(url: str, secret: str, events: list[bytes]) -> threading.Thread:
    """A client reading a long answer through the router, line by line."""
    def read() -> None:
        body = {"model": "sanoweb", "stream": True, "max_tokens": 500, "temperature": 0,
                "messages": [{"role": "user", "content": "Write a long story about a ward."}]}
        with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, timeout=300,
                          headers={"Authorization": f"Bearer {secret}"}) as response:
            for line in response.iter_lines():
                if line:
                    events.append(line.encode())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def purge_until_done(purge_id: int, timeout: float = 900) -> PurgeRequest:
    """What the purge task does: run it, and again a little later while work still runs (a
    training step on a busy CPU can take a minute; the trainer checks between steps)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return purge.run_purge(purge_id)
        except purge.PurgeNotYet:
            if time.monotonic() > deadline:
                raise
            time.sleep(2)


def test_a_purge_stops_a_training_run_an_export_and_a_stream_before_it_certifies(
        api, alpha, beta, base_model, django_user_model, monkeypatch):
    flush_broker()
    monkeypatch.setattr(purge, "_enqueue", lambda purge_id: None)  # the test runs the purge
    first = django_user_model.objects.create_superuser("op1@sanoweb.test", "op1@sanoweb.test",
                                                       "operator-pass-1")
    second = django_user_model.objects.create_superuser("op2@sanoweb.test", "op2@sanoweb.test",
                                                        "operator-pass-2")
    adapter = give_adapter(alpha, CANARY / "canary_a")  # pinned: the stream uses it
    give_adapter(beta, CANARY / "canary_b")
    snapshot = fact_training_set(alpha, "atenolol", "7315")
    with tenant_scope(alpha.tenant):
        run = training_services.start_run(snapshot, alpha.admin,
                                          {"max_steps": 2000, "epochs": 100})
    with celery_worker():
        def training() -> TrainingRun | None:
            with tenant_scope(alpha.tenant):
                found = TrainingRun.objects.get(pk=run.pk)
            return found if found.state == RunState.RUNNING and found.step >= 2 else None

        wait_for(training, 300, "the training run to be running")
        # the worker is busy training (solo pool): the export waits in the broker, queued
        item = export.request_export(alpha.tenant, first)
        events: list[bytes] = []
        reader = open_stream(api.live_url, create_key(alpha.tenant, "k", alpha.admin).secret,
                             events)
        wait_for(lambda: len(events) >= 3, 120, "the stream to answer")
        assert len(streams.open_streams(alpha.tenant)) == 1 and reader.is_alive()
        item.refresh_from_db()
        assert item.status == "queued"

        watcher = Watcher(run.pk, item.pk)
        watcher.start()
        assert watcher.looked.wait(60)
        try:
            request = purge.approve_purge(purge.request_purge(alpha.tenant, first, "Ended"),
                                          second)
            done = purge_until_done(request.pk)
        finally:
            watcher.done.set()
            watcher.join()
        reader.join(60)

        # the worker, idle now, answers for its host's caches too (the remote path)
        scratch = Path(tempfile.mkdtemp(prefix=training_services.scratch_prefix(alpha.tenant)))
        answered = host_caches.ask_workers("training scratch folders", str(alpha.tenant.pk),
                                           delete=True)
        assert answered == {host_caches.this_host(): []} and not scratch.exists()

    assert done.status == PurgeRequest.Status.DONE
    # all three stopped: seen going to their end states before their rows were deleted
    assert watcher.runs[0] == "running" and watcher.runs[-1] == "deleted"
    assert "cancelled" in watcher.runs, watcher.runs
    assert watcher.exports[0] == "queued" and "failed" in watcher.exports, watcher.exports
    assert not reader.is_alive()
    assert events[-1] == b'data: {"error": {"code": "tenant_model_unavailable"}}'
    assert b"[DONE]" not in b"".join(events)
    body = json.loads(DeletionCertificate.objects.get(purge=request).body)
    assert signing.verify(json.dumps(body, sort_keys=True, separators=(",", ":")).encode(),
                          DeletionCertificate.objects.get(purge=request).signature,
                          signing.public_key_pem())
    assert body["stopped"]["training runs"] == [f"run {run.pk}: running -> cancel_requested"]
    assert body["stopped"]["exports"] == [f"export {item.pk}: queued -> failed"]
    assert len(body["stopped"]["open streams"]) == 1
    # verified clean, before the certificate
    assert body["verified"]["left"] == []
    assert done.steps_done.index("verify") < done.steps_done.index("certificate")
    assert purge.verify_purge(alpha.tenant) == []
    served = [m["id"] for m in httpx.get(f"{api.config.url}/v1/models",
                                         headers=engine_auth.headers()).json()["data"]]
    assert adapter.serving_name not in served
    assert body["deleted"]["engine: loaded adapters"]["loaded"][api.config.url] == [
        adapter.serving_name]
