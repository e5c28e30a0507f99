"""The platform's record of its engines: started, canary passed, or out of rotation."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import canary, engine_auth, residency
from .models import EngineState, PlatformEvent

log = logging.getLogger("sanoweb.engine")


@transaction.atomic
def record_engine_start(url: str | None = None) -> EngineState:
    """A fresh engine holds no adapters and is out of rotation until its canary passes."""
    state, _ = EngineState.objects.get_or_create(url=url or settings.VLLM_URL)
    state.started_at, state.canary_passed_at, state.healthy = timezone.now(), None, False
    state.save()
    residency.reset_for_new_engine()
    PlatformEvent.objects.create(kind="engine.started", detail={"url": state.url})
    return state


def check_engine(url: str | None = None, *, rounds: int = 4) -> canary.CanaryResult:
    """Run the canary and record the verdict; a failure takes the engine out of rotation."""
    url = url or settings.VLLM_URL
    try:
        result = canary.run(url, base_name=settings.VLLM_BASE_NAME,
                            max_loras=settings.VLLM_MAX_LORAS, rounds=rounds,
                            api_key=engine_auth.api_key())
    except Exception as exc:  # a canary that cannot run proves nothing: fail closed
        result = canary.CanaryResult(passed=False, failures=[
            f"canary raised {type(exc).__name__}: {str(exc)[:200]}"])
    with transaction.atomic():
        state, _ = EngineState.objects.select_for_update().get_or_create(url=url)
        state.last_canary = {**result.as_dict(), "at": timezone.now().isoformat()}
        if result.passed:
            state.canary_passed_at = timezone.now()
            state.healthy = not state.quarantined
        else:
            state.healthy, state.quarantined = False, True
        state.save()
        PlatformEvent.objects.create(
            kind="canary.passed" if result.passed else "canary.failed",
            detail={"url": url, **result.as_dict()})
    if not result.passed:
        log.critical("ALERT isolation canary FAILED on %s: engine out of rotation: %s",
                     url, "; ".join(result.failures))
    return result


def quarantine(url: str, reason: str) -> None:
    """Out of rotation at once, until an operator returns it: an alert, not a retry."""
    with transaction.atomic():
        state, _ = EngineState.objects.select_for_update().get_or_create(url=url)
        state.healthy, state.quarantined = False, True
        state.save()
        PlatformEvent.objects.create(kind="engine.quarantined", detail={"url": url,
                                                                        "reason": reason})
    log.critical("ALERT engine %s out of rotation: %s", url, reason)


@transaction.atomic
def return_to_rotation(url: str) -> None:
    """An operator's decision after the engine was fixed: the quarantine is lifted, and the
    engine serves again once a canary has passed since it started."""
    state = EngineState.objects.select_for_update().get(url=url)
    state.quarantined = False
    state.healthy = state.canary_passed_since_start
    state.save()
    PlatformEvent.objects.create(kind="engine.returned", detail={"url": url})
