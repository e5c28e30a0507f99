"""Grounding a chat in the tenant's documents: retrieve, fit to the window, fixed template.

The router calls `ground` after it has resolved the tenant's model and before it hashes what
it sends: the passages for the last user message (knowledge.retrieval, in the tenant's scope)
go into one system message with a fixed template, as many as fit the window with room for the
answer, and the answer carries their citations. A client opts out per request with the
platform's own field `{"sanoweb": {"retrieval": false}}` (inference.validation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from knowledge import retrieval
from tenants.models import Tenant
from tenants.scoping import tenant_scope

from . import context

TEMPLATE_HEAD = (
    "You answer for a clinical team. Below are passages from the team's own current "
    "documents. Use them when they answer the question and cite each passage you use by its "
    "number in square brackets, like [1]. If they do not answer it, say so and answer from "
    "what you know.")
PASSAGE = "[{n}] {document} (version {version}){section}\n{text}"


@dataclass
class Grounding:
    messages: list[dict[str, str]]
    max_tokens: int
    passages: list[retrieval.Passage] = field(default_factory=list)

    def citations(self) -> list[dict[str, Any]]:
        return [{"n": n, **p.citation()} for n, p in enumerate(self.passages, start=1)]


def last_user_message(messages: list[dict[str, str]]) -> str:
    return next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")


def system_text(passages: list[retrieval.Passage]) -> str:
    blocks = [PASSAGE.format(n=n, document=p.document, version=p.version,
                             section=f", {p.section}" if p.section else "", text=p.text)
              for n, p in enumerate(passages, start=1)]
    return "\n\n".join([TEMPLATE_HEAD, *blocks])


def _with_system(messages: list[dict[str, str]], text: str) -> list[dict[str, str]]:
    """Our system message first; a client's own system message follows it in the same one."""
    if messages and messages[0]["role"] == "system":
        return [{"role": "system", "content": f"{text}\n\n{messages[0]['content']}"},
                *messages[1:]]
    return [{"role": "system", "content": text}, *messages]


def ground(tenant: Tenant, body: dict[str, Any], requested: int | None) -> Grounding | None:
    """None when the tenant has no ready documents; else the grounded messages (with no
    passage when none was found or none fits) and the answer budget that is left."""
    messages: list[dict[str, str]] = body["messages"]
    with tenant_scope(tenant):
        if not retrieval.has_documents():
            return None
        found = retrieval.search(last_user_message(messages))
    count = context._counter()
    base_tokens = context.count_tokens(messages, count)
    reserve = min(body["max_tokens"], settings.KNOWLEDGE_ANSWER_RESERVE)
    room = min(settings.KNOWLEDGE_CONTEXT_TOKENS, context.window() - base_tokens - reserve)
    kept: list[retrieval.Passage] = []
    for passage in found:
        grounded = _with_system(messages, system_text([*kept, passage]))
        if context.count_tokens(grounded, count) - base_tokens <= room:
            kept.append(passage)
    if not kept:
        return Grounding(messages, body["max_tokens"])
    grounded = _with_system(messages, system_text(kept))
    budget = context.answer_budget(context.count_tokens(grounded, count), requested)
    return Grounding(grounded, budget or body["max_tokens"], kept)
