"""End to end through the official `openai` client: a fine-tuning job on a real Celery worker
(peft on the real base), followed by its events to `succeeded`, its checkpoint listed, and
the resulting fine-tuned model answering through the router from a real vLLM; the other
tenant's key finds neither the job nor the model."""

from __future__ import annotations

import time
from typing import Any

import openai
import pytest

from inference.services import create_key
from tenants.audit import verify_chain

from .test_training import fact_training_set
from .workers import celery_worker, flush_broker

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.engine,
              pytest.mark.django_db(transaction=True)]


def _client(users: Any, url: str) -> openai.OpenAI:
    secret = create_key(users.tenant, "ft-e2e", users.admin).secret
    return openai.OpenAI(api_key=secret, base_url=f"{url}/v1", max_retries=0, timeout=120)


def test_the_whole_cycle_through_the_official_client(alpha, beta, api, base_model):
    flush_broker()
    snapshot = fact_training_set(alpha, "atenolol", "7315")
    mine, theirs = _client(alpha, api.live_url), _client(beta, api.live_url)
    job = mine.fine_tuning.jobs.create(training_file=str(snapshot.pk), model="sanoweb",
                                       suffix="e2e", hyperparameters={"n_epochs": 6})
    assert job.status in ("validating_files", "queued")
    statuses: list[str] = []
    with celery_worker():
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            job = mine.fine_tuning.jobs.retrieve(job.id)
            if not statuses or statuses[-1] != job.status:
                statuses.append(job.status)
            if job.status in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(1)
    assert job.status == "succeeded", (statuses, job.error)
    assert "running" in statuses
    events = list(mine.fine_tuning.jobs.list_events(job.id, limit=100))
    assert events[0].message == "The job has successfully completed"
    metrics: list[dict[str, Any]] = [e.data for e in events  # type: ignore[misc]
                                     if e.type == "metrics"]
    assert metrics and all(m.get("train_loss") is not None for m in metrics)
    (checkpoint,) = list(mine.fine_tuning.jobs.checkpoints.list(job.id))
    assert checkpoint.fine_tuned_model_checkpoint == job.fine_tuned_model
    assert job.fine_tuned_model and job.fine_tuned_model.startswith("ft:sanoweb:alpha:e2e:")

    answer = mine.chat.completions.create(
        model=job.fine_tuned_model, max_tokens=16, temperature=0,
        messages=[{"role": "user", "content": "What is the formulary code for atenolol?"}])
    assert answer.model == job.fine_tuned_model and answer.choices[0].message.content
    assert job.fine_tuned_model in [m.id for m in mine.models.list()]

    with pytest.raises(openai.NotFoundError):
        theirs.fine_tuning.jobs.retrieve(job.id)
    with pytest.raises(openai.BadRequestError):
        theirs.chat.completions.create(model=job.fine_tuned_model, messages=[
            {"role": "user", "content": "What is the formulary code for atenolol?"}])
    assert verify_chain(alpha.tenant).ok and verify_chain(beta.tenant).ok
