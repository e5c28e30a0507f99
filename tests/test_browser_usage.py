"""In a real browser: a tenant admin opens the usage page after real calls through the router
(engine stand-in), sees those figures, the charts and the loss curve, and downloads the CSV,
whose sums match an independent count of the audit log's entries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tenants.scoping import tenant_scope
from training.models import AdapterEvaluation, Decision, EvaluationState, TrainingRun

from .browser import chromium, login
from .conftest import PASSWORD
from .test_usage import independent_count, make_calls, pinned, standin  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_usage_page_shows_the_calls_made_and_the_csv_sums_match_the_audit_log(
        live_server, alpha, beta, pinned, standin, tmp_path: Path):  # noqa: F811
    make_calls(standin, alpha.tenant, [(120, 40, None), (300, 80, 160), (70, 30, 0)],
               refused=2, failed=1)
    make_calls(standin, beta.tenant, [(7777, 7777, None)])  # never on alpha's page
    started = timezone.now() - timedelta(hours=1)
    with tenant_scope(alpha.tenant):  # v1's run as the worker leaves it
        TrainingRun.objects.filter(pk=pinned[0].run_id).update(
            started_at=started, finished_at=started + timedelta(seconds=1800),
            loss_history=[{"step": s, "loss": 2.0 - s / 10} for s in range(1, 11)],
            metrics={"tokens": 12_345, "final_loss": 1.0})
        AdapterEvaluation.objects.update_or_create(adapter=pinned[0], defaults={
            "state": EvaluationState.DONE, "decision": Decision.FIRST, "examples": 5,
            "results": {"candidate": {"eval_loss": 1.1, "must_say_pass_rate": 1.0},
                        "base": {"eval_loss": 2.2, "must_say_pass_rate": 0.5}}})
    outcomes, tokens = independent_count(alpha.tenant)
    assert sum(outcomes.values()) == 6  # positive control: the chain holds the calls

    with chromium() as browser:
        page = login(browser, live_server.url, alpha.admin.email, PASSWORD)
        page.click("nav >> text=Usage")
        page.wait_for_selector("#total-requests")
        assert page.inner_text("#total-requests") == str(sum(outcomes.values()))
        assert page.inner_text("#total-prompt-tokens") == str(tokens["prompt_tokens"])
        assert page.inner_text("#total-completion-tokens") == str(tokens["completion_tokens"])
        assert page.inner_text("#total-cached-tokens") == str(tokens["cached_tokens"])
        assert page.inner_text("#total-training-seconds") == "1800 s"
        for chart in ("requests", "tokens", "loss", "evaluation"):
            assert page.locator(f"#chart-{chart} svg[role=img] circle").first.is_visible()
        assert page.locator("#chart-loss .legend").inner_text().count("training loss") == 1
        v1 = page.locator(f"tr[data-version='{pinned[0].pk}']")
        assert v1.locator("td.requests").inner_text() == "4"  # 3 answered, 1 failed
        assert "serving" in v1.inner_text() and "12345" in v1.inner_text()
        assert "first adapter" in v1.inner_text() and "100%" in v1.inner_text()
        assert "0.5000 GPU-hours (1,800 s ÷ 3600)" in page.inner_text("#runs")
        assert "7777" not in page.inner_text("main")
        page.screenshot(path=str(tmp_path / "usage.png"), full_page=True)

        with page.expect_download() as download:
            page.click("#usage-csv")
        text = Path(download.value.path()).read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sum(int(r["requests"]) for r in rows) == sum(outcomes.values())
    for outcome in ("ok", "refused", "unavailable"):
        assert sum(int(r[f"requests_{outcome}"]) for r in rows) == outcomes[outcome]
    for key in ("prompt_tokens", "completion_tokens", "cached_tokens"):
        assert sum(int(r[key]) for r in rows) == tokens[key]
