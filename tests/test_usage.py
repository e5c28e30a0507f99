"""Usage is counted from the audit log: real calls through the router (engine stand-in on
httpx.MockTransport), then the report, the CSV and the API checked against an independent
count of the chain's entries. Another tenant's calls are never counted; refused and failed
calls are counted as such."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from django.utils import timezone

from inference import router
from tenants import sequencer
from tenants.models import AuditEntry, Tenant
from tenants.scoping import tenant_scope
from training.models import TrainingRun
from training.services import register_base_model
from usage import costs, exports
from usage.counting import Counts, outcome_class
from usage.figures import NO_MODEL, Period, run_figures, tenant_usage

from .conftest import in_rotation
from .mock_engine import MockEngine, mock_engine
from .test_export import two_adapters

pytestmark = pytest.mark.django_db
ASK = {"messages": [{"role": "user", "content": "Dose of propranolol for tremor?"}]}


@pytest.fixture
def standin(settings, tmp_path) -> Iterator[MockEngine]:
    settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
    in_rotation(settings.VLLM_URL)
    with mock_engine() as running:
        yield running


@pytest.fixture
def pinned(alpha, tmp_path):
    """alpha's first adapter, pinned (the first one registered goes live); v2 is not pinned."""
    register_base_model("test-base", tmp_path, "b" * 64, public_id="sanoweb-test/test-base")
    return two_adapters(alpha)


def answer(model: str, prompt: int, completion: int, cached: int | None = None) -> httpx.Response:
    usage: dict[str, object] = {"prompt_tokens": prompt, "completion_tokens": completion}
    if cached is not None:
        usage["prompt_tokens_details"] = {"cached_tokens": cached}
    return httpx.Response(200, json={
        "id": "cmpl-1", "object": "chat.completion", "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "10 mg."},
                     "finish_reason": "stop"}], "usage": usage})


def make_calls(standin: MockEngine, tenant: Tenant, answers: list[tuple[int, int, int | None]],
               *, refused: int = 0, failed: int = 0) -> None:
    """`answers` answered calls with these token counts, then refused and failed ones."""
    queue = list(answers)
    standin.chat = lambda request: answer(json.loads(request.content)["model"], *queue.pop(0))
    for _ in answers:
        router.infer(tenant, "user:1", ASK)
    for _ in range(refused):  # a model name that is not the tenant's: refused before routing
        with pytest.raises(router.BadInferenceRequest):
            router.infer(tenant, "user:1", {**ASK, "model": "gpt-4o"})
    standin.chat = lambda request: httpx.Response(500, text="engine failure")
    for _ in range(failed):
        with pytest.raises(router.TenantModelUnavailable):
            router.infer(tenant, "user:1", ASK)


def independent_count(tenant: Tenant) -> tuple[Counter[str], Counter[str]]:
    """From the chain itself, in Python: calls by outcome class, token sums."""
    outcomes: Counter[str] = Counter()
    tokens: Counter[str] = Counter()
    with tenant_scope(tenant):
        for entry in AuditEntry.objects.filter(action="inference.chat"):
            payload = entry.payload
            outcomes[outcome_class(payload["outcome"])] += 1
            for key in ("prompt_tokens", "completion_tokens", "cached_tokens"):
                tokens[key] += payload.get(key) or 0
    return outcomes, tokens


def today() -> Period:
    return Period.last_days(1)


def report_for(tenant: Tenant, period: Period | None = None):
    with tenant_scope(tenant):
        return tenant_usage(period or today())


def test_calls_are_counted_per_version_by_outcome_and_another_tenants_never(
        alpha, beta, pinned, standin):
    make_calls(standin, alpha.tenant, [(12, 4, None), (30, 8, 16), (7, 3, 0)], refused=1,
               failed=2)
    make_calls(standin, beta.tenant, [(1000, 1000, 500)] * 2, refused=3)  # base model

    report = report_for(alpha.tenant)
    assert report.totals.requests == {"ok": 3, "refused": 1, "unavailable": 2}
    assert (report.totals.prompt_tokens, report.totals.completion_tokens,
            report.totals.cached_tokens) == (49, 15, 16)
    v1 = report.version(str(pinned[0].pk))
    assert v1 is not None and v1.label == "v1" and v1.serving
    assert v1.calls.requests == {"ok": 3, "unavailable": 2}  # the failed calls were routed
    assert report.version(str(pinned[1].pk)).calls.total_requests == 0
    assert report.version(NO_MODEL).calls.requests == {"refused": 1}

    other = report_for(beta.tenant)
    assert other.totals.requests == {"ok": 2, "refused": 3}
    assert other.totals.prompt_tokens == 2000
    assert other.version("base").calls.answered == 2


def test_the_csv_sums_equal_an_independent_count_of_the_audit_log(alpha, beta, pinned, standin):
    make_calls(standin, alpha.tenant, [(12, 4, None), (30, 8, 16)], refused=2, failed=1)
    make_calls(standin, beta.tenant, [(500, 50, 5)], failed=4)
    outcomes, tokens = independent_count(alpha.tenant)
    assert sum(outcomes.values()) == 5  # positive control: the chain holds the calls

    rows = list(csv.DictReader(io.StringIO(exports.tenant_csv(report_for(alpha.tenant)))))
    assert sum(int(r["requests"]) for r in rows) == sum(outcomes.values())
    for outcome in ("ok", "refused", "unavailable", "failed"):
        assert sum(int(r[f"requests_{outcome}"]) for r in rows) == outcomes[outcome]
    for key in ("prompt_tokens", "completion_tokens", "cached_tokens"):
        assert sum(int(r[key]) for r in rows) == tokens[key]
    assert {r["version"] for r in rows} == {"v1", "no model (refused before routing)"}
    assert all(r["adapter_id"] in ("", str(pinned[0].pk)) for r in rows)


def test_calls_outside_the_period_are_not_counted(alpha, pinned, standin):
    make_calls(standin, alpha.tenant, [(10, 2, None)])
    yesterday = Period.ending(today().first - timedelta(days=1), 1)
    assert report_for(alpha.tenant, yesterday).totals.total_requests == 0
    assert report_for(alpha.tenant).totals.total_requests == 1
    assert [day for day, counts in report_for(alpha.tenant, Period.last_days(3)).per_day()
            if counts.total_requests] == [today().first]


def test_accepted_entries_not_yet_sequenced_are_counted_once(alpha, pinned, standin, settings):
    settings.AUDIT_SEQUENCING = "batched"
    make_calls(standin, alpha.tenant, [(10, 2, None), (20, 4, None)], refused=1)
    before = report_for(alpha.tenant).totals
    assert before.requests == {"ok": 2, "refused": 1}, "pending entries are not counted"
    assert sequencer.flush(alpha.tenant) >= 3
    after = report_for(alpha.tenant).totals
    assert after.requests == before.requests and after.prompt_tokens == 30


def test_a_runs_compute_seconds_and_the_tokens_the_trainer_reported(alpha, pinned):
    run = pinned[0].run
    started = timezone.now() - timedelta(hours=2)
    with tenant_scope(alpha.tenant):
        TrainingRun.objects.filter(pk=run.pk).update(
            started_at=started, finished_at=started + timedelta(seconds=5400),
            metrics={"tokens": 81_000, "tokens_per_s": 15.0, "seconds": 5399.0})
        run.refresh_from_db()
    figures = run_figures(run, "v1", timezone.now())
    assert (figures.compute_seconds, figures.tokens, figures.tokens_estimated) == \
        (5400.0, 81_000, False)
    run.metrics = {"tokens_per_s": 10.0, "seconds": 2.5}  # before the trainer said "tokens"
    assert run_figures(run, "v1", timezone.now()).tokens == 25
    assert run_figures(run, "v1", timezone.now()).tokens_estimated
    report = report_for(alpha.tenant, Period.last_days(2))
    assert report.training_seconds >= 5400.0 and report.version(str(pinned[0].pk)).run.tokens \
        == 81_000
    assert report.storage.adapters == sum(a.size_bytes for a in pinned) > 0
    assert report.storage.training_sets > 0


@pytest.mark.slow
def test_the_trainer_reports_the_tokens_it_trained_on_in_the_runs_metrics(base_model_dir,
                                                                          tmp_path):
    """The count the usage page shows is the trainer's own (two steps of the real trainer)."""
    from training import trainer

    examples = [{"messages": [{"role": "user", "content": f"Dose of drug {n}?"},
                              {"role": "assistant", "content": f"{n} mg once daily."}]}
                for n in range(4)]
    result = trainer.train_lora(base_dir=base_model_dir, examples=examples,
                                out_dir=tmp_path / "adapter",
                                config=trainer.TrainConfig(max_steps=2, epochs=1, batch_size=2),
                                max_lora_rank=16, progress=lambda update: None,
                                should_cancel=lambda: False)
    assert result.metrics["tokens"] == result.tokens > 0
    assert run_figures(TrainingRun(metrics=result.metrics), "v1", timezone.now()).tokens \
        == result.tokens


def test_the_seeds_cost_arithmetic_from_measured_figures(settings):
    """Seed 001: ~$15 a training run (a few GPU-hours), ~$1,200 a month of inference, storage
    under $1: fine-tuning adds about 4%."""
    settings.USAGE_PRICE_GPU_HOUR = "3.00"
    settings.USAGE_PRICE_PROMPT_PER_1M = settings.USAGE_PRICE_COMPLETION_PER_1M = "0.80"
    settings.USAGE_PRICE_CACHED_PER_1M = "0.40"
    settings.USAGE_PRICE_STORAGE_GB_MONTH = "0.02"
    prices = costs.Prices.from_settings()
    run = costs.training_cost(5 * 3600, prices)
    assert run.amount == Decimal("15.00")
    assert "5.0000 GPU-hours (18,000 s ÷ 3600) \N{MULTIPLICATION SIGN} 3.00 USD" in run.formula
    # 30,000 chats a month of 1,250 prompt tokens (250 of them cached) and 250 completion
    month = Counts({"ok": 30_000}, prompt_tokens=37_500_000, cached_tokens=7_500_000,
                   completion_tokens=7_500_000)
    inference = costs.inference_cost(month, prices)
    assert inference.amount == Decimal("33.00")  # (30M x 0.8 + 7.5M x 0.4 + 7.5M x 0.8) / 1M
    big = Counts({"ok": 30_000}, prompt_tokens=1_500_000_000, completion_tokens=0)
    bill = costs.Bill(30, costs.inference_cost(big, prices),
                      costs.training_cost(3 * 5 * 3600, prices),
                      costs.storage_cost(2_000_000_000, 30, prices), [])
    assert bill.inference.amount == Decimal("1200.00")
    assert bill.monthly_fine_tuning == Decimal("45.04")
    assert bill.overhead_percent == Decimal("3.8")
    assert "÷ 1,200.00 USD \N{MULTIPLICATION SIGN} 100 = 3.8%" in bill.formulas(prices)["overhead"]
    half = costs.Bill(15, bill.inference, bill.training, bill.storage, [])
    assert half.monthly_total == 2 * bill.total  # 15 measured days scale to a 30-day month


def test_a_day_chart_has_axes_the_latest_day_labelled_and_its_figures_as_a_table(
        alpha, pinned, standin):
    from usage import page

    make_calls(standin, alpha.tenant, [(10, 2, None)] * 3, refused=1)
    report = report_for(alpha.tenant, Period.last_days(31))
    chart = page.requests_chart(report)
    assert chart.x_ticks[0].label == report.period.first.isoformat()
    assert chart.x_ticks[-1].label == report.period.last.isoformat()  # today, labelled
    assert [t.label for t in chart.y_ticks] == ["0", "1", "2", "3"]  # whole requests
    assert chart.table_head == ["Day (UTC)", "Answered", "Refused or failed"]
    assert chart.table_rows[-1] == [report.period.last.isoformat(), "3", "1"]
    assert len(chart.table_rows) == 31 and all(s.points for s in chart.series)
    assert len({(s.colour, s.dash) for s in chart.series}) == 2  # told apart without colour too


def test_a_streamed_answer_counts_its_tokens_and_a_client_gone_away_counts_as_interrupted(
        alpha, pinned, standin):
    from .mock_engine import chunk, sse
    from .test_router_failures import Events

    def streamed(request: httpx.Request) -> httpx.Response:
        model = json.loads(request.content)["model"]
        last = {**chunk(model, ""), "choices": [],
                "usage": {"prompt_tokens": 21, "completion_tokens": 3}}
        return httpx.Response(200, stream=Events(sse(chunk(model, "Take "), last, "[DONE]")))

    standin.chat = streamed
    list(router.infer_stream(alpha.tenant, "user:1", {**ASK, "stream": True}).chunks)
    relay = router.infer_stream(alpha.tenant, "user:1", {**ASK, "stream": True}).chunks
    next(relay)
    relay.close()  # type: ignore[attr-defined]
    totals = report_for(alpha.tenant).totals
    assert totals.requests == {"ok": 1, "interrupted": 1}
    assert (totals.prompt_tokens, totals.completion_tokens) == (21, 3)
