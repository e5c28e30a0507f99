"""The OpenAI fine-tuning API, driven by the official `openai` client (in-process over WSGI):
jobs, cursor pages, events, checkpoints, cancel, the fine-tuned model's name in chat, and the
walls around another tenant's jobs and models."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from django.core.wsgi import get_wsgi_application
from django.utils import timezone

from inference.services import create_key
from tenants.models import AuditEntry, Role
from tenants.scoping import tenant_scope
from tenants.services import add_member, get_or_create_user
from training import services as training_services
from training.models import PinnedAdapter, RunState, TrainingRun

from .conftest import in_rotation
from .factories import approved_example, base_model, clear_residual_candidates, training_set
from .mock_engine import mock_engine
from .test_inference_e2e import CANARY

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_worker(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """No Celery worker here: queued runs stay queued, as they would with a busy gpu queue."""
    monkeypatch.setattr(training_services, "_enqueue", lambda tenant_id, run_id: None)
    settings.TRAINING_MIN_EXAMPLES = 1
    base_model()  # the registered base a run trains on


@pytest.fixture
def wsgi() -> Iterator[httpx.Client]:
    with httpx.Client(transport=httpx.WSGITransport(app=get_wsgi_application()),
                      base_url="http://testserver") as http:
        yield http


def client_for(users: Any, http: httpx.Client) -> openai.OpenAI:
    secret = create_key(users.tenant, "ft", users.admin).secret
    # openai types http_client as its vendored httpx fork; an httpx.Client works the same
    return openai.OpenAI(api_key=secret, base_url="http://testserver/v1",
                         http_client=http, max_retries=0)  # type: ignore[arg-type]


def finish(run_id: str, users: Any, canary: str = "canary_a") -> None:
    """What the worker does at the end of a run: the verified adapter, the loss curve, done."""
    base = base_model()
    with tenant_scope(users.tenant):
        run = TrainingRun.objects.get(pk=run_id)
        run.state, run.started_at = RunState.UPLOADING, timezone.now()
        run.step, run.total_steps = 2, 2
        run.loss_history = [{"step": 1, "loss": 2.5}, {"step": 2, "loss": 1.25, "eval_loss": 1.5}]
        run.metrics = {"final_loss": 1.25, "eval_loss": 1.5, "tokens_per_s": 100.0,
                       "seconds": 3.0}
        run.save()
        training_services._upload_and_register(users.tenant, run.pk, CANARY / canary,
                                               base.revision, 8, None)
        run.refresh_from_db()
        run.state, run.finished_at = RunState.SUCCEEDED, timezone.now()
        run.save()


def _uuid(job_id: str) -> str:
    hexed = job_id.removeprefix("ftjob-")
    return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"


def test_a_job_from_a_frozen_set_through_the_official_client(alpha, wsgi):
    approved_example(alpha)
    clear_residual_candidates(alpha)
    client = client_for(alpha, wsgi)
    frozen = client.post("/sanoweb/training_sets", cast_to=httpx.Response).json()
    assert frozen["examples"] == 1 and frozen["object"] == "sanoweb.training_set"

    job = client.fine_tuning.jobs.create(
        training_file=frozen["id"], model="sanoweb", suffix="ward-7", seed=7,
        hyperparameters={"n_epochs": 3}, metadata={"ticket": "T-1"})
    assert job.id.startswith("ftjob-") and job.status == "queued"
    assert job.training_file == frozen["id"] and job.fine_tuned_model is None
    assert job.hyperparameters.n_epochs == 3 and job.seed == 7 and job.metadata == {
        "ticket": "T-1"}
    with tenant_scope(alpha.tenant):
        run = TrainingRun.objects.get(pk=_uuid(job.id))
        assert run.hyperparameters["epochs"] == 3 and run.hyperparameters["seed"] == 7
        assert AuditEntry.objects.filter(action="finetune.job_created",
                                         target=f"run:{run.pk}").count() == 1
    assert client.fine_tuning.jobs.retrieve(job.id).status == "queued"

    finish(str(run.pk), alpha)
    done = client.fine_tuning.jobs.retrieve(job.id)
    assert done.status == "succeeded" and done.trained_tokens == 300
    assert done.fine_tuned_model and done.fine_tuned_model.startswith("ft:sanoweb:alpha:ward-7:")
    events = list(client.fine_tuning.jobs.list_events(job.id))
    assert events[0].message == "The job has successfully completed"  # newest first
    steps: list[dict[str, Any]] = [e.data for e in events  # type: ignore[misc]
                                   if e.type == "metrics"]
    assert {d["step"] for d in steps} == {1, 2} and {d["train_loss"] for d in steps} == {
        2.5, 1.25}
    (checkpoint,) = list(client.fine_tuning.jobs.checkpoints.list(job.id))
    assert checkpoint.fine_tuned_model_checkpoint == done.fine_tuned_model
    assert checkpoint.metrics.train_loss == 1.25 and checkpoint.step_number == 2
    assert [m.id for m in client.models.list()] == ["sanoweb", done.fine_tuned_model]


def test_the_fine_tuned_model_reaches_that_version_and_no_other_tenant_does(
        alpha, beta, wsgi, settings, tmp_path):
    settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
    in_rotation(settings.VLLM_URL)
    snapshot = training_set(alpha)
    mine, theirs = client_for(alpha, wsgi), client_for(beta, wsgi)
    first = mine.fine_tuning.jobs.create(training_file=str(snapshot.pk), model="sanoweb")
    finish(_uuid(first.id), alpha, "canary_a")
    second_set = training_set(alpha)
    second = mine.fine_tuning.jobs.create(training_file=str(second_set.pk), model="sanoweb")
    finish(_uuid(second.id), alpha, "canary_b")
    older = mine.fine_tuning.jobs.retrieve(first.id).fine_tuned_model
    assert older
    with tenant_scope(alpha.tenant):
        pinned = PinnedAdapter.objects.get().adapter  # the first adapter was pinned
    with mock_engine() as engine:
        answer = mine.chat.completions.create(
            model=older, messages=[{"role": "user", "content": "Dose?"}])
        sent = json.loads(engine.requests[-1].content)
        assert answer.model == older and sent["model"] == pinned.serving_name
        newer = mine.fine_tuning.jobs.retrieve(second.id).fine_tuned_model
        assert newer
        mine.chat.completions.create(model=newer, messages=[{"role": "user", "content": "?"}])
        assert json.loads(engine.requests[-1].content)["model"] != pinned.serving_name

        # beta: alpha's model name is a 400 like any unknown name; alpha's job id a 404
        with pytest.raises(openai.BadRequestError) as refused:
            theirs.chat.completions.create(model=older, messages=[
                {"role": "user", "content": "Dose?"}])
        assert refused.value.code == "model_not_found"
        fake = older[:-12] + "0" * 12
        with pytest.raises(openai.BadRequestError):
            mine.chat.completions.create(model=fake, messages=[{"role": "user", "content": "?"}])
    for call in (theirs.fine_tuning.jobs.retrieve, theirs.fine_tuning.jobs.cancel,
                 theirs.fine_tuning.jobs.list_events, theirs.fine_tuning.jobs.checkpoints.list):
        with pytest.raises(openai.NotFoundError):
            result = call(first.id)
            list(result) if not isinstance(result, openai.types.fine_tuning.FineTuningJob) \
                else None
    assert [j.id for j in theirs.fine_tuning.jobs.list()] == []
    assert [m.id for m in theirs.models.list()] == ["sanoweb"]
    with pytest.raises(openai.NotFoundError):  # beta cannot train on alpha's training set
        theirs.fine_tuning.jobs.create(training_file=str(snapshot.pk), model="sanoweb")


def test_cursor_pages_and_cancel(alpha, wsgi):
    client = client_for(alpha, wsgi)
    jobs = [client.fine_tuning.jobs.create(training_file=str(training_set(alpha).pk),
                                           model="sanoweb") for _ in range(3)]
    first_page = client.fine_tuning.jobs.list(limit=2)
    assert [j.id for j in first_page.data] == [jobs[2].id, jobs[1].id]  # newest first
    assert first_page.has_more
    assert [j.id for j in client.fine_tuning.jobs.list(limit=2, after=jobs[1].id).data] == [
        jobs[0].id]
    assert [j.id for j in client.fine_tuning.jobs.list()] == [j.id for j in reversed(jobs)]

    cancelled = client.fine_tuning.jobs.cancel(jobs[0].id)
    assert cancelled.status == "cancelled"
    with pytest.raises(openai.ConflictError):
        client.fine_tuning.jobs.cancel(jobs[0].id)


@pytest.mark.parametrize(("body", "param"), [
    ({"model": "gpt-4o-mini"}, "model"),
    ({"model": "sanoweb", "hyperparameters": {"batch_size": 8}}, "hyperparameters"),
    ({"model": "sanoweb", "hyperparameters": {"n_epochs": 1000}}, "hyperparameters"),
    ({"model": "sanoweb", "suffix": "no spaces please"}, "suffix"),
    ({"model": "sanoweb", "validation_file": "x"}, "validation_file"),
    ({"model": "sanoweb", "stream": True}, "stream"),
])
def test_bad_job_requests_say_what_to_fix_and_create_nothing(alpha, wsgi, body, param):
    client = client_for(alpha, wsgi)
    rest = {k: v for k, v in body.items() if k != "model"}
    with pytest.raises(openai.BadRequestError) as refused:
        client.fine_tuning.jobs.create(training_file=str(training_set(alpha).pk),
                                       model=body["model"], extra_body=rest)
    assert refused.value.param == param
    with tenant_scope(alpha.tenant):
        assert not TrainingRun.objects.exclude(state=RunState.FAILED_USER).exists()


def test_a_key_whose_owner_is_no_longer_a_tenant_admin_cannot_train(alpha, wsgi):
    clinician_admin = get_or_create_user("former@alpha.test").user
    add_member(alpha.tenant, clinician_admin, Role.TENANT_ADMIN, actor="system:test")
    secret = create_key(alpha.tenant, "old", clinician_admin).secret
    from tenants.models import Membership

    Membership.objects.filter(tenant=alpha.tenant, user=clinician_admin).update(
        role=Role.CLINICIAN)
    client = openai.OpenAI(api_key=secret, base_url="http://testserver/v1",
                           http_client=wsgi, max_retries=0)
    with pytest.raises(openai.PermissionDeniedError):
        client.fine_tuning.jobs.list()
