"""The promotion gate: a new adapter replaces the pinned one only when its evaluation shows it
better by the tenant's policy; otherwise it stays a candidate, with the reason in words.

The evaluation itself runs where the serving engine is (inference.evaluation); this module
holds the rule and records the outcome, so training never reaches up into inference. The
policy: the must-say pass rate is not lower than the pinned adapter's, and the eval loss is
lower by at least a fraction of the pinned adapter's (PROMOTION_MIN_LOSS_GAIN, or the tenant's
retrain policy). An evaluation that fails, or a pin that moved while it ran, never moves the
pin; a tenant admin can still promote a candidate or roll back by hand (services.activate).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tenants import audit, closing
from tenants.models import Tenant
from tenants.scoping import current_tenant, tenant_scope

from .models import (
    AdapterEvaluation,
    AdapterVersion,
    Decision,
    EvaluationState,
    PinnedAdapter,
    RetrainPolicy,
)
from .signals import adapter_registered

ACTOR = "system:promotion"


@dataclass(frozen=True)
class Verdict:
    promote: bool
    reason: str


def min_loss_gain() -> float:
    """The current tenant's margin: its retrain policy's, else PROMOTION_MIN_LOSS_GAIN."""
    policy = RetrainPolicy.objects.filter(tenant=current_tenant()).first()
    if policy is not None and policy.min_eval_loss_gain is not None:
        return float(policy.min_eval_loss_gain)
    return float(settings.PROMOTION_MIN_LOSS_GAIN)


def decide(candidate: dict[str, Any], pinned: dict[str, Any] | None, *,
           min_gain: float) -> Verdict:
    """Whether `candidate`'s metrics beat `pinned`'s (both from one run on the same prompts)."""
    if pinned is None:
        return Verdict(True, "no adapter was pinned")
    loss, pinned_loss = candidate.get("eval_loss"), pinned.get("eval_loss")
    if loss is None or pinned_loss is None:
        return Verdict(False, "no held-out examples to compare on; promote it by hand if "
                              "you trust it")
    rate, pinned_rate = candidate.get("must_say_pass_rate"), pinned.get("must_say_pass_rate")
    if pinned_rate is not None and (rate is None or rate < pinned_rate):
        return Verdict(False, f"its must-say pass rate ({_percent(rate)}) is lower than the "
                              f"pinned adapter's ({_percent(pinned_rate)})")
    needed = pinned_loss * (1 - min_gain)
    if not loss < needed:
        return Verdict(False, f"its eval loss ({loss:.3f}) is not {min_gain:.0%} below the "
                              f"pinned adapter's ({pinned_loss:.3f}; needed below {needed:.3f})")
    checks = (f", must-say pass rate {_percent(rate)} against {_percent(pinned_rate)}"
              if pinned_rate is not None else "")
    return Verdict(True, f"eval loss {loss:.3f} against the pinned adapter's {pinned_loss:.3f}"
                         f"{checks}")


def _percent(rate: float | None) -> str:
    return "none" if rate is None else f"{rate:.0%}"


def queue_evaluation(adapter: AdapterVersion, *, first: bool) -> AdapterEvaluation | None:
    """Inside the registering transaction: an evaluation row against the adapter pinned now,
    handed to the serving layer (adapter_registered) once committed. `first`: the adapter was
    pinned at registration, so it is evaluated against the base only."""
    if not settings.EVALUATE_AFTER_TRAINING:
        return None
    evaluation, _ = AdapterEvaluation.objects.get_or_create(
        adapter=adapter, defaults={"tenant": adapter.tenant,
                                   "compared_to": None if first else _pinned_other(adapter),
                                   "decision": Decision.FIRST if first else Decision.PENDING})
    _hand_over_on_commit(adapter)
    return evaluation


def _pinned_other(adapter: AdapterVersion) -> AdapterVersion | None:
    """The adapter pinned now, unless it is `adapter` itself (then nothing to compare with)."""
    pin = PinnedAdapter.objects.filter(tenant=adapter.tenant).first()
    return None if pin is None or pin.adapter_id == adapter.pk else pin.adapter


def _hand_over_on_commit(adapter: AdapterVersion) -> None:
    """The serving layer runs the evaluation once the row that asks for it is committed."""
    tenant_id, adapter_id = adapter.tenant_id, adapter.pk
    transaction.on_commit(lambda: adapter_registered.send(
        AdapterVersion, tenant_id=tenant_id, adapter_id=adapter_id))


def evaluate_again(adapter: AdapterVersion, user: Any) -> AdapterEvaluation:
    """A tenant admin asks for a new evaluation (after a failed one, or against a new pin)."""
    with transaction.atomic():
        compared = _pinned_other(adapter)
        evaluation, _ = AdapterEvaluation.objects.update_or_create(
            adapter=adapter, defaults={
                "tenant": adapter.tenant, "compared_to": compared, "results": {},
                "samples": [], "examples": 0, "state": EvaluationState.QUEUED,
                "decision": Decision.PENDING, "reason": "", "error_code": "",
                "started_at": None, "finished_at": None})
        audit.append(adapter.tenant, "training.adapter_evaluation_requested",
                     actor=audit.actor_for_user(user), target=f"adapter:{adapter.pk}",
                     model_pin=adapter.model_pin,
                     payload={"compared_to": str(compared.pk) if compared else None})
        _hand_over_on_commit(adapter)
    return evaluation


def _audit(tenant: Tenant, action: str, evaluation: AdapterEvaluation, **payload: Any) -> None:
    with contextlib.suppress(closing.TenantClosed):  # a tenant being purged takes no entries
        audit.append(tenant, action, actor=ACTOR, target=f"adapter:{evaluation.adapter_id}",
                     model_pin=evaluation.adapter.model_pin, payload=payload)


def _summary(results: dict[str, Any]) -> dict[str, Any]:
    """Numbers only, for the audit payload (never an answer's text)."""
    keys = ("eval_loss", "must_say_pass_rate", "similarity", "answer_words")
    return {role: {k: m.get(k) for k in keys} for role, m in results.items()}


def conclude(tenant: Tenant, evaluation_id: Any, results: dict[str, Any],
             samples: list[dict[str, Any]], examples: int) -> AdapterEvaluation:
    """Record a finished evaluation and apply the gate: pin the candidate, or keep it."""
    from .services import _pin

    with tenant_scope(tenant), transaction.atomic():
        evaluation = (AdapterEvaluation.objects.select_for_update()
                      .select_related("adapter").get(pk=evaluation_id))
        pin = PinnedAdapter.objects.select_for_update().filter(tenant=tenant).first()
        evaluation.results, evaluation.samples, evaluation.examples = results, samples, examples
        evaluation.state, evaluation.finished_at = EvaluationState.DONE, timezone.now()
        if evaluation.decision == Decision.FIRST:
            evaluation.reason = "the team's first adapter, pinned when it was registered"
        elif pin is not None and pin.adapter_id == evaluation.adapter_id:
            evaluation.decision = Decision.PROMOTED
            evaluation.reason = "already pinned (promoted by hand while it was evaluated)"
        elif (pin.adapter_id if pin else None) != evaluation.compared_to_id:
            evaluation.decision = Decision.KEPT
            evaluation.reason = ("the pinned adapter changed while this evaluation ran; "
                                 "evaluate it again to compare with the new one")
        else:
            verdict = decide(results["candidate"], results.get("pinned"),
                             min_gain=min_loss_gain())
            evaluation.decision = Decision.PROMOTED if verdict.promote else Decision.KEPT
            evaluation.reason = verdict.reason[:300]
            if verdict.promote:
                _pin(evaluation.adapter, ACTOR)
        evaluation.save()
        _audit(tenant, "training.adapter_evaluated", evaluation, decision=evaluation.decision,
               reason=evaluation.reason, examples=examples,
               compared_to=str(evaluation.compared_to_id) if evaluation.compared_to_id else None,
               metrics=_summary(results))
    return evaluation


def refuse(tenant: Tenant, evaluation_id: Any, reason: str) -> AdapterEvaluation:
    """The load-time check refused the candidate: it can never be promoted."""
    return _end(tenant, evaluation_id, EvaluationState.DONE, Decision.REFUSED,
                f"refused when it was loaded: {reason}", reason)


def fail(tenant: Tenant, evaluation_id: Any, code: str) -> AdapterEvaluation:
    """No verdict (engine unreachable, out of rotation, ...): the pin stays where it was."""
    return _end(tenant, evaluation_id, EvaluationState.FAILED, Decision.NOT_DECIDED,
                f"the evaluation failed ({code}); the pinned adapter did not change", code)


def _end(tenant: Tenant, evaluation_id: Any, state: str, decision: str, reason: str,
         code: str) -> AdapterEvaluation:
    with tenant_scope(tenant), transaction.atomic():
        evaluation = (AdapterEvaluation.objects.select_for_update()
                      .select_related("adapter").get(pk=evaluation_id))
        evaluation.state, evaluation.error_code = state, code[:60]
        if evaluation.decision != Decision.FIRST or decision == Decision.REFUSED:
            evaluation.decision = decision
        evaluation.reason, evaluation.finished_at = reason[:300], timezone.now()
        evaluation.save()
        action = ("training.adapter_evaluated" if state == EvaluationState.DONE
                  else "training.adapter_evaluation_failed")
        _audit(tenant, action, evaluation, decision=evaluation.decision, error=code)
    return evaluation


@transaction.atomic
def set_margin(user: Any, gain: float | None) -> RetrainPolicy:
    """A tenant admin sets the promotion margin (None: PROMOTION_MIN_LOSS_GAIN)."""
    from .services import TrainingError

    if gain is not None and not 0.0 <= gain < 1.0:
        raise TrainingError("bad_policy", "Give the margin as a fraction between 0 and 1.")
    tenant = current_tenant()
    policy, _ = RetrainPolicy.objects.get_or_create(tenant=tenant)
    policy.min_eval_loss_gain = gain
    policy.save(update_fields=["min_eval_loss_gain", "updated_at"])
    audit.append(tenant, "training.promotion_policy_set", actor=audit.actor_for_user(user),
                 payload={"min_eval_loss_gain": gain})
    return policy
