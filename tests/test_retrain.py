"""Continuous retraining: once a tenant's policy threshold of new approved training examples
is reached, beat freezes a snapshot and queues a run through the usual services, audited;
held-out examples never count, one run at a time, a blocked freeze is audited once."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tenants.models import AuditEntry, Tenant
from tenants.scoping import tenant_scope
from training import retrain
from training import services as training_services
from training.models import RetrainPolicy, RunState, TrainingRun

from .factories import base_model, clear_residual_candidates
from .test_eval_split import approve_facts

pytestmark = pytest.mark.django_db


def actions(tenant: Tenant, action: str) -> list[AuditEntry]:
    with tenant_scope(tenant):
        return list(AuditEntry.objects.filter(action=action))


@pytest.mark.parametrize(("new", "threshold", "busy", "due"), [
    (0, 3, False, False), (2, 3, False, False), (3, 3, False, True), (9, 3, False, True),
    (9, 3, True, False),  # a run still unfinished: wait for it
    (9, 0, False, False),  # 0: never by itself
])
def test_the_due_rule(new, threshold, busy, due):
    assert retrain.is_due(new, threshold, run_unfinished=busy) is due


@override_settings(RETRAIN_AFTER_APPROVALS=7)
def test_the_threshold_is_the_tenants_policy_else_the_setting(alpha):
    with tenant_scope(alpha.tenant):
        assert retrain.threshold() == 7
        retrain.set_policy(alpha.admin, 3)
        assert retrain.threshold() == 3
        retrain.set_policy(alpha.admin, None)
        assert retrain.threshold() == 7
        retrain.set_policy(alpha.admin, 0)
        assert retrain.threshold() == 0
        with pytest.raises(training_services.TrainingError):
            retrain.set_policy(alpha.admin, -1)
    assert [e.payload["retrain_after_approvals"]
            for e in actions(alpha.tenant, "training.retrain_policy_set")] == [3, None, 0]


@override_settings(EVAL_FRACTION=0.0, EVAL_MIN=2)
def test_new_approvals_count_training_examples_in_no_snapshot_only(alpha):
    approve_facts(alpha, 5)  # two held out, three to train
    with tenant_scope(alpha.tenant):
        assert retrain.new_approved_count() == 3
    clear_residual_candidates(alpha)
    with tenant_scope(alpha.tenant):
        from curation import services as curation_services

        curation_services.freeze_training_set(alpha.admin)
        assert retrain.new_approved_count() == 0


@override_settings(RETRAIN_AFTER_APPROVALS=3)
def test_a_tenant_past_its_threshold_is_frozen_and_queued_by_itself(
        alpha, beta, django_capture_on_commit_callbacks):
    base_model()
    approve_facts(alpha, 2)
    approve_facts(beta, 1, drug="nadolol")
    assert retrain.retrain_due_tenants() == 0  # two of three: not yet
    approve_facts(alpha, 1, drug="nadolol")
    clear_residual_candidates(alpha)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert retrain.retrain_due_tenants() == 1
    with tenant_scope(alpha.tenant):
        run = TrainingRun.objects.get()
        assert run.state == RunState.QUEUED and run.created_by == alpha.admin
        assert run.training_set.example_count == 3
        assert RetrainPolicy.objects.get().last_triggered_at is not None
    assert len(queued) == 1  # the train_adapter task, on commit
    [triggered] = actions(alpha.tenant, "training.retrain_triggered")
    assert triggered.actor == "system:retrain"
    assert triggered.target == f"training_set:{run.training_set_id}"
    assert triggered.payload == {"new_approved": 3, "threshold": 3,
                                 "on_behalf_of": f"user:{alpha.admin.pk}"}
    with tenant_scope(beta.tenant):
        assert not TrainingRun.objects.exists()
    # everything is frozen now, and a run is unfinished: nothing more
    approve_facts(alpha, 3, drug="sotalol")
    clear_residual_candidates(alpha)
    assert retrain.retrain_due_tenants() == 0


@override_settings(RETRAIN_AFTER_APPROVALS=0)
def test_a_policy_of_zero_or_the_default_of_zero_never_retrains(alpha):
    base_model()
    approve_facts(alpha, 3)
    clear_residual_candidates(alpha)
    assert retrain.retrain_due_tenants() == 0


@override_settings(RETRAIN_AFTER_APPROVALS=2)
def test_a_freeze_blocked_by_residual_phi_is_skipped_and_audited_once(alpha):
    base_model()
    approve_facts(alpha, 2, drug="zorbitanib")  # a made-up name the strict scan flags
    assert retrain.retrain_due_tenants() == 0
    assert retrain.retrain_due_tenants() == 0
    [skipped] = actions(alpha.tenant, "training.retrain_skipped")
    assert skipped.payload["reason"] == "residual_phi"
    with tenant_scope(alpha.tenant):
        assert not TrainingRun.objects.exists()
    clear_residual_candidates(alpha)  # a reviewer clears it: the next beat trains
    assert retrain.retrain_due_tenants() == 1


@override_settings(RETRAIN_AFTER_APPROVALS=1)
def test_a_suspended_tenant_is_not_retrained(alpha):
    base_model()
    approve_facts(alpha, 1)
    clear_residual_candidates(alpha)
    Tenant.objects.filter(pk=alpha.tenant.pk).update(status=Tenant.Status.SUSPENDED)
    assert retrain.retrain_due_tenants() == 0


@override_settings(RETRAIN_AFTER_APPROVALS=25)
def test_a_tenant_admin_sets_the_policy_on_the_runs_page(alpha):
    from django.urls import reverse

    client = alpha.client_for(alpha.admin)
    page = client.get(reverse("training:runs"))
    assert b'id="retrain-policy"' in page.content and b"now 0 of 25" in page.content
    client.post(reverse("training:retrain_policy"), {"retrain_after_approvals": "4"})
    with tenant_scope(alpha.tenant):
        policy = RetrainPolicy.objects.get()
    assert policy.retrain_after_approvals == 4 and policy.set_by == alpha.admin
    refused = client.post(reverse("training:retrain_policy"),
                          {"retrain_after_approvals": "many"}, follow=True)
    assert b"whole number" in refused.content
    reviewer = alpha.client_for(alpha.reviewer)
    assert reviewer.post(reverse("training:retrain_policy"),
                         {"retrain_after_approvals": "1"}).status_code == 403


@override_settings(RETRAIN_AFTER_APPROVALS=1)
def test_without_a_base_model_nothing_is_frozen_and_the_approvals_stay_due(alpha):
    approve_facts(alpha, 1)
    clear_residual_candidates(alpha)
    assert retrain.retrain_due_tenants() == 0
    with tenant_scope(alpha.tenant):
        from curation.models import TrainingSet

        assert not TrainingSet.objects.exists() and retrain.new_approved_count() == 1
    [skipped] = actions(alpha.tenant, "training.retrain_skipped")
    assert skipped.payload["reason"] == "no_base_model"
    base_model()
    assert retrain.retrain_due_tenants() == 1
