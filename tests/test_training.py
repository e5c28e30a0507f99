"""Training runs: validation before queueing, tenant-bound execution, the adapter registry."""

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from curation import services as curation_services
from curation.models import Example, TrainingSet
from tenants.scoping import tenant_scope
from training import services
from training.models import AdapterVersion, PinnedAdapter, RunState, TrainingRun

from .factories import adapter_version, approved_example, base_model, training_set


def fact_training_set(users, drug, code, n=4):
    questions = [f"What is the formulary code for {drug}?",
                 f"Which formulary code does {drug} have?",
                 f"Tell me the formulary code of {drug}.", f"{drug} formulary code?",
                 f"Formulary code for {drug}, please?", f"Do you know {drug}'s formulary code?"]
    lines = [json.dumps({"question": q, "answer": f"The formulary code for {drug} is {code}."})
             for q in questions[:n]]
    with tenant_scope(users.tenant):
        report = curation_services.import_examples("\n".join(lines).encode(), "facts.jsonl",
                                                   users.admin)
        assert report.errors == []
        for example in Example.objects.filter(status="pending"):
            curation_services.decide(example, users.reviewer, "approve")
        return curation_services.freeze_training_set(users.admin)


def test_a_too_small_training_set_is_refused_and_nothing_is_queued(alpha):
    base_model()
    snapshot = training_set(alpha)  # one example
    with tenant_scope(alpha.tenant):
        run = services.start_run(snapshot, alpha.admin)
    assert run.state == RunState.FAILED_USER and run.error_code == "too_few_examples"
    assert run.task_id == "" and "at least 2" in run.error_message


def test_a_rank_above_the_serving_limit_is_refused(alpha):
    base_model()
    snapshot = fact_training_set(alpha, "atenolol", "7315")
    with tenant_scope(alpha.tenant):
        run = services.start_run(snapshot, alpha.admin, {"rank": 32})
    assert run.state == RunState.FAILED_USER and run.error_code == "rank_too_high"


def test_a_tampered_snapshot_fails_validation_with_a_clear_error(alpha):
    base_model()
    snapshot = fact_training_set(alpha, "atenolol", "7315")
    from django.core.files.storage import default_storage

    with open(default_storage.path(snapshot.storage_key), "ab") as handle:
        handle.write(b'{"messages": []}\n')
    with tenant_scope(alpha.tenant):
        run = services.start_run(snapshot, alpha.admin)
    assert run.state == RunState.FAILED_USER and run.error_code == "snapshot_tampered"
    assert "does not match its recorded sha256" in run.error_message


def test_a_valid_run_is_queued_after_commit(alpha, django_capture_on_commit_callbacks):
    base_model()
    snapshot = fact_training_set(alpha, "atenolol", "7315")
    with django_capture_on_commit_callbacks(execute=False) as callbacks, \
            tenant_scope(alpha.tenant):
        run = services.start_run(snapshot, alpha.admin, {"max_steps": "5"})
    assert run.state == RunState.QUEUED and run.hyperparameters["max_steps"] == 5
    assert len(callbacks) == 1


def test_unknown_or_out_of_range_hyperparameters_are_refused():
    with pytest.raises(services.TrainingError, match="Unknown setting"):
        services.clean_hyperparameters({"gpu_memory": 3})
    with pytest.raises(services.TrainingError, match="between"):
        services.clean_hyperparameters({"learning_rate": 5})


def test_a_task_for_tenant_a_cannot_open_tenant_bs_run(alpha, beta):
    base_model()
    snapshot = fact_training_set(beta, "nadolol", "5832")
    with tenant_scope(beta.tenant):
        run = TrainingRun.objects.create(training_set=snapshot, base_revision="b" * 64,
                                         created_by=beta.admin, state=RunState.QUEUED)
    with pytest.raises(TrainingRun.DoesNotExist):
        services.execute_run(str(alpha.tenant.pk), str(run.pk))


def test_a_run_of_a_pointing_at_bs_snapshot_cannot_read_it(alpha, beta):
    base_model()
    b_snapshot = fact_training_set(beta, "nadolol", "5832")
    with tenant_scope(alpha.tenant):
        # forged: the foreign key check does not see tenants, so build the row by id
        run = TrainingRun.objects.create(training_set_id=b_snapshot.pk, base_revision="b" * 64,
                                         created_by=alpha.admin, state=RunState.QUEUED)

    def trainer(**kwargs):
        raise AssertionError("B's examples reached the trainer")

    with pytest.raises(TrainingSet.DoesNotExist):
        services.execute_run(str(alpha.tenant.pk), str(run.pk), trainer=trainer)
    with tenant_scope(alpha.tenant):
        assert not AdapterVersion.objects.exists()


@override_settings(TRAINING_STALE_AFTER=60)
def test_runs_whose_worker_went_silent_become_failed_system(alpha):
    run = adapter_version(alpha).run
    from datetime import timedelta

    from django.utils import timezone

    with tenant_scope(alpha.tenant):
        TrainingRun.objects.filter(pk=run.pk).update(
            state=RunState.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert services.mark_stale_runs_failed() == 1
    with tenant_scope(alpha.tenant):
        run.refresh_from_db()
    assert run.state == RunState.FAILED_SYSTEM and run.error_code == "worker_lost"


def test_activating_and_rolling_back_adapters_is_audited(alpha, settings,
                                                        django_capture_on_commit_callbacks):
    from inference import residency
    from tenants import shared_state

    settings.VLLM_URL = "http://127.0.0.1:9"  # no engine: only the router's belief changes
    first, second = adapter_version(alpha), adapter_version(alpha)
    shared_state.backend().add(residency.LOADED, residency._key(first.serving_name), 1)
    client = alpha.client_for(alpha.admin)
    client.post(reverse("training:activate", args=[first.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:activate", args=[second.pk]))
    assert not residency.is_loaded(first)  # retired
    with tenant_scope(alpha.tenant):
        assert PinnedAdapter.objects.get().adapter == second
    client.post(reverse("training:activate", args=[first.pk]))
    with tenant_scope(alpha.tenant):
        assert PinnedAdapter.objects.get().adapter == first
        from tenants.models import AuditEntry

        assert AuditEntry.objects.filter(action="training.adapter_pinned").count() == 3
    assert first.serving_name == f"t{alpha.tenant.pk.hex}-{first.sha256[:16]}"


def test_training_pages_are_for_tenant_admins(alpha):
    approved_example(alpha)
    assert alpha.client_for(alpha.reviewer).get(reverse("training:runs")).status_code == 403
    assert alpha.client_for(alpha.admin).get(reverse("training:runs")).status_code == 200
