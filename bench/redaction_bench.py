"""Redaction speed: engine load, messages/s and latency over the labelled set.

    .venv/bin/python bench/redaction_bench.py [--rounds 3]

Prints a table and writes bench/results/redaction.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from curation.redaction import get_engine, redact  # noqa: E402
from curation.redaction_eval import load_dataset  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    texts = [r["text"] for r in load_dataset(ROOT / "tests" / "data" / "redaction_eval.jsonl")]
    started = time.perf_counter()
    get_engine()
    load_s = time.perf_counter() - started
    redact(texts[0])  # warm-up
    latencies = []
    for _ in range(args.rounds):
        for text in texts:
            t0 = time.perf_counter()
            redact(text)
            latencies.append(time.perf_counter() - t0)
    total = sum(latencies)
    latencies.sort()
    result = {
        "messages": len(latencies),
        "mean_chars": round(statistics.mean(len(t) for t in texts), 1),
        "engine_load_s": round(load_s, 3),
        "messages_per_s": round(len(latencies) / total, 1),
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 2),
        "p95_ms": round(1000 * latencies[int(len(latencies) * 0.95)], 2),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(f"{'metric':<16}{'value':>12}")
    for key, value in result.items():
        print(f"{key:<16}{value:>12}")
    out = ROOT / "bench" / "results" / "redaction.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
