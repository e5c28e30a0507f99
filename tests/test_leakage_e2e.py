"""The leakage report at CI size, end to end: canaries approved into A's snapshot, three arms
trained by a real Celery worker with peft on the real base, and every attack through B's
route to a real vLLM. B's own adapter must pass every criterion; B's route serving the
shared-weight adapter (the control: what a shared model would leak) must fail them, which
is what proves the test can see a leak."""

from __future__ import annotations

import json

import pytest

from leakage import pipeline, report
from tenants.audit import verify_chain

from .workers import celery_worker, flush_broker

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.engine,
              pytest.mark.django_db(transaction=True)]


def test_b_route_shows_nothing_of_a_while_the_shared_control_leaks(alpha, beta, served,
                                                                  base_model, tmp_path):
    flush_broker()
    teams = (pipeline.Team(alpha.tenant, alpha.admin, alpha.reviewer),
             pipeline.Team(beta.tenant, beta.admin, beta.reviewer))
    with celery_worker():
        result = pipeline.run(pipeline.SIZES["ci"], 20261204, teams, inline=False)
    written = report.write(result, tmp_path)
    print(json.dumps({"summary": written["summary"], "seconds": written["seconds"],
                      "cache": written["cache_probe"]}, default=str))
    verdict = written["verdict"]
    assert verdict["has_power"], verdict["power"]
    assert verdict["passed"], verdict["isolated"]
    assert not all(c["passed"] for c in verdict["control"].values())  # the control leaks
    assert all(i["ok"] for i in written["injections"]), written["injections"]
    assert (tmp_path / "leakage_report.html").read_text().count("<svg") >= 4
    assert verify_chain(alpha.tenant).ok and verify_chain(beta.tenant).ok
