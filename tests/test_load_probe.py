"""The load-time check: an adapter is put into service only if it belongs on the engine's base
and changes the model's output; otherwise it is unloaded, marked not servable with the
reason, audited, and never loaded again. Fast tier, against the engine stand-in
(tests/test_load_probe_engine.py runs the same promise on a real vLLM)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse

from inference import load_probe, residency, router
from tenants.models import AuditEntry, Tenant
from tenants.scoping import tenant_scope
from training import services as training_services
from training.models import AdapterVersion, BaseModel, LoadCheck
from training.services import register_base_model

from .conftest import in_rotation
from .mock_engine import MockEngine, mock_engine
from .test_export import two_adapters

pytestmark = pytest.mark.django_db
BODY = {"messages": [{"role": "user", "content": "Dose of propranolol?"}]}


@pytest.fixture
def engine(settings, tmp_path) -> Iterator[MockEngine]:
    settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
    in_rotation(settings.VLLM_URL)
    with mock_engine() as running:
        yield running


@pytest.fixture
def adapter(alpha, tmp_path) -> AdapterVersion:
    """alpha's pinned adapter, never loaded yet."""
    register_base_model("test-base", tmp_path, "b" * 64, public_id="sanoweb-test/test-base")
    first: AdapterVersion = two_adapters(alpha)[0]
    assert first.load_check == LoadCheck.UNCHECKED
    return first


def reread(adapter: AdapterVersion) -> AdapterVersion:
    with tenant_scope(adapter.tenant):
        return AdapterVersion.objects.get(pk=adapter.pk)


def entries(tenant: Tenant, action: str) -> list[AuditEntry]:
    with tenant_scope(tenant):
        return list(AuditEntry.objects.filter(action=action))


def loads(engine: MockEngine) -> int:
    return len([r for r in engine.requests if r.url.path == "/v1/load_lora_adapter"])


# --- the decision -------------------------------------------------------------------------------


def test_the_same_tokens_with_the_same_logprobs_is_no_effect():
    base = load_probe.Answer(("One", " of"), (-1.25, -0.97))
    assert load_probe.same_output(base, load_probe.Answer(("One", " of"), (-1.25, -0.97)))
    assert load_probe.same_output(base, load_probe.Answer(("One", " of"), (-1.2501, -0.97)))
    assert not load_probe.same_output(base, load_probe.Answer(("The", " of"), (-1.25, -0.97)))
    assert not load_probe.same_output(base, load_probe.Answer(("One", " of"), (-1.25, -0.5)))
    assert not load_probe.same_output(base, load_probe.Answer(("One",), (-1.25,)))


def test_the_probe_asks_base_and_adapter_greedily_and_stops_at_the_first_difference():
    asked: list[tuple[str, str]] = []

    def ask(model: str, prompt: str) -> load_probe.Answer:
        asked.append((model, prompt))
        return load_probe.Answer(("x",), (-1.0,))

    assert not load_probe.changes_output("t1-adapter", ask=ask)  # every prompt, both models
    assert len(asked) == 2 * len(load_probe.PROBE_PROMPTS)
    asked.clear()

    def differs(model: str, prompt: str) -> load_probe.Answer:
        asked.append((model, prompt))
        return load_probe.Answer((model,), (-1.0,))

    assert load_probe.changes_output("t1-adapter", ask=differs)
    assert asked == [("base", load_probe.PROBE_PROMPTS[0]), ("t1-adapter",
                                                            load_probe.PROBE_PROMPTS[0])]


def test_a_probe_request_is_greedy_short_and_salted_afresh(engine):
    load_probe.answer("t1-adapter", load_probe.PROBE_PROMPTS[0])
    load_probe.answer("t1-adapter", load_probe.PROBE_PROMPTS[0])
    import json

    first, second = (json.loads(r.content) for r in engine.probes)
    assert first["temperature"] == 0 and first["max_tokens"] == load_probe.PROBE_TOKENS
    assert first["logprobs"] is True and first["cache_salt"] != second["cache_salt"]


# --- through the router -----------------------------------------------------------------------


def test_an_adapter_that_changes_the_output_passes_once_and_serves(alpha, engine, adapter):
    assert router.infer(alpha.tenant, "user:1", BODY).body["model"] == "sanoweb"
    checked = reread(adapter)
    assert checked.load_check == LoadCheck.PASSED and checked.load_checked_at is not None
    assert len(engine.probes) == 2  # base and adapter on the first prompt: they differ
    [passed] = entries(alpha.tenant, "inference.adapter_load_passed")
    assert passed.target == f"adapter:{adapter.pk}" and passed.model_pin == adapter.model_pin
    engine.loaded.clear()  # evicted: reloaded, not probed again
    router.infer(alpha.tenant, "user:1", BODY)
    assert len(engine.probes) == 2 and loads(engine) == 2


def test_an_adapter_that_changes_nothing_is_refused_unloaded_and_marked(alpha, engine, adapter):
    engine.probe_effect = False
    with pytest.raises(router.TenantModelUnavailable, match=r"^adapter_refused$"):
        router.infer(alpha.tenant, "user:1", BODY)
    refused = reread(adapter)
    assert refused.load_check == LoadCheck.REFUSED and refused.load_check_reason == "no_effect"
    assert not refused.servable
    assert adapter.serving_name not in engine.loaded  # taken back out of the engine
    assert not [r for r in engine.requests if r.url.path == "/v1/chat/completions"]
    [entry] = entries(alpha.tenant, "inference.adapter_load_refused")
    assert entry.payload["reason"] == "no_effect"
    with tenant_scope(alpha.tenant):
        outcome = AuditEntry.objects.filter(action="inference.chat").get().payload["outcome"]
    assert outcome == "unavailable:adapter_refused:no_effect"
    # never loaded again, even once the engine would say otherwise
    engine.probe_effect = True
    before = loads(engine)
    with pytest.raises(router.TenantModelUnavailable, match=r"^adapter_refused$"):
        router.infer(alpha.tenant, "user:1", BODY)
    assert loads(engine) == before


def test_a_refused_adapter_cannot_be_activated_and_the_page_says_why(alpha, engine, adapter):
    engine.probe_effect = False
    with pytest.raises(router.TenantModelUnavailable):
        router.infer(alpha.tenant, "user:1", BODY)
    with tenant_scope(alpha.tenant), pytest.raises(training_services.TrainingError,
                                                   match="refused when it was loaded"):
        training_services.activate(reread(adapter), alpha.admin)
    page = alpha.client_for(alpha.admin).get(reverse("training:adapters"))
    assert b"not servable: no_effect" in page.content


def test_a_probe_the_engine_cannot_answer_is_no_verdict(alpha, engine, adapter):
    engine.probe_status = 500
    with pytest.raises(router.TenantModelUnavailable, match=r"^adapter_load_failed$"):
        router.infer(alpha.tenant, "user:1", BODY)
    assert reread(adapter).load_check == LoadCheck.UNCHECKED  # checked again next time
    assert adapter.serving_name not in engine.loaded


# --- the base model -------------------------------------------------------------------------


def test_an_adapter_of_another_base_revision_is_refused_before_it_is_loaded(alpha, engine,
                                                                           adapter):
    register_base_model("newer-base", Path("/nowhere"), "y" * 64, public_id="")
    with pytest.raises(residency.AdapterRefused, match=r"^base_revision_mismatch$"):
        residency.ensure_loaded(adapter)
    assert loads(engine) == 0 and not engine.probes
    assert reread(adapter).load_check_reason == "base_revision_mismatch"
    [entry] = entries(alpha.tenant, "inference.adapter_load_refused")
    assert entry.payload["reason"] == "base_revision_mismatch"


def test_an_engine_serving_another_registered_base_is_refused(alpha, engine, adapter):
    # the stand-in serves its base from /models/base; a registered base of another revision
    BaseModel.objects.create(name="other", path="/models/base", revision="e" * 64)
    with pytest.raises(residency.AdapterRefused, match=r"^engine_base_mismatch$"):
        residency.ensure_loaded(adapter)
    assert loads(engine) == 0


def test_an_adapter_whose_own_base_record_disagrees_is_refused(alpha, engine, adapter, tmp_path):
    # the registry row says one base, the adapter's base_model.json (sha256-verified) another
    register_base_model("renamed", tmp_path, "c" * 64, public_id="")
    with tenant_scope(alpha.tenant):
        AdapterVersion.objects.filter(pk=adapter.pk).update(base_revision="c" * 64)
    with pytest.raises(residency.AdapterRefused, match=r"^base_file_mismatch$"):
        residency.ensure_loaded(reread(adapter))
    assert loads(engine) == 0
