"""Every tenant-admin action has a documented REST endpoint: a client with its team's API key
imports examples, freezes a training set, starts a run and reads its status, lists adapter
versions with what made each and which one serves, promotes or rolls back, and sets the
policy, without scraping a page. Written as the attacks too: another team's key, a key after
its creator lost the role, a key minting a key, a key beside a session."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from curation.models import Example
from inference.services import create_key
from tenants.models import AuditEntry, Membership, Role
from tenants.scoping import tenant_scope
from training import services as training_services
from training.models import RunState, TrainingRun

from .conftest import TenantUsers
from .factories import base_model
from .test_inference_e2e import CANARY

pytestmark = pytest.mark.django_db
PAIRS = [{"question": f"What is the formulary code for drug {n}?",
          "answer": f"The formulary code for drug {n} is {7000 + n}."} for n in range(3)]


def key_client(users: TenantUsers) -> APIClient:
    client, secret = APIClient(), create_key(users.tenant, "ci", users.admin).secret
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def copying_trainer(*, out_dir: Path, **kwargs: Any) -> Any:
    """Stands in for peft: writes a real adapter's files (the canary's) as its output."""
    shutil.copytree(CANARY / "canary_a", out_dir)
    return SimpleNamespace(metrics={"tokens": 10})


def test_a_client_with_a_key_runs_the_whole_cycle_without_a_page(alpha, settings):
    base_model()
    admin = key_client(alpha)
    imported = admin.post("/api/curation/examples/import/", {"examples": PAIRS}, format="json")
    assert imported.status_code == 201, imported.content
    assert imported.json() == {"created": 3}
    reviewer = alpha.client_for(alpha.reviewer)
    with tenant_scope(alpha.tenant):
        ids = list(Example.objects.values_list("pk", flat=True))
    for pk in ids:
        decided = reviewer.post(f"/api/curation/examples/{pk}/decide/", {"decision": "approve"},
                                content_type="application/json")
        assert decided.status_code == 201, decided.content
    frozen = admin.post("/api/curation/training-sets/", format="json")
    assert frozen.status_code == 201 and frozen.json()["example_count"] == 3
    started = admin.post("/api/training/runs/", {"training_set": frozen.json()["id"],
                                                 "hyperparameters": {"max_steps": 3}},
                         format="json")
    assert started.status_code == 201, started.content
    run_id = started.json()["id"]  # in the answer, not in a redirect's Location header
    assert started.json()["state"] == RunState.QUEUED
    training_services.execute_run(str(alpha.tenant.pk), run_id, trainer=copying_trainer)
    status = admin.get(f"/api/training/runs/{run_id}/").json()
    assert status["state"] == RunState.SUCCEEDED and status["adapter"]
    versions = admin.get("/api/training/adapters/").json()
    assert [(v["version"], v["serving"], v["run"], v["training_set"]) for v in versions] == [
        (1, True, run_id, frozen.json()["id"])]

    again = admin.post("/api/training/runs/", {"training_set": frozen.json()["id"]},
                       format="json").json()
    training_services.execute_run(str(alpha.tenant.pk), again["id"], trainer=copying_trainer)
    second = admin.get(f"/api/training/runs/{again['id']}/").json()["adapter"]
    listed = {v["id"]: v for v in admin.get("/api/training/adapters/").json()}
    assert listed[second]["version"] == 2 and not listed[second]["serving"]
    promoted = admin.post(f"/api/training/adapters/{second}/activate/")
    assert promoted.status_code == 200 and promoted.json()["serving"]
    first = status["adapter"]
    assert admin.post(f"/api/training/adapters/{first}/activate/").json()["serving"]
    with tenant_scope(alpha.tenant):
        pins = AuditEntry.objects.filter(action="training.adapter_pinned").count()
    assert pins == 3  # the first pin at registration, the promotion, the roll-back

    policy = admin.post("/api/training/policy/", {"retrain_after_approvals": 7,
                                                  "min_eval_loss_gain": 0.05}, format="json")
    assert policy.status_code == 200
    assert policy.json()["in_force"] == {"retrain_after_approvals": 7,
                                         "min_eval_loss_gain": 0.05}
    bad = admin.post("/api/training/policy/", {"min_eval_loss_gain": 3}, format="json")
    assert bad.status_code == 400


def test_a_bad_import_says_which_line_and_imports_nothing(alpha):
    admin = key_client(alpha)
    refused = admin.post("/api/curation/examples/import/",
                         {"examples": [PAIRS[0], {"question": "no answer"}]}, format="json")
    assert refused.status_code == 400 and "line 2" in str(refused.json()["errors"])
    with tenant_scope(alpha.tenant):
        assert not Example.objects.exists()


def test_another_teams_key_gets_404_for_this_teams_runs_and_adapters(alpha, beta):
    base_model()
    with tenant_scope(alpha.tenant):
        from .factories import training_set

        run = training_services.start_run(training_set(alpha), alpha.admin,
                                          {"max_steps": 1})
    theirs = key_client(beta)
    assert theirs.get(f"/api/training/runs/{run.pk}/").status_code == 404
    assert theirs.post(f"/api/training/runs/{run.pk}/cancel/").status_code == 404
    assert theirs.get("/api/training/runs/").json() == []
    refused = theirs.post("/api/training/runs/", {"training_set": str(run.training_set_id)},
                          format="json")
    assert refused.status_code == 400 and "No such training set" in str(refused.json())
    with tenant_scope(alpha.tenant):
        assert TrainingRun.objects.count() == 1


def test_a_key_acts_with_its_creators_role_now_and_dies_with_it(alpha):
    admin = key_client(alpha)
    assert admin.get("/api/training/runs/").status_code == 200
    Membership.objects.filter(tenant=alpha.tenant, user=alpha.admin).update(
        role=Role.CLINICIAN)  # behind the signals' back: the role is read at every request
    assert admin.get("/api/training/runs/").status_code == 403
    membership = Membership.objects.get(tenant=alpha.tenant, user=alpha.admin)
    membership.save()  # through the model: the signal revokes the key
    assert admin.get("/api/training/runs/").status_code == 401


def test_a_key_never_mints_a_key_but_a_signed_in_admin_can(alpha):
    admin = key_client(alpha)
    assert admin.post("/api/inference/keys/", {"name": "more"}, format="json").status_code == 403
    session = alpha.client_for(alpha.admin)
    made = session.post("/api/inference/keys/", {"name": "ci-2"},
                        content_type="application/json")
    assert made.status_code == 201 and made.json()["secret"].startswith("sk-")
    listed = session.get("/api/inference/keys/").json()
    assert {"ci", "ci-2"} == {k["name"] for k in listed} and "secret" not in str(listed)
    revoked = session.post(f"/api/inference/keys/{made.json()['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]


def test_a_key_beside_a_session_is_refused_and_a_wrong_key_is_401(alpha):
    session = alpha.client_for(alpha.admin)
    secret = create_key(alpha.tenant, "ci", alpha.admin).secret
    both = session.get("/api/training/runs/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert both.status_code == 401
    wrong = Client().get("/api/training/runs/", HTTP_AUTHORIZATION="Bearer sk-nope-x")
    assert wrong.status_code == 401 and "not valid" in wrong.json()["detail"]


def test_the_schema_documents_every_admin_endpoint(alpha):
    schema = alpha.client_for(alpha.admin).get(reverse("api_schema")).content.decode()
    for path in ("/api/curation/examples/import/", "/api/curation/training-sets/",
                 "/api/training/runs/", "/api/training/runs/{id}/",
                 "/api/training/runs/{id}/cancel/",
                 "/api/training/adapters/", "/api/training/adapters/{id}/activate/",
                 "/api/training/adapters/{id}/evaluate/", "/api/training/policy/",
                 "/api/inference/keys/", "/api/inference/keys/{id}/revoke/"):
        assert f"{path}:" in schema, path
