"""Training speed and memory for the default base model: examples/s, tokens/s, peak memory.

    .venv/bin/python bench/training_bench.py [--examples 32] [--steps 20] [--base DIR]

Runs on CUDA where present (bf16), else on the CPU (fp32). Prints a table and writes
bench/results/training.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from training.base_model import convert_gguf_to_hf, locate_smollm2_gguf  # noqa: E402
from training.trainer import TrainConfig, train_lora  # noqa: E402

DRUGS = ["atenolol", "nadolol", "metformin", "lisinopril", "amlodipine", "warfarin", "sertraline",
         "omeprazole"]


def examples(n: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i in range(n):
        drug = DRUGS[i % len(DRUGS)]
        rows.append({"messages": [
            {"role": "user", "content": f"What is the usual adult starting dose of {drug}? ({i})"},
            {"role": "assistant", "content": f"For {drug}, start low and titrate; check the "
                                             f"formulary entry FX-{1000 + i} for the dose."}]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=32)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--base", type=Path, default=ROOT / "var" / "test-cache" /
                        "smollm2-135m-instruct")
    args = parser.parse_args()
    if not args.base.exists():
        convert_gguf_to_hf(locate_smollm2_gguf(), args.base)
    with tempfile.TemporaryDirectory() as tmp:
        result = train_lora(base_dir=args.base, examples=examples(args.examples),
                            out_dir=Path(tmp) / "adapter",
                            config=TrainConfig(max_steps=args.steps, batch_size=args.batch_size,
                                               eval_fraction=0.0),
                            max_lora_rank=16)
        size = sum(p.stat().st_size for p in (Path(tmp) / "adapter").iterdir())
    peak_gpu = None
    try:
        import torch

        if torch.cuda.is_available():
            peak_gpu = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    except ImportError:
        pass
    table = {
        "device": result.device,
        "steps": result.steps,
        "batch_size": args.batch_size,
        "seconds": round(result.seconds, 1),
        "examples_per_s": round(result.steps * args.batch_size / result.seconds, 2),
        "tokens_per_s": round(result.tokens / result.seconds, 1),
        "final_loss": round(result.final_loss, 4),
        "adapter_mb": round(size / 2**20, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_gpu_mb": peak_gpu,
    }
    print(f"{'metric':<16}{'value':>14}")
    for key, value in table.items():
        print(f"{key:<16}{value!s:>14}")
    out = ROOT / "bench" / "results" / "training.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(table, indent=2))


if __name__ == "__main__":
    main()
