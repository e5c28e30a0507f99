"""Inference: the router's added latency over calling vLLM directly, and throughput with 1 vs 8
tenants' adapters, measured in one run against one real vLLM server.

    .venv/bin/python bench/inference_bench.py [--requests 8] [--tokens 32]

Uses its own SQLite database under var/bench/ and Redis on 127.0.0.1 (db 7). Prints a table
with ratios and writes bench/results/inference.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_VAR = ROOT / "var" / "bench"
os.environ.update({"DJANGO_SETTINGS_MODULE": "sanoweb.settings", "HF_HUB_OFFLINE": "1",
                   "SANOWEB_VAR_DIR": str(BENCH_VAR), "REDIS_URL": "redis://127.0.0.1:6379/7",
                   "VLLM_URL": "http://127.0.0.1:8090", "VLLM_MAX_LORAS": "8",
                   "DATABASE_URL": f"sqlite:///{BENCH_VAR / 'bench.sqlite3'}"})

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from inference import (  # noqa: E402
    engine_auth,
    health,
    router,
)
from inference.engine import Engine, EngineConfig  # noqa: E402
from tenants.models import Tenant  # noqa: E402
from tenants.scoping import tenant_scope  # noqa: E402
from training.base_model import (  # noqa: E402
    PUBLIC_ID,
    convert_gguf_to_hf,
    locate_smollm2_gguf,
    model_revision,
)
from training.models import RunState, TrainingRun  # noqa: E402
from training.services import _upload_and_register, register_base_model  # noqa: E402

CANARIES = ROOT / "inference" / "canary_adapters"
QUESTION = "What is the formulary code for propranolol?"


def setup_tenants(count: int) -> list[Tenant]:
    from curation import services as curation
    from curation.models import Example
    from tenants.models import Role
    from tenants.services import add_member, create_tenant, get_or_create_user

    tenants = []
    for i in range(count):
        slug = f"bench-{i}"
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            tenant, admin = create_tenant(slug, slug, f"admin@{slug}.bench")
            reviewer = get_or_create_user(f"reviewer@{slug}.bench").user
            add_member(tenant, reviewer, Role.REVIEWER, actor="system:bench")
            with tenant_scope(tenant):
                line = json.dumps({"question": "q?", "answer": "a."})
                curation.import_examples(f"{line}\n{line}\n".encode(), "b.jsonl", admin.user)
                for example in Example.objects.all():
                    curation.decide(example, reviewer, "approve")
                snapshot = curation.freeze_training_set(admin.user)
                run = TrainingRun.objects.create(training_set=snapshot, base_revision="bench",
                                                 created_by=admin.user,
                                                 state=RunState.UPLOADING)
            _upload_and_register(tenant, run.pk, CANARIES / ("canary_a" if i % 2 == 0 else
                                                             "canary_b"), "bench", 8, None)
        tenants.append(tenant)
    return tenants


def direct(name: str, tokens: int) -> float:
    started = time.perf_counter()
    httpx.post(f"{settings.VLLM_URL}/v1/chat/completions", timeout=300,
               headers=engine_auth.headers(), json={
        "model": name, "messages": [{"role": "user", "content": QUESTION}],
        "max_tokens": tokens, "temperature": 0}).raise_for_status()
    return time.perf_counter() - started


def routed(tenant: Tenant, tokens: int) -> float:
    return _routed(tenant, tokens)[0]


def _routed(tenant: Tenant, tokens: int) -> tuple[float, int]:
    started = time.perf_counter()
    done = router.infer(tenant, "system:bench", {
        "messages": [{"role": "user", "content": QUESTION}], "max_tokens": tokens,
        "temperature": 0})
    return time.perf_counter() - started, int(done.body["usage"]["completion_tokens"])


def throughput(tenants: list[Tenant], requests: int, tokens: int) -> float:
    """Generated tokens per second with `requests` concurrent calls spread over `tenants`."""
    jobs = [tenants[i % len(tenants)] for i in range(requests)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=requests) as pool:
        generated = sum(n for _, n in pool.map(lambda t: _routed(t, tokens), jobs))
    return generated / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    base_dir = ROOT / "var" / "test-cache" / "smollm2-135m-instruct"
    if not base_dir.exists():
        convert_gguf_to_hf(locate_smollm2_gguf(), base_dir)
    register_base_model("SmolLM2-135M-Instruct", base_dir, model_revision(base_dir),
                        public_id=PUBLIC_ID)
    settings.VLLM_ADAPTER_CACHE = Path(tempfile.mkdtemp(prefix="bench-adapters-"))
    tenants = setup_tenants(8)
    engine = Engine(EngineConfig(model_dir=base_dir, port=8090, max_loras=8, max_cpu_loras=8,
                                 api_key=engine_auth.api_key()),
                    BENCH_VAR / "vllm.log")
    engine.start()
    try:
        start_s = engine.wait_ready()
        health.record_engine_start(settings.VLLM_URL)
        routed(tenants[0], 4)  # loads the adapter, warms up
        name = router.resolve_route(tenants[0]).model
        direct(name, 4)
        direct_s, routed_s = [], []
        for _ in range(args.repeats):  # interleaved, so drift in the engine hits both alike
            direct_s.append(direct(name, args.tokens))
            routed_s.append(routed(tenants[0], args.tokens))
        for tenant in tenants:
            routed(tenant, 4)  # every adapter loaded before measuring throughput
        one = throughput(tenants[:1], args.requests, args.tokens)
        eight = throughput(tenants, args.requests, args.tokens)
    finally:
        engine.stop()
    d, r = statistics.median(direct_s), statistics.median(routed_s)
    table = {
        "engine_start_s": round(start_s, 1),
        "direct_median_ms": round(1000 * d, 1),
        "routed_median_ms": round(1000 * r, 1),
        "router_overhead_ms": round(1000 * (r - d), 1),
        "routed_over_direct": round(r / d, 3),
        "tok_s_1_tenant": round(one, 1),
        "tok_s_8_tenants": round(eight, 1),
        "8_over_1_tenants": round(eight / one, 3),
        "concurrent_requests": args.requests,
        "max_tokens": args.tokens,
    }
    print(f"{'metric':<22}{'value':>12}")
    for key, value in table.items():
        print(f"{key:<22}{value!s:>12}")
    out = ROOT / "bench" / "results" / "inference.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(table, indent=2))


if __name__ == "__main__":
    main()
