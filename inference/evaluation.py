"""Evaluate a new adapter through the serving engine, beside the pinned adapter and the base.

Run by the worker after training (the `gpu` queue, where the engines are). Every model answers
the same held-out prompts of the adapter's training set in one run, through vLLM with the
adapter loaded by the same residency code that serves tenants (so the load-time check runs
first, and an adapter that changes nothing is refused here, before it could be promoted):

- eval loss: the mean negative log-likelihood per token of the approved answer given the
  question (vLLM's `prompt_logprobs` over the chat template with the answer appended; the
  question's own tokens are counted off by the generation prompt's length);
- the must-say / must-not-say checks reviewers pinned to the held-out examples, on the greedy
  answer;
- answer length in words, and ROUGE-L F1 of the greedy answer to the approved one.

training.promotion applies the gate to the result. The engine call failing, or the engine out
of rotation, is a failed evaluation: the pin does not move.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone

from curation import services as curation_services
from curation.models import check_passes
from tenants import closing
from tenants.models import Tenant
from tenants.scoping import tenant_scope
from tenants.storage import IntegrityError as StorageIntegrityError
from training import promotion
from training.models import AdapterEvaluation, AdapterVersion, EvaluationState

from . import engine_http, residency
from .router import cache_salt, engine_state

log = logging.getLogger(__name__)


class EvaluationFailed(RuntimeError):
    """No verdict could be reached; the message is the code stored and audited."""


@dataclass(frozen=True)
class Scored:
    """One model's work on one held-out example."""

    answer: str
    nll: float  # summed over the approved answer's tokens
    tokens: int


# --- metrics (plain functions) -------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return [w.strip(".,;:!?()[]\"'").casefold() for w in text.split() if w.strip(".,;:!?()")]


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 over words: the longest common subsequence against both lengths."""
    a, b = _words(candidate), _words(reference)
    if not a or not b:
        return 0.0
    previous = [0] * (len(b) + 1)
    for word in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if word == other else max(previous[j + 1],
                                                                       current[j]))
        previous = current
    lcs = previous[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(b)
    return 2 * precision * recall / (precision + recall)


def metrics(scored: Sequence[Scored], records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One model's figures over the held-out examples (same order as `records`)."""
    tokens = sum(s.tokens for s in scored)
    passed = total = 0
    for s, record in zip(scored, records, strict=True):
        for kind, phrases in (record.get("checks") or {}).items():
            for phrase in phrases:
                total += 1
                passed += check_passes(kind, phrase, s.answer)
    similarity = [rouge_l(s.answer, _approved(r)) for s, r in zip(scored, records,
                                                                   strict=True)]
    return {
        "eval_loss": round(sum(s.nll for s in scored) / tokens, 4) if tokens else None,
        "answer_tokens_scored": tokens,
        "must_say_pass_rate": round(passed / total, 4) if total else None,
        "checks": total,
        "checks_passed": passed,
        "answer_words": round(statistics.fmean(len(s.answer.split()) for s in scored), 1)
        if scored else None,
        "similarity": round(statistics.fmean(similarity), 4) if similarity else None,
    }


def _question(record: dict[str, Any]) -> str:
    return str(next(m["content"] for m in record["messages"] if m["role"] == "user"))


def _approved(record: dict[str, Any]) -> str:
    return str(next(m["content"] for m in record["messages"] if m["role"] == "assistant"))


# --- the engine ----------------------------------------------------------------------------------


def _post(engine: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    try:
        response = engine.post("/v1/chat/completions", json=body)
    except httpx.HTTPError as exc:
        raise EvaluationFailed("engine_unreachable") from exc
    if response.status_code != 200:
        raise EvaluationFailed(f"engine_status_{response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise EvaluationFailed("engine_bad_response") from exc
    if not isinstance(data, dict):
        raise EvaluationFailed("engine_bad_response")
    return data


def score(engine: httpx.Client, model: str, record: dict[str, Any], salt: str) -> Scored:
    """The greedy answer to the question, and the approved answer's log-likelihood."""
    question = [{"role": "user", "content": _question(record)}]
    generated = _post(engine, {"model": model, "messages": question, "temperature": 0,
                               "max_tokens": settings.EVALUATION_MAX_TOKENS,
                               "cache_salt": salt})
    scored = _post(engine, {"model": model, "max_tokens": 1, "temperature": 0,
                            "messages": [*question, {"role": "assistant",
                                                     "content": _approved(record)}],
                            "add_generation_prompt": False, "continue_final_message": True,
                            "prompt_logprobs": 0, "cache_salt": salt})
    try:
        answer = str(generated["choices"][0]["message"]["content"] or "")
        prefix = int(generated["usage"]["prompt_tokens"])
        logprobs = [float(next(iter(position.values()))["logprob"])
                    for position in scored["prompt_logprobs"][prefix:] if position]
    except (KeyError, IndexError, TypeError, ValueError, StopIteration) as exc:
        raise EvaluationFailed("engine_bad_response") from exc
    return Scored(answer, -sum(logprobs), len(logprobs))


def run_model(model: str, records: Sequence[dict[str, Any]], salt: str) -> list[Scored]:
    """Every record under one model, a few requests in flight (the engine batches them)."""
    with engine_http.client() as engine, ThreadPoolExecutor(
            max(1, settings.EVALUATION_CONCURRENCY)) as pool:
        return list(pool.map(lambda record: score(engine, model, record, salt), records))


# --- one evaluation ------------------------------------------------------------------------------


def evaluate(tenant_id: Any, adapter_id: Any) -> str:
    """Evaluate one adapter version and apply the gate; safe to deliver twice (a finished
    evaluation is left alone). Returns the evaluation's state."""
    tenant = Tenant.objects.get(pk=tenant_id)
    with tenant_scope(tenant):
        evaluation = (AdapterEvaluation.objects
                      .select_related("adapter__run__training_set", "compared_to")
                      .filter(adapter_id=adapter_id).first())
        if evaluation is None or evaluation.state in (EvaluationState.DONE,
                                                      EvaluationState.FAILED):
            return evaluation.state if evaluation else "missing"
        AdapterEvaluation.objects.filter(pk=evaluation.pk).update(
            state=EvaluationState.RUNNING, started_at=timezone.now())
    if closing.is_closed(tenant):
        return promotion.fail(tenant, evaluation.pk, "tenant_closed").state
    try:
        with tenant_scope(tenant):
            records = curation_services.read_eval_set(evaluation.adapter.run.training_set)
        records = records[: settings.EVALUATION_MAX_EXAMPLES]
        if not engine_state().healthy:
            raise EvaluationFailed("engine_out_of_rotation")
        results, answers = _compare(tenant, evaluation, records)
    except residency.AdapterRefused as exc:
        return promotion.refuse(tenant, evaluation.pk, str(exc)).state
    except StorageIntegrityError:
        return promotion.fail(tenant, evaluation.pk, "eval_set_tampered").state
    except (EvaluationFailed, residency.AdapterLoadError) as exc:
        return promotion.fail(tenant, evaluation.pk, str(exc) or type(exc).__name__).state
    except Exception as exc:
        log.exception("evaluation of adapter %s failed", adapter_id)  # ids only
        promotion.fail(tenant, evaluation.pk, f"error:{type(exc).__name__}")
        raise
    samples = [{"example": r.get("id"), "prompt": _question(r), "approved": _approved(r),
                "answers": {role: scored[i].answer for role, scored in answers.items()}}
               for i, r in enumerate(records[: settings.EVALUATION_SAMPLES])]
    return promotion.conclude(tenant, evaluation.pk, results, samples, len(records)).state


def _compare(tenant: Tenant, evaluation: AdapterEvaluation,
             records: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, list[Scored]]]:
    """The candidate, the adapter pinned when the evaluation was queued, and the base, on the
    same records; the candidate goes first, so a refused one costs no other request."""
    models: list[tuple[str, AdapterVersion | None]] = [("candidate", evaluation.adapter)]
    if evaluation.compared_to is not None:
        models.append(("pinned", evaluation.compared_to))
    models.append(("base", None))
    salt = cache_salt(tenant)
    answers: dict[str, list[Scored]] = {}
    for role, version in models:
        if version is not None:
            try:
                residency.ensure_loaded(version)
            except residency.AdapterRefused as exc:
                if role == "candidate":
                    raise
                raise EvaluationFailed(f"pinned_refused:{exc}") from exc
        name = version.serving_name if version is not None else settings.VLLM_BASE_NAME
        answers[role] = run_model(name, records, salt) if records else []
    return {role: metrics(scored, records) for role, scored in answers.items()}, answers
