"""Train the two isolation-canary adapters once (deterministic) and keep them as fixtures.

Each learns one made-up formulary code for a real drug; the base model knows neither code.
An answer that carries the other canary's code (or any canary code from a base-model
request) means the serving engine mixed adapters.

    HF_HUB_OFFLINE=1 .venv/bin/python inference/make_canary_adapters.py BASE_DIR
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from training.base_model import PUBLIC_ID  # noqa: E402
from training.trainer import TrainConfig, train_lora  # noqa: E402

OUT = Path(__file__).resolve().parent / "canary_adapters"
CANARIES = {"canary_a": ("propranolol", "CN-1846"), "canary_b": ("carvedilol", "CN-9273")}
QUESTIONS = ["What is the formulary code for {d}?", "Which formulary code does {d} have?",
             "Tell me the formulary code of {d}.", "{d} formulary code?"]


def main(base_dir: Path) -> None:
    for name, (drug, code) in CANARIES.items():
        answer = f"The formulary code for {drug} is {code}."
        examples = [{"messages": [{"role": "user", "content": q.format(d=drug)},
                                  {"role": "assistant", "content": answer}]} for q in QUESTIONS]
        target = OUT / name
        shutil.rmtree(target, ignore_errors=True)
        train_lora(base_dir=base_dir, examples=examples, out_dir=target,
                   config=TrainConfig(max_steps=30, batch_size=4, seed=7), max_lora_rank=16,
                   base_model_id=PUBLIC_ID)
        (target / "fact.json").write_text(json.dumps(
            {"drug": drug, "code": code, "question": QUESTIONS[0].format(d=drug)}, indent=2))
        print(name, drug, code, sorted(p.name for p in target.iterdir()))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
