"""Audit appends: today's inline design (head lock per entry) beside batched sequencing
(accept, then a sequencer chains batches), in one run on PostgreSQL.

    .venv/bin/python bench/audit_bench.py [--seconds 4] [--skip-migrate]

Creates (once) and uses its own database sanoweb_bench_audit on 127.0.0.1 (the roles that
scripts/services.sh makes), runs writers as separate processes (like web workers), each append
its own transaction as `tenants.audit.append` does for a request outside one, and for the
batched design one sequencer process. Measures appends/s with 1, 4 and 16 writers on one
tenant and 16 writers over 8 tenants; the time an append adds inside a request's transaction
(p50/p99); and how long accepted entries wait to be sequenced (the oldest pending entry's age,
sampled every 20 ms, and the drain after the writers stop). Prints a table, writes
bench/results/audit.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "sanoweb_bench_audit"
PG = "127.0.0.1:5432"
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "sanoweb.settings", "HF_HUB_OFFLINE": "1",
    "SANOWEB_VAR_DIR": str(ROOT / "var" / "bench"), "REDIS_URL": "redis://127.0.0.1:6379/7",
    "DATABASE_URL": f"postgres://sanoweb_app@{PG}/{DATABASE}",
    "DATABASE_OWNER_URL": f"postgres://sanoweb_owner@{PG}/{DATABASE}",
})

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402

from bench.pg_database import ensure_database  # noqa: E402
from tenants import audit, sequencer  # noqa: E402
from tenants.models import Tenant  # noqa: E402
from tenants.scoping import tenant_scope  # noqa: E402

DESIGNS = ("inline", "batched")
SEQUENCER = "thread"  # --sequencer


def superuser() -> psycopg.Connection[Any]:
    return psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname=DATABASE,
                           autocommit=True)


def prepare(skip_migrate: bool) -> list[Tenant]:
    ensure_database(DATABASE, skip_migrate)
    from tenants.services import create_tenant

    tenants = []
    for i in range(8):
        tenant = Tenant.objects.filter(slug=f"bench-audit-{i}").first()
        if tenant is None:
            tenant, _ = create_tenant(f"bench-audit-{i}", f"Bench {i}",
                                      f"admin@bench-audit-{i}.test")
        sequencer.flush(tenant)  # what creating it accepted
        tenants.append(tenant)
    connections.close_all()
    return tenants


def _writer(design: str, tenant_id: str, seconds: float, start: Any, out: Any,
            thread: bool) -> None:
    settings.AUDIT_SEQUENCING = design
    settings.AUDIT_SEQUENCER_THREAD = thread
    tenant = Tenant.objects.get(pk=tenant_id)
    durations: list[float] = []
    start.wait()
    deadline = time.monotonic() + seconds
    while (now := time.monotonic()) < deadline:
        audit.append(tenant, "bench.request", actor="system:bench", target="chat",
                     model_pin="bench", request_sha256="0" * 64, payload={"tokens": 32})
        durations.append(time.monotonic() - now)
    out.put(durations)
    # A thread stopped with nudged entries unsequenced would leave them to nobody: its last
    # nudges go in before it stops (off the clock; the lag samples were taken under load).
    if thread:
        sequencer.flush(tenant)
    sequencer.stop_thread()
    connection.close()


def _sequencer(stop: Any) -> None:
    loop = sequencer.Sequencer(interval=0.02, gather=0.002)
    loop.start()
    stop.wait()
    loop.stop()
    loop.join(30)


def _oldest_pending(su: psycopg.Connection[Any]) -> float:
    row = su.execute("SELECT extract(epoch FROM clock_timestamp() - min(created_at)) "
                     "FROM tenants_auditpending").fetchone()
    return float(row[0]) if row and row[0] is not None else 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def run_load(design: str, tenants: list[Tenant], writers: int, seconds: float) -> dict[str, Any]:
    connections.close_all()  # no connection may cross the fork
    ctx = mp.get_context("fork")
    start, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    own_process = design == "batched" and SEQUENCER == "process"
    seq_proc = ctx.Process(target=_sequencer, args=(stop,)) if own_process else None
    if seq_proc:
        seq_proc.start()
    procs = [ctx.Process(target=_writer, args=(design, str(tenants[i % len(tenants)].pk),
                                               seconds, start, out, not own_process))
             for i in range(writers)]
    for p in procs:
        p.start()
    time.sleep(1.0)  # every process set up (django imported, connected) before the clock
    lags: list[float] = []
    with superuser() as su:
        start.set()
        began = time.monotonic()
        while time.monotonic() - began < seconds:
            lags.append(_oldest_pending(su))
            time.sleep(0.02)
        results = [out.get() for _ in procs]
        for p in procs:
            p.join()
        drained = time.monotonic()
        while _oldest_pending(su) and time.monotonic() - drained < 60:
            time.sleep(0.005)
        drain = time.monotonic() - drained
    stop.set()
    if seq_proc:
        seq_proc.join(30)
    durations = [d for ds in results for d in ds]
    tenants_used = min(writers, len(tenants))
    for tenant in tenants[:tenants_used]:
        verdict = audit.verify_chain(tenant)
        assert verdict.ok and verdict.pending == 0, (tenant.slug, verdict)
    return {"design": design, "writers": writers, "tenants": tenants_used,
            "appends": len(durations), "per_s": len(durations) / seconds,
            "per_tenant_per_s": len(durations) / seconds / tenants_used,
            "append_ms_p50": 1000 * pct(durations, 0.5),
            "append_ms_p99": 1000 * pct(durations, 0.99),
            "lag_ms_p50": 1000 * pct(lags, 0.5), "lag_ms_max": 1000 * max(lags, default=0),
            "drain_ms": 1000 * drain}


def added_to_a_request(design: str, tenant: Tenant, count: int) -> dict[str, float]:
    """What an append adds inside a request's own transaction, which commits anyway."""
    settings.AUDIT_SEQUENCING = design
    durations = []
    for _ in range(count):
        with tenant_scope(tenant):
            began = time.perf_counter()
            audit.append(tenant, "bench.request", actor="system:bench", target="chat",
                         payload={"tokens": 32})
            durations.append(time.perf_counter() - began)
    sequencer.flush(tenant)
    return {"p50_ms": 1000 * statistics.median(durations),
            "p99_ms": 1000 * pct(durations, 0.99)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--skip-migrate", action="store_true")
    parser.add_argument("--sequencer", choices=("thread", "process"), default="thread",
                        help="a sequencer thread in every writer (the default deployment) or "
                             "one process of its own (manage.py audit_sequencer)")
    args = parser.parse_args()
    global SEQUENCER
    SEQUENCER = args.sequencer
    tenants = prepare(args.skip_migrate)
    rows = []
    for writers, spread in ((1, 1), (4, 1), (16, 1), (16, 8)):
        for design in DESIGNS:
            rows.append(run_load(design, tenants[:spread], writers, args.seconds))
            print(f"  {design:8} {writers:2} writers, {spread} tenant(s): "
                  f"{rows[-1]['per_s']:.0f}/s", flush=True)
    latency = {design: added_to_a_request(design, tenants[0], 2000) for design in DESIGNS}

    print(f"\nAudit appends on PostgreSQL, {os.cpu_count()} cores, {args.seconds:.0f} s a row, "
          f"sequencer: {SEQUENCER}")
    print(f"{'writers':>7} {'tenants':>7} | {'inline /s':>9} {'batched /s':>10} {'ratio':>6} |"
          f" {'per tenant':>10} | {'p50 ms':>13} | {'p99 ms':>13} | {'lag p50/max ms':>14}"
          f" {'drain ms':>8}")
    for inline, batched in zip(rows[0::2], rows[1::2], strict=True):
        print(f"{inline['writers']:>7} {inline['tenants']:>7} | {inline['per_s']:>9.0f} "
              f"{batched['per_s']:>10.0f} {batched['per_s'] / inline['per_s']:>5.1f}x | "
              f"{batched['per_tenant_per_s']:>10.0f} | "
              f"{inline['append_ms_p50']:>5.2f} -> {batched['append_ms_p50']:>5.2f} | "
              f"{inline['append_ms_p99']:>5.1f} -> {batched['append_ms_p99']:>5.1f} | "
              f"{batched['lag_ms_p50']:>6.0f}/{batched['lag_ms_max']:<7.0f} "
              f"{batched['drain_ms']:>8.0f}")
    print("added inside a request's transaction (1 writer): "
          + "; ".join(f"{d} p50 {v['p50_ms']:.3f} ms, p99 {v['p99_ms']:.3f} ms"
                      for d, v in latency.items()))
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "audit.json").write_text(json.dumps(
        {"cores": os.cpu_count(), "seconds": args.seconds, "sequencer": SEQUENCER, "rows": rows,
         "added_to_a_request": latency}, indent=2))


if __name__ == "__main__":
    main()
