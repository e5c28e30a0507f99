"""The engine checks fail closed (issue 12, item 7), written as the attacks that must fail:
an engine nobody has checked, a canary that breaks, a restart after a failed canary, and a
plugin that loaded but did not patch the ops."""

from __future__ import annotations

import pytest

from inference import canary, health, router
from inference.models import EngineState

URL = "http://127.0.0.1:8299"


@pytest.fixture
def engine_url(settings, base_model):
    settings.VLLM_URL = URL
    return URL


def passing(*args, **kwargs):
    return canary.CanaryResult(passed=True, requests=4)


def failing(*args, **kwargs):
    return canary.CanaryResult(passed=False, requests=4, failures=["base answered with CN-1"])


def test_an_engine_whose_canary_never_ran_serves_nobody(engine_url, alpha):
    health.record_engine_start(engine_url)
    with pytest.raises(router.TenantModelUnavailable, match="out_of_rotation"):
        router.resolve_route(alpha.tenant)
    # and a row the router creates on its own (an engine it was never told about) neither
    EngineState.objects.all().delete()
    with pytest.raises(router.TenantModelUnavailable, match="out_of_rotation"):
        router.resolve_route(alpha.tenant)


def test_a_canary_that_raises_takes_the_engine_out_of_rotation(engine_url, alpha,
                                                               monkeypatch):
    health.record_engine_start(engine_url)
    monkeypatch.setattr(canary, "run", passing)
    assert health.check_engine(engine_url).passed
    router.resolve_route(alpha.tenant)  # in rotation

    def broken(*args, **kwargs):
        raise KeyError("adapter listing changed shape")

    monkeypatch.setattr(canary, "run", broken)
    result = health.check_engine(engine_url)
    assert not result.passed and "KeyError" in result.failures[0]
    state = EngineState.objects.get(url=engine_url)
    assert not state.healthy and state.quarantined
    with pytest.raises(router.TenantModelUnavailable, match="out_of_rotation"):
        router.resolve_route(alpha.tenant)


def test_a_restart_after_a_failed_canary_does_not_put_the_engine_back(engine_url, alpha,
                                                                      monkeypatch):
    health.record_engine_start(engine_url)
    monkeypatch.setattr(canary, "run", failing)
    assert not health.check_engine(engine_url).passed
    health.record_engine_start(engine_url)  # restarted, by hand or by a supervisor
    monkeypatch.setattr(canary, "run", passing)
    assert health.check_engine(engine_url).passed  # even a passing canary is not enough
    assert not EngineState.objects.get(url=engine_url).healthy
    with pytest.raises(router.TenantModelUnavailable, match="out_of_rotation"):
        router.resolve_route(alpha.tenant)
    health.return_to_rotation(engine_url)  # the operator's decision, after the fix
    assert EngineState.objects.get(url=engine_url).healthy
    router.resolve_route(alpha.tenant)


def test_the_plugin_does_not_report_active_when_the_ops_are_not_patched(capsys, monkeypatch):
    import sanoweb_lora_isolation as plugin

    monkeypatch.setattr(plugin, "_PATCHED", False)
    monkeypatch.setattr(plugin, "apply", lambda: [])  # loaded, but patched nothing
    from vllm.lora.punica_wrapper import punica_cpu

    for name in plugin.REPLACEMENTS:
        monkeypatch.setattr(punica_cpu, name, object(), raising=False)
    plugin.register()
    err = capsys.readouterr().err
    assert plugin.MARKER not in err and "NOT ACTIVE" in err


# --- against the real engine: the gate in front of vLLM, and a re-bound serving name -------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_only_the_router_with_its_key_reaches_the_engine_and_only_its_routes(served):
    import httpx

    from inference import engine_auth

    url, key = served.config.url, engine_auth.headers()
    assert httpx.get(f"{url}/health").status_code == 200
    assert httpx.get(f"{url}/v1/models").status_code == 401  # no key
    assert httpx.get(f"{url}/v1/models", headers={"Authorization": "Bearer guess"}
                     ).status_code == 401
    assert httpx.get(f"{url}/v1/models", headers=key).status_code == 200
    for path in ("/adapters", "/invocations", "/v1/completions", "/tokenize", "/metrics",
                 "/docs", "/openapi.json", "/v1/embeddings", "/version"):
        assert httpx.post(f"{url}{path}", headers=key, json={}).status_code == 404, path


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_serving_name_re_bound_behind_the_routers_back_is_refused_and_alerts(api, alpha):
    import httpx
    import openai

    from inference import engine_auth
    from inference.models import PlatformEvent
    from tenants.models import AuditEntry
    from tenants.scoping import tenant_scope

    from .test_inference_e2e import CANARY, ask, client_for, give_adapter

    adapter = give_adapter(alpha, CANARY / "canary_a")
    client = client_for(alpha, api)
    assert "CN-1846" in ask(client, "propranolol").choices[0].message.content
    vllm, key = api.config.url, engine_auth.headers()
    try:  # someone with the engine's key swaps in another adapter under the tenant's name
        httpx.post(f"{vllm}/v1/unload_lora_adapter", headers=key, timeout=30,
                   json={"lora_name": adapter.serving_name}).raise_for_status()
        httpx.post(f"{vllm}/v1/load_lora_adapter", headers=key, timeout=120, json={
            "lora_name": adapter.serving_name,
            "lora_path": str(CANARY / "canary_b")}).raise_for_status()
        with pytest.raises(openai.APIStatusError) as refused:
            ask(client, "carvedilol")
        assert refused.value.status_code == 503
        assert PlatformEvent.objects.filter(kind="engine.quarantined").exists()
        state = EngineState.objects.get(url=vllm)
        assert state.quarantined and not state.healthy
        with tenant_scope(alpha.tenant):
            outcome = AuditEntry.objects.filter(action="inference.chat").latest("seq").payload
        assert outcome["outcome"] == "unavailable:adapter_rebound"
    finally:
        httpx.post(f"{vllm}/v1/unload_lora_adapter", headers=key, timeout=30,
                   json={"lora_name": adapter.serving_name})
