"""The model's context window, as the router sees it: counting a chat's tokens and fitting a
conversation into the window.

The count uses the base model's own tokenizer (tokenizer.json, loaded once per process) plus a
fixed allowance per message for the chat template's markers. Where no base model is prepared
yet, it falls back to one token per UTF-8 byte, an over-estimate that keeps every request
inside the window. Policy for a conversation that has outgrown the window: the newest message
is always sent; earlier turns are dropped oldest first, whole turns at a time, and the caller
tells the user how many were left out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

# "<|im_start|>role\n" … "<|im_end|>\n" around each message, the default system prompt the
# template adds when none is given, and the assistant header: measured on SmolLM2's template
# as 5 per message and 21 + 3 per chat; rounded up.
PER_MESSAGE_TOKENS = 8
PER_CHAT_TOKENS = 32
# Never offer the model less room to answer than this.
MIN_ANSWER_TOKENS = 16


@functools.lru_cache(maxsize=4)
def _tokenizer_for(path: str) -> Callable[[str], int] | None:
    tokenizer_file = Path(path) / "tokenizer.json"
    if not tokenizer_file.is_file():
        return None
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    return lambda text: len(tokenizer.encode(text, add_special_tokens=False).ids)


def _counter() -> Callable[[str], int]:
    from training.models import BaseModel

    base = BaseModel.objects.filter(is_default=True).only("path").first()
    counter = _tokenizer_for(base.path) if base is not None else None
    return counter or (lambda text: len(text.encode()))


def count_tokens(messages: Sequence[dict[str, Any]],
                 counter: Callable[[str], int] | None = None) -> int:
    """Prompt tokens for `messages` once the chat template is applied (a safe upper bound)."""
    count = counter or _counter()
    return PER_CHAT_TOKENS + sum(PER_MESSAGE_TOKENS + count(str(m.get("content", "")))
                                 for m in messages)


def window() -> int:
    return int(settings.VLLM_MAX_MODEL_LEN)


def answer_budget(prompt_tokens: int, requested: int | None) -> int:
    """How many tokens the model may write: what was asked for, within the platform's cap and
    what is left of the window. Below MIN_ANSWER_TOKENS the prompt is too long (returns 0)."""
    room = window() - prompt_tokens
    if room < MIN_ANSWER_TOKENS:
        return 0
    cap: int = settings.INFERENCE_MAX_TOKENS
    return min(requested or cap, cap, room)


@dataclass(frozen=True)
class Fitted:
    messages: list[dict[str, str]]
    dropped: int  # earlier messages left out
    prompt_tokens: int


class MessageTooLong(ValueError):
    """The newest message alone does not leave the model room to answer."""

    def __init__(self, tokens: int, limit: int) -> None:
        super().__init__(f"This message is too long for the model: about {tokens} tokens, and "
                         f"at most {limit} fit. Shorten it or split it into parts.")
        self.tokens, self.limit = tokens, limit


def fit(history: Sequence[dict[str, str]], new_message: dict[str, str], *,
        answer_tokens: int | None = None) -> Fitted:
    """The newest message plus as many of the latest whole turns of `history` as fit with room
    for an answer of `answer_tokens` (default: the platform's cap, or what the window allows)."""
    count = _counter()
    reserve = min(answer_tokens or settings.INFERENCE_MAX_TOKENS, window() // 2)
    budget = window() - reserve
    tokens = count_tokens([new_message], count)
    if tokens > budget:
        overhead = PER_CHAT_TOKENS + PER_MESSAGE_TOKENS
        raise MessageTooLong(tokens - overhead, budget - overhead)
    turns = _turns(history)
    kept: list[list[dict[str, str]]] = []
    for turn in reversed(turns):
        cost = sum(PER_MESSAGE_TOKENS + count(m["content"]) for m in turn)
        if tokens + cost > budget:
            break
        kept.insert(0, turn)
        tokens += cost
    messages = [m for turn in kept for m in turn]
    return Fitted([*messages, new_message], len(history) - len(messages), tokens)


def _turns(history: Sequence[dict[str, str]]) -> list[list[dict[str, str]]]:
    """Group messages into turns that start at a user message, so none is cut in half."""
    turns: list[list[dict[str, str]]] = []
    for message in history:
        if message["role"] == "user" or not turns:
            turns.append([])
        turns[-1].append(message)
    return turns
