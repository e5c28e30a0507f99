"""Redaction speed, side by side: the full pipeline and the pipeline without the philter-style
allow-list layer, one process and one process per core.

    .venv/bin/python bench/redaction_bench.py [--rounds 3] [--workers 2]

Messages are the development set's (184 clinician messages, ~110 characters) plus the
tuning set's where present. Prints a table and writes bench/results/redaction.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from curation.redaction import Redactor  # noqa: E402
from curation.redaction_eval import load_dataset  # noqa: E402

SETS = [ROOT / "tests" / "data" / "redaction_eval.jsonl",
        ROOT / "tests" / "data" / "redaction_tuning" / "tuning.jsonl"]


def _texts() -> list[str]:
    return [r["text"] for path in SETS if path.exists() for r in load_dataset(path)]


def _time(engine: Redactor, texts: list[str], rounds: int) -> list[float]:
    engine.redact(texts[0])  # warm-up
    latencies = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            engine.redact(text)
            latencies.append(time.perf_counter() - started)
    return latencies


def _worker(args: tuple[bool, list[str], int, object]) -> tuple[int, float]:
    allow_list, texts, rounds, barrier = args
    engine = Redactor(allow_list=allow_list)
    engine.redact(texts[0])
    barrier.wait()  # type: ignore[attr-defined]
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            engine.redact(text)
    return len(texts) * rounds, time.perf_counter() - started


def _parallel(allow_list: bool, texts: list[str], rounds: int, workers: int) -> float:
    """Messages/s with one engine per process, the texts split between them."""
    manager = multiprocessing.Manager()
    barrier = manager.Barrier(workers)
    shares = [texts[i::workers] for i in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.map(_worker, [(allow_list, share, rounds, barrier) for share in shares])
    return sum(n for n, _ in results) / max(t for _, t in results)


def measure(allow_list: bool, texts: list[str], rounds: int, workers: int) -> dict[str, float]:
    started = time.perf_counter()
    engine = Redactor(allow_list=allow_list)
    load_s = time.perf_counter() - started
    latencies = sorted(_time(engine, texts, rounds))
    return {
        "engine_load_s": round(load_s, 3),
        "messages_per_s_1_process": round(len(latencies) / sum(latencies), 1),
        f"messages_per_s_{workers}_processes": round(_parallel(allow_list, texts, rounds,
                                                               workers), 1),
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 2),
        "p95_ms": round(1000 * latencies[int(len(latencies) * 0.95)], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    texts = _texts()
    rows = {"full": measure(True, texts, args.rounds, args.workers),
            "without_allow_list": measure(False, texts, args.rounds, args.workers)}
    result = {"messages": len(texts), "rounds": args.rounds, "cpus": os.cpu_count(),
              "mean_chars": round(sum(map(len, texts)) / len(texts), 1), **rows,
              "allow_list_cost_ratio": round(rows["without_allow_list"]["messages_per_s_1_process"]
                                             / rows["full"]["messages_per_s_1_process"], 3),
              "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    metrics = list(rows["full"])
    print(f"{len(texts)} messages x {args.rounds} rounds, {os.cpu_count()} CPUs")
    print(f"{'metric':<28}{'full':>12}{'without allow-list':>20}")
    for metric in metrics:
        print(f"{metric:<28}{rows['full'][metric]:>12}{rows['without_allow_list'][metric]:>20}")
    print(f"allow-list cost (1 process): x{result['allow_list_cost_ratio']}")
    out = ROOT / "bench" / "results" / "redaction.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
