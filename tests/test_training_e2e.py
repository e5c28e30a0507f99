"""End to end: a real Celery worker on Redis trains real LoRA adapters on the real base model."""

import time
from typing import Any

import pytest
import torch
from django.core.files.storage import default_storage
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

from tenants.audit import verify_chain
from tenants.scoping import tenant_scope
from tenants.storage import tenant_prefix
from training import services
from training.models import AdapterVersion, RunState, TrainingRun

from .test_training import fact_training_set
from .workers import celery_worker, flush_broker, kill_hard

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _empty_broker():
    flush_broker()
# real drug names (made-up ones are redacted as names at ingest) with made-up codes of four
# digits (a letter-and-digit code is shaped like an identifier, and redacted at ingest)
FACTS = {"alpha": ("atenolol", "7315"), "beta": ("nadolol", "5832")}


def _wait(users, run, states, timeout=300, min_step=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with tenant_scope(users.tenant):
            run = TrainingRun.objects.get(pk=run.pk)
        if run.state in states or (min_step is not None and run.step >= min_step):
            return run
        time.sleep(0.5)
    raise AssertionError(f"run stuck in {run.state} at step {run.step}")


def _answer(base_dir, adapter_dir, question):
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    # Any: the model may be wrapped in a PeftModel, and transformers' types follow neither
    # that nor apply_chat_template(return_dict=True) giving a BatchEncoding
    model: Any = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    if adapter_dir is not None:
        model = PeftModel.from_pretrained(model, adapter_dir)
    ids: Any = tokenizer.apply_chat_template([{"role": "user", "content": question}],
                                        add_generation_prompt=True, return_tensors="pt",
                                        return_dict=True)
    out = model.generate(**ids, max_new_tokens=24, do_sample=False)
    return tokenizer.decode(out[0][ids["input_ids"].shape[1]:], skip_special_tokens=True)


def _download(adapter, target):
    target.mkdir()
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        with default_storage.open(f"{adapter.storage_prefix}/{name}", "rb") as src:
            (target / name).write_bytes(src.read())
    return target


def test_two_tenants_each_get_an_adapter_that_knows_only_their_fact(
        alpha, beta, base_model, base_model_dir, tmp_path):
    runs = {}
    for users in (alpha, beta):
        drug, code = FACTS[users.tenant.slug]
        snapshot = fact_training_set(users, drug, code)
        with tenant_scope(users.tenant):
            runs[users.tenant.slug] = services.start_run(snapshot, users.admin,
                                                         {"max_steps": 25})
    with celery_worker():
        done = {slug: _wait(users, runs[slug], {RunState.SUCCEEDED, RunState.FAILED_SYSTEM,
                                                 RunState.FAILED_USER})
                for slug, users in (("alpha", alpha), ("beta", beta))}
    answers = {}
    for slug, users in (("alpha", alpha), ("beta", beta)):
        assert done[slug].state == RunState.SUCCEEDED, done[slug].error_message
        assert done[slug].loss_history and done[slug].step == done[slug].total_steps
        with tenant_scope(users.tenant):
            adapter = AdapterVersion.objects.get(run=done[slug])
        assert adapter.storage_prefix.startswith(tenant_prefix(users.tenant) + "adapters/")
        assert adapter.storage_prefix.endswith(adapter.sha256)
        local = _download(adapter, tmp_path / slug)
        answers[slug] = {d: _answer(base_model_dir, local, f"What is the formulary code for {d}?")
                         for d, _ in FACTS.values()}
        assert verify_chain(users.tenant).ok
    base = {d: _answer(base_model_dir, None, f"What is the formulary code for {d}?")
            for d, _ in FACTS.values()}
    assert "7315" in answers["alpha"]["atenolol"]
    assert "5832" in answers["beta"]["nadolol"]
    assert "5832" not in str(answers["alpha"]) and "7315" not in str(answers["beta"])
    assert "7315" not in str(base) and "5832" not in str(base)


def test_cancel_stops_a_running_job(alpha, base_model):
    snapshot = fact_training_set(alpha, "atenolol", "7315")
    with tenant_scope(alpha.tenant):
        run = services.start_run(snapshot, alpha.admin, {"max_steps": 2000, "epochs": 100})
    with celery_worker():
        run = _wait(alpha, run, {RunState.FAILED_SYSTEM}, min_step=2)
        with tenant_scope(alpha.tenant):
            services.request_cancel(run, alpha.admin)
        run = _wait(alpha, run, {RunState.CANCELLED}, timeout=60)
    assert run.state == RunState.CANCELLED and run.step < 2000
    with tenant_scope(alpha.tenant):
        assert not AdapterVersion.objects.exists()


def test_killing_the_worker_mid_run_leaves_no_registered_adapter(alpha, base_model):
    snapshot = fact_training_set(alpha, "atenolol", "7315")
    with tenant_scope(alpha.tenant):
        run = services.start_run(snapshot, alpha.admin, {"max_steps": 2000, "epochs": 100})
    with celery_worker() as worker:
        _wait(alpha, run, {RunState.FAILED_SYSTEM}, min_step=2)
        kill_hard(worker)
    with tenant_scope(alpha.tenant):
        assert TrainingRun.objects.get(pk=run.pk).state == RunState.RUNNING
        assert not AdapterVersion.objects.exists()
    assert not default_storage.exists(tenant_prefix(alpha.tenant) + "adapters")
    # the reaper fails it; a late re-delivery then finds it finished and does nothing
    from datetime import timedelta

    from django.utils import timezone

    assert services.mark_stale_runs_failed(timezone.now() + timedelta(hours=1)) == 1
    assert services.execute_run(str(alpha.tenant.pk), str(run.pk)) == RunState.FAILED_SYSTEM
    with tenant_scope(alpha.tenant):
        assert not AdapterVersion.objects.exists()
