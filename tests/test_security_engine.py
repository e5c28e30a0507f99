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
