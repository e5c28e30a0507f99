"""The load-time check: an adapter goes into service only if it was trained on the base model
the engine serves, and only if it changes the model's output.

vLLM loads an adapter whose weights change nothing (target modules that match no layer, a LoRA
whose B matrices were never trained away from zero) and then answers under its name with the
base model's words, silently. So the first time an adapter is loaded, a few fixed prompts are
answered greedily (temperature 0, a few tokens, with log-probabilities) by the base and by the
adapter; the same tokens with the same log-probabilities mean the adapter does nothing. This
module decides; inference.residency acts on the verdict (unloads, marks the version not
servable, audits).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.core.files.storage import default_storage

from tenants.storage import read_verified
from training.adapter_files import BASE_MODEL_FILE
from training.models import AdapterVersion, BaseModel

from . import engine_http

# Fixed, PHI-free, and short: the answer to each is a handful of tokens.
PROBE_PROMPTS = (
    "Name one common pain reliever.",
    "What should a nurse check before giving a beta blocker?",
    "In one sentence, what is a discharge summary for?",
)
PROBE_TOKENS = 4
# A no-op adapter gives bit-identical log-probabilities on this engine (measured); anything a
# trained adapter does moves them by far more than this.
LOGPROB_TOLERANCE = 1e-3


class ProbeFailed(RuntimeError):
    """The engine did not answer a probe prompt usefully (not a verdict on the adapter)."""


@dataclass(frozen=True)
class Answer:
    tokens: tuple[str, ...]
    logprobs: tuple[float, ...]


def same_output(base: Answer, tuned: Answer, tolerance: float = LOGPROB_TOLERANCE) -> bool:
    """True when the adapter's greedy answer is the base model's, token for token and
    log-probability for log-probability."""
    if base.tokens != tuned.tokens or len(base.logprobs) != len(tuned.logprobs):
        return False
    return all(abs(a - b) <= tolerance for a, b in zip(base.logprobs, tuned.logprobs,
                                                       strict=True))


def answer(model: str, prompt: str, url: str | None = None) -> Answer:
    """The engine's greedy answer to `prompt` under `model` (an adapter or the base)."""
    body = {"model": model, "messages": [{"role": "user", "content": prompt}],
            "max_tokens": PROBE_TOKENS, "temperature": 0, "logprobs": True, "top_logprobs": 0,
            # a fresh salt: both answers are computed from scratch, never from a cached prefix
            "cache_salt": f"sanoweb-load-probe-{uuid.uuid4().hex}"}
    try:
        with engine_http.client(url) as engine:
            response = engine.post("/v1/chat/completions", json=body)
    except httpx.HTTPError as exc:
        raise ProbeFailed("engine_unreachable") from exc
    if response.status_code != 200:
        raise ProbeFailed(f"probe_status_{response.status_code}")
    try:
        choice = response.json()["choices"][0]
        content = (choice.get("logprobs") or {}).get("content") or []
        tokens = tuple(str(c["token"]) for c in content) or (str(choice["message"]["content"]),)
        return Answer(tokens, tuple(float(c["logprob"]) for c in content))
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ProbeFailed("probe_bad_response") from exc


def changes_output(adapter_name: str, url: str | None = None,
                   ask: Callable[[str, str], Answer] | None = None) -> bool:
    """Whether the adapter answers any probe prompt differently from the base model (stops at
    the first difference, so a working adapter costs two short requests)."""
    ask = ask or (lambda model, prompt: answer(model, prompt, url))
    return any(not same_output(ask(settings.VLLM_BASE_NAME, prompt), ask(adapter_name, prompt))
               for prompt in PROBE_PROMPTS)


def base_mismatch(adapter: AdapterVersion, served: dict[str, str]) -> str:
    """Why the adapter does not belong on this engine's base ("" when it does): it names
    another revision than the registered base, the engine serves a registered base of another
    revision, or the adapter's own base_model.json disagrees with its registry row."""
    registered = BaseModel.objects.filter(is_default=True).order_by("-created_at").first()
    if registered is None:
        return "no_base_model"
    if adapter.base_revision != registered.revision:
        return "base_revision_mismatch"
    engine_root = served.get(settings.VLLM_BASE_NAME)
    if engine_root:
        on_engine = _base_at(engine_root)
        if on_engine is not None and on_engine.revision != adapter.base_revision:
            return "engine_base_mismatch"
    if BASE_MODEL_FILE in (adapter.files or {}):
        record = _base_record(adapter)
        if record.get("base_revision") != adapter.base_revision:
            return "base_file_mismatch"
    return ""


def _base_at(root: str) -> BaseModel | None:
    wanted = Path(root).resolve()
    return next((b for b in BaseModel.objects.all() if Path(b.path).resolve() == wanted), None)


def _base_record(adapter: AdapterVersion) -> dict[str, Any]:
    data = read_verified(adapter.tenant, f"{adapter.storage_prefix}/{BASE_MODEL_FILE}",
                         adapter.files[BASE_MODEL_FILE], default_storage)
    try:
        record = json.loads(data)
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}
