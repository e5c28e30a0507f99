"""What the router accepts: the request body parsed and every forwarded field checked.

Everything a client can get wrong is refused here with a 400 that says what to fix, before
the engine sees it, so an engine error can only mean the engine failed. Ranges follow the
OpenAI API (temperature 0 to 2, top_p in (0, 1], penalties -2 to 2, at most four stops);
the context window is the engine's own (`inference.context`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from tenants import strict_json

from . import context

# A fine-tuned model's name (inference.fine_tuning): only the router can say whose it is.
FINE_TUNED_NAME = re.compile(r"^ft:sanoweb:[a-z0-9-]+:[A-Za-z0-9_-]+:[0-9a-f]{12}$")
ALLOWED_FIELDS = {"messages", "max_tokens", "max_completion_tokens", "temperature", "top_p",
                  "stop", "stream", "seed", "presence_penalty", "frequency_penalty", "n", "user",
                  "model", "stream_options", "sanoweb"}
# The platform's own request options, under "sanoweb" (documented in README, Retrieval):
# exactly these keys, each of its type; anything else there is a 400.
PLATFORM_OPTIONS = {"retrieval": bool}
ROLES = {"system", "user", "assistant"}
MAX_MESSAGES, MAX_CHARS = 64, 32_000
MAX_STOP, MAX_STOP_CHARS = 4, 200
SEED_RANGE = (-(2**63), 2**63 - 1)
RANGES = {"temperature": (0.0, 2.0), "top_p": (0.0, 1.0), "presence_penalty": (-2.0, 2.0),
          "frequency_penalty": (-2.0, 2.0)}


class BadInferenceRequest(ValueError):
    """400: the body is malformed or tries to choose what the platform chooses."""

    def __init__(self, message: str, *, code: str = "invalid_request_error",
                 param: str | None = None) -> None:
        super().__init__(message)
        self.code, self.param = code, param


_HINTS = {"empty": "; send a JSON object", "constant": "; send a finite number",
          "surrogate": "; send valid Unicode text"}


def parse_body(raw: bytes) -> Any:
    """The JSON value of a request body, or BadInferenceRequest naming what is wrong."""
    try:
        return strict_json.loads(raw)
    except strict_json.StrictJSONError as exc:
        message = exc.reason[0].upper() + exc.reason[1:] + _HINTS.get(exc.kind, "") + "."
        raise BadInferenceRequest(message) from None


def _number(body: dict[str, Any], name: str) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadInferenceRequest(f"{name} must be a number.", param=name)
    low, high = RANGES[name]
    if not math.isfinite(value) or not low <= value <= high or (name == "top_p" and value == 0):
        shown = ("greater than 0 and at most 1" if name == "top_p"
                 else f"between {low:g} and {high:g}")
        raise BadInferenceRequest(f"{name} must be {shown}.", param=name)
    return float(value)


def _integer(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInferenceRequest(f"{name} must be an integer.", param=name)
    return value


def _stop(value: Any) -> str | list[str] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if (not isinstance(items, list) or not 1 <= len(items) <= MAX_STOP
            or not all(isinstance(s, str) and 1 <= len(s) <= MAX_STOP_CHARS for s in items)):
        raise BadInferenceRequest(f"stop must be a string or a list of 1 to {MAX_STOP} strings "
                                  f"of 1 to {MAX_STOP_CHARS} characters.", param="stop")
    return value  # type: ignore[no-any-return]


def _messages(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_MESSAGES:
        raise BadInferenceRequest(f"messages must be a list of 1 to {MAX_MESSAGES} messages.",
                                  param="messages")
    clean, chars = [], 0
    for message in value:
        if (not isinstance(message, dict) or message.get("role") not in ROLES
                or not isinstance(message.get("content"), str)
                or set(message) - {"role", "content"}):
            raise BadInferenceRequest("Each message needs a role (system, user, assistant) and "
                                      "text content.", param="messages")
        chars += len(message["content"])
        clean.append({"role": message["role"], "content": message["content"]})
    if chars > MAX_CHARS:
        raise BadInferenceRequest(f"The conversation is longer than {MAX_CHARS} characters.",
                                  code="context_length_exceeded", param="messages")
    return clean


@dataclass(frozen=True)
class PlatformOptions:
    retrieval: bool = True  # ground the answer in the team's documents


def platform_options(body: Any) -> PlatformOptions:
    """`{"sanoweb": {"retrieval": false}}` and nothing else: the platform owns this field, so
    an unknown key in it is refused rather than ignored."""
    value = body.get("sanoweb") if isinstance(body, dict) else None
    if value is None:
        return PlatformOptions()
    if not isinstance(value, dict):
        raise BadInferenceRequest("sanoweb must be an object, e.g. {\"retrieval\": false}.",
                                  param="sanoweb")
    unknown = sorted(set(value) - set(PLATFORM_OPTIONS))
    if unknown:
        raise BadInferenceRequest("sanoweb accepts only \"retrieval\" (true or false).",
                                  param="sanoweb")
    for name, kind in PLATFORM_OPTIONS.items():
        if name in value and not isinstance(value[name], kind):
            raise BadInferenceRequest(f"sanoweb.{name} must be true or false.", param="sanoweb")
    return PlatformOptions(retrieval=value.get("retrieval", True))


def clean_request(body: Any) -> dict[str, Any]:
    """The body the router forwards (before it adds the model and cache salt)."""
    if not isinstance(body, dict):
        raise BadInferenceRequest("The body must be a JSON object.")
    unknown = sorted(set(body) - ALLOWED_FIELDS)
    if unknown:
        raise BadInferenceRequest(f"Unsupported fields: {', '.join(unknown)}. The platform "
                                  "chooses the model, adapter and cache.")
    model = body.get("model")
    if model not in (None, settings.PUBLIC_MODEL_ALIAS) and not (
            isinstance(model, str) and FINE_TUNED_NAME.match(model)):
        raise BadInferenceRequest(f"The model is chosen by the platform; send "
                                  f"\"{settings.PUBLIC_MODEL_ALIAS}\", one of your team's "
                                  "fine-tuned models (GET /v1/models), or leave it out.",
                                  param="model")
    platform_options(body)  # checked here; the router reads it, the engine never sees it
    messages = _messages(body.get("messages"))
    if _integer(body, "n") not in (None, 1):
        raise BadInferenceRequest("n must be 1.", param="n")
    for name in ("stream",):
        if not isinstance(body.get(name, False), bool):
            raise BadInferenceRequest(f"{name} must be true or false.", param=name)
    if not isinstance(body.get("stream_options") or {}, dict):
        raise BadInferenceRequest("stream_options must be an object.", param="stream_options")
    if not isinstance(body.get("user", ""), str) or len(body.get("user") or "") > 256:
        raise BadInferenceRequest("user must be a string of at most 256 characters.",
                                  param="user")
    limit_name = "max_completion_tokens" if "max_completion_tokens" in body else "max_tokens"
    limit = _integer(body, limit_name)
    if limit is not None and limit < 1:
        raise BadInferenceRequest(f"{limit_name} must be a positive integer.", param=limit_name)
    prompt_tokens = context.count_tokens(messages)
    max_tokens = context.answer_budget(prompt_tokens, limit)
    if not max_tokens:
        raise BadInferenceRequest(
            f"The messages are about {prompt_tokens} tokens and the model's context window is "
            f"{context.window()} tokens, with room needed for the answer. Send fewer or shorter "
            "messages.", code="context_length_exceeded", param="messages")
    out: dict[str, Any] = {"messages": messages, "max_tokens": max_tokens}
    for name in RANGES:
        number = _number(body, name)
        if number is not None:
            out[name] = number
    seed = _integer(body, "seed")
    if seed is not None:
        if not SEED_RANGE[0] <= seed <= SEED_RANGE[1]:
            raise BadInferenceRequest("seed must fit in a signed 64-bit integer.", param="seed")
        out["seed"] = seed
    stop = _stop(body.get("stop"))
    if stop is not None:
        out["stop"] = stop
    out["stream"] = bool(body.get("stream", False))
    return out
