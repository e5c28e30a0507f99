"""Defence in depth before training: the residual-PHI gate, reviewer clearances, span
redactions and PHI reports.

Text was redacted when it was stored; `redaction.residual_phi` scans it again at its strictest.
A freeze is refused while any candidate in an approved example is neither cleared by a reviewer
nor redacted. A redaction or a report replaces the words everywhere the tenant keeps them (the
example, its chat messages, other examples made from those messages) and flags every snapshot
that froze them; the snapshot files stay untouched. Audit payloads carry ids, types, counts and
sha256s, never text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max

from tenants import audit
from tenants.scoping import current_tenant
from tenants.storage import sha256_hex

from . import redaction
from .errors import CurationError, FourEyesViolation
from .models import (
    Example,
    ExampleRevision,
    Message,
    PhiClearance,
    TrainingSet,
    TrainingSetExample,
    TrainingSetFlag,
)

FIELDS = ("question", "answer")
DEFAULT_TYPE = "REDACTED"
TYPES = (DEFAULT_TYPE, *sorted(redaction.PRIORITY))
MAX_SPAN_CHARS = 500
_PLACEHOLDER = re.compile(r"<[A-Z_]+>")  # the shape redaction.residual_phi never flags
# (row kind, row id, field) -> (start, end, placeholder type) spans to replace in that field
ExactSpans = dict[tuple[str, Any, str], list[tuple[int, int, str]]]


class Action:
    """Audit action names of this module."""

    PHI_CLEARED = "curation.phi_cleared"
    SPAN_REDACTED = "curation.span_redacted"
    PHI_REPORTED = "curation.phi_reported"
    TRAINING_SET_FLAGGED = "curation.training_set_flagged"


class ResidualPhiBlocked(CurationError):
    """A freeze refused: approved examples still hold PHI candidates nobody cleared."""

    def __init__(self, example_ids: Sequence[str], counts: dict[str, int]) -> None:
        self.example_ids = list(example_ids)
        self.counts = dict(sorted(counts.items()))
        n = len(self.example_ids)
        kinds = ", ".join(f"{count} {kind}" for kind, count in self.counts.items())
        super().__init__(
            f"Nothing was frozen: {n} approved example{'s' if n != 1 else ''} still "
            f"hold{'s' if n == 1 else ''} suspected PHI ({kinds}). A reviewer must mark each "
            "highlighted candidate 'Not PHI' or redact it in the review portal; then freeze "
            "again.")


class SelectionMismatch(CurationError):
    """The offsets or sha256 sent do not match the stored text (it changed, or a bad request)."""


@dataclass(frozen=True)
class Candidate:
    """One residual-scan hit in a field: where, what type, and the sha256 of its words."""

    field: str
    start: int
    end: int
    entity_type: str
    sha256: str
    cleared: bool = False


@dataclass(frozen=True)
class Selection:
    """A span a person selected: code-point offsets into the stored text, and its sha256."""

    field: str
    start: int
    end: int
    sha256: str
    entity_type: str = DEFAULT_TYPE


@dataclass
class ScrubResult:
    """What a redaction or report changed, by id."""

    examples: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    flagged: list[str] = field(default_factory=list)


def span_sha256(text: str) -> str:
    return sha256_hex(text.encode())


# --- the scan and the freeze gate ----------------------------------------------------------------


def scan(text: str, field_name: str, cleared: frozenset[tuple[str, str, str]] = frozenset(),
         ) -> list[Candidate]:
    """residual_phi's candidates in `text`, each marked cleared when a reviewer said so."""
    found = []
    for start, end, kind in redaction.residual_phi(text):
        digest = span_sha256(text[start:end])
        found.append(Candidate(field_name, start, end, kind, digest,
                               (field_name, digest, kind) in cleared))
    return found


def _clearances(examples: Iterable[Example]) -> dict[Any, frozenset[tuple[str, str, str]]]:
    keys: dict[Any, set[tuple[str, str, str]]] = {}
    rows = PhiClearance.objects.filter(example__in=list(examples)).values_list(
        "example_id", "field", "span_sha256", "entity_type")
    for example_id, field_name, digest, kind in rows:
        keys.setdefault(example_id, set()).add((field_name, digest, kind))
    return {k: frozenset(v) for k, v in keys.items()}


def candidates(example: Example) -> dict[str, list[Candidate]]:
    """Field -> every residual candidate in the example, cleared or not (for the portal)."""
    cleared = _clearances([example]).get(example.pk, frozenset())
    return {name: scan(getattr(example, name), name, cleared) for name in FIELDS}


def check_freezable(examples: Sequence[Example]) -> None:
    """Raise ResidualPhiBlocked when any example holds a candidate nobody cleared."""
    cleared = _clearances(examples)
    blocked: list[str] = []
    counts: Counter[str] = Counter()
    for example in examples:
        keys = cleared.get(example.pk, frozenset())
        left = [c for name in FIELDS for c in scan(getattr(example, name), name, keys)
                if not c.cleared]
        if left:
            blocked.append(str(example.pk))
            counts.update(c.entity_type for c in left)
    if blocked:
        raise ResidualPhiBlocked(blocked, dict(counts))


def is_flagged(training_set: TrainingSet) -> bool:
    return TrainingSetFlag.objects.filter(training_set=training_set).exists()


# --- a reviewer clears a candidate ---------------------------------------------------------------


@transaction.atomic
def clear_candidate(example: Example, reviewer: User, *, field_name: str,
                    digest: str, entity_type: str) -> PhiClearance:
    """Record that the candidate with these words (by sha256) is not PHI. Four eyes: the
    example's author cannot clear candidates in their own text."""
    example = Example.objects.select_for_update().get(pk=example.pk)
    if example.author_id == reviewer.pk:
        raise FourEyesViolation("You wrote this example: another reviewer must decide whether "
                                "its highlighted words are PHI.")
    _check_field(field_name, FIELDS)
    if not any(c.sha256 == digest and c.entity_type == entity_type
               for c in scan(getattr(example, field_name), field_name)):
        raise SelectionMismatch("That candidate is no longer in the text; reload the page.")
    clearance, created = PhiClearance.objects.get_or_create(
        example=example, field=field_name, span_sha256=digest, entity_type=entity_type,
        defaults={"cleared_by": reviewer})
    if created:
        audit.append(current_tenant(), Action.PHI_CLEARED, actor=audit.actor_for_user(reviewer),
                     target=f"example:{example.pk}",
                     payload={"field": field_name, "span_sha256": digest, "type": entity_type})
    return clearance


# --- redactions and reports ----------------------------------------------------------------------


@transaction.atomic
def redact_span(example: Example, user: User, selection: Selection) -> ScrubResult:
    """Replace a selected span with <TYPE> in the example, and the same words in its messages
    and in examples made from them; flag the snapshots that froze the old text."""
    example = Example.objects.select_for_update().get(pk=example.pk)
    _check_field(selection.field, FIELDS)
    _check_type(selection.entity_type)
    text = getattr(example, selection.field)
    start, end = _checked_span(text, selection)
    words = text[start:end]
    exact = {("example", example.pk, selection.field): [(start, end, selection.entity_type)]}
    result = _scrub(user, ExampleRevision.Change.SPAN_REDACTED, [example], [], exact,
                    [(words, selection.entity_type)])
    result.flagged = _flag_snapshots(result.examples, TrainingSetFlag.Reason.SPAN_REDACTED, user)
    audit.append(current_tenant(), Action.SPAN_REDACTED, actor=audit.actor_for_user(user),
                 target=f"example:{example.pk}", payload={
                     "field": selection.field, "span_sha256": span_sha256(words),
                     "length": len(words), "type": selection.entity_type,
                     "examples": result.examples, "messages": result.messages,
                     "training_sets_flagged": result.flagged})
    return result


@transaction.atomic
def report_example(example: Example, user: User,
                   selection: Selection | None = None) -> ScrubResult:
    """Someone saw PHI in an example: re-redact it with every residual candidate (cleared ones
    too: a report overrides a clearance) plus the selected span, then flag its snapshots."""
    example = Example.objects.select_for_update().get(pk=example.pk)
    if selection is not None:
        _check_field(selection.field, FIELDS)
    exact: ExactSpans = {}
    words: list[tuple[str, str]] = []
    for name in FIELDS:
        spans = _report_spans(getattr(example, name), name, selection)
        exact[("example", example.pk, name)] = spans
        words += [(getattr(example, name)[s:e], kind) for s, e, kind in spans]
    return _report(user, f"example:{example.pk}", [example], [], exact, words, selection)


@transaction.atomic
def report_message(message: Message, user: User,
                   selection: Selection | None = None) -> ScrubResult:
    """Someone saw PHI in a stored chat message: re-redact it in place (and in examples made
    from it), then flag the snapshots that froze those examples."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if selection is not None:
        _check_field(selection.field, ("text",))
    spans = _report_spans(message.text, "text", selection)
    words = [(message.text[s:e], kind) for s, e, kind in spans]
    sourced = _examples_from_messages({str(message.pk)})
    return _report(user, f"message:{message.pk}", sourced, [message],
                   {("message", message.pk, "text"): spans}, words, selection)


def _report_spans(text: str, field_name: str,
                  selection: Selection | None) -> list[tuple[int, int, str]]:
    spans = list(redaction.residual_phi(text))
    if selection is not None and selection.field == field_name:
        _check_type(selection.entity_type)
        start, end = _checked_span(text, selection)
        spans.append((start, end, selection.entity_type))
    return spans


def _report(user: User, target: str, examples: list[Example],
            messages: list[Message], exact: ExactSpans,
            words: list[tuple[str, str]], selection: Selection | None) -> ScrubResult:
    if not words:
        raise CurationError("No suspected PHI was found in this text. Select the words that "
                            "are PHI, then report again.")
    result = _scrub(user, ExampleRevision.Change.PHI_REPORTED, examples, messages, exact, words)
    reported = sorted({*result.examples, *(str(e.pk) for e in examples)})
    result.flagged = _flag_snapshots(reported, TrainingSetFlag.Reason.PHI_REPORTED, user)
    audit.append(current_tenant(), Action.PHI_REPORTED, actor=audit.actor_for_user(user),
                 target=target, payload={
                     "examples": result.examples, "messages": result.messages,
                     "counts": result.counts, "selection": selection is not None,
                     "training_sets_flagged": result.flagged})
    return result


# --- the replacement itself ----------------------------------------------------------------------


def _check_field(name: str, allowed: Sequence[str]) -> None:
    if name not in allowed:
        raise SelectionMismatch(f"Choose one of: {', '.join(allowed)}.")


def _check_type(kind: str) -> None:
    if kind not in TYPES:
        raise CurationError("Unknown placeholder type.")


def _as_browser_sees(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _from_browser(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Offsets a browser counted (its DOM turns CR LF into one LF) mapped onto `text`."""
    raw_at, i = [], 0
    while i < len(text):
        raw_at.append(i)
        i += 2 if text.startswith("\r\n", i) else 1
    raw_at.append(len(text))
    return (raw_at[start], raw_at[end]) if 0 <= start < end < len(raw_at) else None


def _located(text: str, selection: Selection) -> tuple[int, int]:
    """Where the selection is in the stored text: its offsets as sent (the server's own
    candidate buttons), or as a browser counted them; either way its sha256 must match."""
    start, end = selection.start, selection.end
    if 0 <= start < end <= len(text) and span_sha256(text[start:end]) == selection.sha256:
        return start, end
    mapped = _from_browser(text, start, end) if "\r" in text else None
    if mapped and span_sha256(_as_browser_sees(text[mapped[0]:mapped[1]])) == selection.sha256:
        return mapped
    if not 0 <= start < end <= len(text):
        raise SelectionMismatch("The selection is outside the text; reload the page and select "
                                "again.")
    raise SelectionMismatch("The selected text does not match the stored text; reload the page "
                            "and select again.")


def _checked_span(text: str, selection: Selection) -> tuple[int, int]:
    """The selection's offsets, checked against the stored text and trimmed of whitespace."""
    start, end = _located(text, selection)
    if end - start > MAX_SPAN_CHARS:
        raise CurationError(f"Select at most {MAX_SPAN_CHARS} characters.")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    for hole in _PLACEHOLDER.finditer(text):
        if hole.start() < start < hole.end() or hole.start() < end < hole.end():
            raise CurationError("The selection cuts through a placeholder; select whole words.")
    if not _PLACEHOLDER.sub("", text[start:end]).strip():
        raise CurationError("That is already redacted; select the words that are PHI.")
    return start, end


def _replace_spans(text: str, spans: list[tuple[int, int, str]]) -> tuple[str, Counter[str]]:
    """Each (start, end, type) becomes <TYPE>; overlapping spans merge into one."""
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans):
        if merged and start < merged[-1][1]:
            first = merged[-1]
            merged[-1] = (first[0], max(first[1], end), first[2])
        else:
            merged.append((start, end, kind))
    counts: Counter[str] = Counter()
    for start, end, kind in reversed(merged):
        text = f"{text[:start]}<{kind}>{text[end:]}"
        counts[kind] += 1
    return text, counts


def _replace_words(text: str, words: list[tuple[str, str]]) -> tuple[str, Counter[str]]:
    """Every whole-word occurrence of each (words, type), longest first, never inside an
    existing placeholder ("PERSON" in "<PERSON>" stays)."""
    counts: Counter[str] = Counter()
    for phrase, kind in sorted(set(words), key=lambda w: (-len(w[0]), w)):
        before = r"(?<!\w)" if re.match(r"\w", phrase) else ""
        after = r"(?!\w)" if re.search(r"\w$", phrase) else ""
        holes = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
        pieces, last = [], 0
        for match in re.finditer(before + re.escape(phrase) + after, text):
            if any(a < match.start() < b or a < match.end() < b for a, b in holes):
                continue
            pieces += [text[last:match.start()], f"<{kind}>"]
            last = match.end()
            counts[kind] += 1
        text = "".join([*pieces, text[last:]])
    return text, counts


def _examples_from_messages(message_ids: set[str]) -> list[Example]:
    found: dict[Any, Example] = {}
    for mid in sorted(message_ids):
        # The JSON list holds uuid strings: a text match, then an exact check (any database).
        for example in Example.objects.select_for_update().filter(
                source_messages__icontains=mid):
            if mid in example.source_messages:
                found.setdefault(example.pk, example)
    return list(found.values())


def _scrub(user: User, change: str, examples: list[Example], messages: list[Message],
           exact: ExactSpans, words: list[tuple[str, str]]) -> ScrubResult:
    """Replace the exact spans, then the same words in every linked row: the examples, their
    source messages and the other examples made from those messages."""
    message_ids = {str(m.pk) for m in messages} | {
        mid for e in examples for mid in e.source_messages}
    linked = {e.pk: e for e in examples}
    for example in _examples_from_messages(message_ids):
        linked.setdefault(example.pk, example)
    rows = {m.pk: m for m in messages}
    for message in Message.objects.select_for_update().filter(pk__in=message_ids):
        rows.setdefault(message.pk, message)
    total: Counter[str] = Counter()
    result = ScrubResult()
    for example in linked.values():
        added = _scrub_example(example, user, change, exact, words)
        if added:
            total.update(added)
            result.examples.append(str(example.pk))
    for message in rows.values():
        new_text, added = _replace_spans(message.text, exact.get(("message", message.pk, "text"),
                                                                 []))
        new_text, more = _replace_words(new_text, words)
        if new_text != message.text:
            message.text = new_text
            message.redaction_counts = _add(message.redaction_counts, added + more)
            message.save(update_fields=["text", "redaction_counts"])
            total.update(added + more)
            result.messages.append(str(message.pk))
    result.examples.sort()
    result.messages.sort()
    result.counts = dict(sorted(total.items()))
    return result


def _scrub_example(example: Example, user: User, change: str,
                   exact: ExactSpans,
                   words: list[tuple[str, str]]) -> Counter[str]:
    """Redact one example's fields; a change is a new text version with a hash-only record."""
    changed: dict[str, tuple[str, str, Counter[str]]] = {}
    for name in FIELDS:
        before = getattr(example, name)
        after, added = _replace_spans(before, exact.get(("example", example.pk, name), []))
        after, more = _replace_words(after, words)
        if after != before:
            changed[name] = (before, after, added + more)
    if not changed:
        return Counter()
    version = (example.revisions.aggregate(v=Max("version"))["v"] or 1) + 1
    total: Counter[str] = Counter()
    for name, (before, after, added) in changed.items():
        setattr(example, name, after)
        ExampleRevision.objects.create(
            example=example, version=version, field=name, change=change,
            previous_sha256=span_sha256(before), new_sha256=span_sha256(after),
            redacted=dict(sorted(added.items())), actor=user)
        total.update(added)
    example.redaction_report = _add(example.redaction_report, total)
    example.save(update_fields=[*changed, "redaction_report"])
    return total


def _add(counts: dict[str, int], more: Counter[str]) -> dict[str, int]:
    return dict(sorted((Counter(counts) + more).items()))


def _flag_snapshots(example_ids: Sequence[str], reason: str,
                    user: User) -> list[str]:
    """Flag every frozen snapshot holding one of these examples (one flag per snapshot)."""
    first: dict[Any, Any] = {}
    links = TrainingSetExample.objects.filter(example_id__in=list(example_ids)).order_by(
        "training_set_id", "example_id").values_list("training_set_id", "example_id")
    for set_id, example_id in links:
        first.setdefault(set_id, example_id)
    for set_id, example_id in first.items():
        TrainingSetFlag.objects.create(training_set_id=set_id, example_id=example_id,
                                       reason=reason, flagged_by=user)
        audit.append(current_tenant(), Action.TRAINING_SET_FLAGGED,
                     actor=audit.actor_for_user(user), target=f"training_set:{set_id}",
                     payload={"reason": reason, "example": str(example_id)})
    return sorted(str(s) for s in first)
