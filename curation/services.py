"""Curation actions. Each redacts before it stores and audits in the same transaction.

Raw text arrives as a function argument, is redacted in memory, and only the redacted text and
entity counts are kept: never logged, never put in an exception, never sent to Celery.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tenants import audit
from tenants.models import Membership, Tenant
from tenants.scoping import current_tenant
from tenants.storage import read_verified, sha256_hex, tenant_key, write_new

from . import eval_split, phi_gate, redaction
from .errors import CurationError as CurationError  # re-exported: callers catch services.*
from .errors import FourEyesViolation as FourEyesViolation  # re-exported, likewise
from .models import (
    Conversation,
    CurationSettings,
    EvalCheck,
    Example,
    ImportBatch,
    Message,
    Review,
    Split,
    TrainingSet,
    TrainingSetExample,
)

MAX_TEXT_CHARS = 8000
MAX_IMPORT_LINES = 5000


def known_names(tenant: Tenant) -> list[str]:
    """Names the platform knows for this tenant (its staff roster), always redacted."""
    names: list[str] = []
    for membership in Membership.objects.filter(tenant=tenant).select_related("user"):
        user: Any = membership.user
        full = user.get_full_name().strip()
        if full:
            names.append(full)
            names.extend(part for part in full.split() if len(part) > 2)
    return names


def redact(text: str) -> redaction.RedactionResult:
    return redaction.redact(text, known_names=known_names(current_tenant()))


# Characters PostgreSQL cannot store (NUL, unpaired surrogates) or that no clinician types
# (other C0 controls); tab, newline and carriage return are text.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def check_text(text: str, what: str) -> str:
    """The text stripped, or CurationError if it is empty, too long or not storable text."""
    text = (text or "").strip()
    if not text:
        raise CurationError(f"The {what} is empty.")
    bad = _UNSTORABLE.search(text)
    if bad:
        code, position = f"U+{ord(bad.group()):04X}", bad.start() + 1
        raise CurationError(f"The {what} contains a control character ({code}) at position "
                            f"{position}; remove it and send again.")
    if len(text) > MAX_TEXT_CHARS:
        raise CurationError(f"The {what} is longer than {MAX_TEXT_CHARS} characters.")
    return text


def settings_for(tenant: Tenant) -> CurationSettings:
    found, _ = CurationSettings.objects.get_or_create(tenant=tenant)
    return found


@transaction.atomic
def update_settings(
    user: User, *, required_approvals: int, guideline_version: str
) -> CurationSettings:
    if required_approvals not in (1, 2):
        raise CurationError("Examples need one or two approvals.")
    guideline_version = guideline_version.strip()
    if not guideline_version or len(guideline_version) > 40:
        raise CurationError("Give a guideline version of at most 40 characters.")
    rules = settings_for(current_tenant())
    rules.required_approvals, rules.guideline_version = required_approvals, guideline_version
    rules.save()
    audit.append(current_tenant(), "curation.settings_changed", actor=audit.actor_for_user(user),
                 payload={"required_approvals": required_approvals,
                          "guideline_version": guideline_version})
    return rules


# --- conversations ---


@transaction.atomic
def start_conversation(user: User, title: str = "") -> Conversation:
    title = _UNSTORABLE.sub("", title)
    clean_title = redact(title).text[:200] if title.strip() else ""
    return Conversation.objects.create(created_by=user, title=clean_title)


@transaction.atomic
def record_message(
    conversation: Conversation,
    role: str,
    raw_text: str,
    *,
    author: User | None,
    model_version: str = "",
    status: str = Message.Status.ANSWERED,
    citations: list[dict[str, Any]] | None = None,
) -> Message:
    """Store one chat message, redacted (clinician and model text alike)."""
    result = redact(check_text(raw_text, "message"))
    return Message.objects.create(
        conversation=conversation, role=role, text=result.text, author=author,
        model_version=model_version, redaction_counts=result.counts, status=status,
        citations=citations or [],
    )


# --- candidates ---


def _report(*results: redaction.RedactionResult) -> dict[str, int]:
    total: Counter[str] = Counter()
    for result in results:
        total.update(result.counts)
    return dict(sorted(total.items()))


@transaction.atomic
def propose_from_exchange(
    assistant_message: Message, user: User, edited_answer: str = ""
) -> Example:
    """A clinician proposes a chat exchange (the question before an answer) for training."""
    if assistant_message.role != Message.Role.ASSISTANT:
        raise CurationError("Only an answer of the model can be proposed.")
    if assistant_message.status != Message.Status.ANSWERED and not edited_answer.strip():
        raise CurationError("This answer was cut off before it finished; propose it with an "
                            "edited answer.")
    question = (
        Message.objects.filter(
            conversation=assistant_message.conversation,
            role=Message.Role.USER,
            created_at__lte=assistant_message.created_at,
        )
        .exclude(pk=assistant_message.pk)
        .order_by("-created_at")
        .first()
    )
    if question is None:
        raise CurationError("This answer has no question before it.")
    answer_text, counts = assistant_message.text, dict(assistant_message.redaction_counts)
    if edited_answer.strip():
        edited = redact(check_text(edited_answer, "edited answer"))
        answer_text, counts = edited.text, _report(edited)
    example = Example.objects.create(
        question=question.text,
        answer=answer_text,
        source=Example.Source.CHAT,
        source_messages=[str(question.pk), str(assistant_message.pk)],
        author=user,
        redaction_report=dict(Counter(question.redaction_counts) + Counter(counts)),
        redaction_version=redaction.REDACTION_VERSION,
    )
    audit.append(current_tenant(), "curation.example_proposed", actor=audit.actor_for_user(user),
                 target=f"example:{example.pk}", payload={"source": "chat",
                                                          "edited": bool(edited_answer.strip())})
    return example


@dataclass
class ImportReport:
    created: int = 0
    errors: list[str] = field(default_factory=list)  # "line N: why", never the line's text


def _parse_import(data: bytes) -> tuple[list[tuple[str, str]], list[str]]:
    rows: list[tuple[str, str]] = []
    errors: list[str] = []
    # Lines are split on "\n" only: U+2028 and friends are legal inside a JSON string, and
    # str.splitlines() would cut a line there. A UTF-8 byte-order mark is accepted.
    raw_lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    if raw_lines and not raw_lines[-1].strip():
        raw_lines.pop()
    if len(raw_lines) > MAX_IMPORT_LINES:
        return [], [f"the file has {len(raw_lines)} lines; the limit is {MAX_IMPORT_LINES}"]
    for number, raw in enumerate(raw_lines, start=1):
        try:
            line = raw.decode("utf-8").removesuffix("\r")
        except UnicodeDecodeError:
            errors.append(f"line {number}: not UTF-8 text")
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError, ValueError):
            # RecursionError: nesting too deep; ValueError: an integer too long to convert
            errors.append(f"line {number}: not valid JSON")
            continue
        if not isinstance(record, dict):
            errors.append(f"line {number}: expected an object with question and answer")
            continue
        question, answer = record.get("question"), record.get("answer")
        if not isinstance(question, str) or not isinstance(answer, str):
            errors.append(f"line {number}: question and answer must both be strings")
            continue
        try:
            rows.append((check_text(question, "question"), check_text(answer, "answer")))
        except CurationError as exc:
            errors.append(f"line {number}: {exc}")
    if not rows and not errors:
        errors.append("the file holds no examples")
    return rows, errors


def import_examples(data: bytes, filename: str, user: User) -> ImportReport:
    """Import a JSONL file of {"question", "answer"} lines: all of it, or nothing."""
    rows, errors = _parse_import(data)
    if errors:
        return ImportReport(0, errors)
    filename = _UNSTORABLE.sub("", filename or "")
    safe_name = redact(filename[:200]).text if filename.strip() else "upload.jsonl"
    with transaction.atomic():
        batch = ImportBatch.objects.create(filename=safe_name, line_count=len(rows),
                                           created_by=user)
        for question, answer in rows:
            q, a = redact(question), redact(answer)
            Example.objects.create(
                question=q.text, answer=a.text, source=Example.Source.IMPORT,
                import_batch=batch, author=user, redaction_report=_report(q, a),
                redaction_version=redaction.REDACTION_VERSION,
            )
        audit.append(current_tenant(), "curation.examples_imported",
                     actor=audit.actor_for_user(user), target=f"import:{batch.pk}",
                     payload={"examples": len(rows)})
    return ImportReport(len(rows), [])


# --- reviews ---


def live_reviews() -> Any:
    """Decisions that count: not undone, and not the undo rows themselves."""
    return Review.objects.filter(voided_by__isnull=True).exclude(decision=Review.Decision.UNDO)


def _answer_hashes(example: Example) -> set[str]:
    """The sha256 of the current answer and of the texts it came from by PHI redactions only:
    replacing a name with a placeholder does not void an approval, an edit does."""
    current = sha256_hex(example.answer.encode())
    hashes, frontier = {current}, current
    revisions = {r.new_sha256: r.previous_sha256
                 for r in example.revisions.filter(field="answer").order_by("version")}
    while frontier in revisions and revisions[frontier] not in hashes:
        frontier = revisions[frontier]
        hashes.add(frontier)
    return hashes


def authors_of(example: Example) -> set[Any]:
    """Who wrote the current text: the proposer, and every reviewer who edited the answer."""
    editors = live_reviews().filter(example=example, decision=Review.Decision.APPROVE_EDIT)
    return {example.author_id, *editors.values_list("reviewer_id", flat=True)}


def approvers_of_current_text(example: Example) -> set[Any]:
    """Reviewers whose live plain approval saw exactly the current answer and who did not
    write it. An approval with an edit approves nothing: its author wrote the new text."""
    approvals = live_reviews().filter(example=example, decision=Review.Decision.APPROVE,
                                      answer_sha256__in=_answer_hashes(example))
    return set(approvals.values_list("reviewer_id", flat=True)) - authors_of(example)


def may_decide(example: Example, reviewer: User) -> bool:
    """A pending example the reviewer neither wrote nor edited nor decided on as it reads now."""
    if example.status != Example.Status.PENDING or reviewer.pk in authors_of(example):
        return False
    seen = live_reviews().filter(example=example, reviewer=reviewer,
                                 answer_sha256__in=_answer_hashes(example))
    return not seen.exists()


def _recompute_status(example: Example, required: int, actor: str) -> None:
    live = list(live_reviews().filter(example=example))
    if any(r.decision == Review.Decision.REJECT for r in live):
        status = Example.Status.REJECTED
    elif len(approvers_of_current_text(example)) >= required:
        status = Example.Status.APPROVED
    else:
        status = Example.Status.PENDING
    example.status = status
    example.decided_at = timezone.now() if status != Example.Status.PENDING else None
    example.save(update_fields=["status", "decided_at"])
    if status == Example.Status.APPROVED:
        eval_split.assign(example, actor)


@transaction.atomic
def decide(
    example: Example, reviewer: User, decision: str, *, reason: str = "",
    edited_answer: str = "",
) -> Review:
    """Record a reviewer's decision. Whoever wrote the current text (the proposer, or a
    reviewer who edited it) never decides on it; an edit voids the approvals of the old text."""
    example = Example.objects.select_for_update().get(pk=example.pk)
    if example.author_id == reviewer.pk:
        raise FourEyesViolation("You wrote this example: another reviewer must decide on it.")
    if reviewer.pk in authors_of(example):
        raise FourEyesViolation("You edited this answer: another reviewer must approve the "
                                "new text.")
    if example.status != Example.Status.PENDING:
        raise CurationError("This example has already been decided.")
    if not may_decide(example, reviewer):
        raise CurationError("You have already decided on this example.")
    rules = settings_for(current_tenant())
    seen_sha256 = sha256_hex(example.answer.encode())
    review_fields: dict[str, Any] = {"answer_sha256": seen_sha256}
    if decision == Review.Decision.APPROVE_EDIT:
        edited = redact(check_text(edited_answer, "edited answer"))
        review_fields |= {"edited_text_sha256": sha256_hex(edited.text.encode()),
                          "previous_answer_sha256": seen_sha256}
        example.answer = edited.text
        example.redaction_report = dict(Counter(example.redaction_report) + Counter(edited.counts))
        example.save(update_fields=["answer", "redaction_report"])
    elif decision == Review.Decision.REJECT:
        if not reason.strip():
            raise CurationError("Say why the example is rejected.")
        reason = redact(_UNSTORABLE.sub("", reason[:500])).text
    elif decision != Review.Decision.APPROVE:
        raise CurationError("Unknown decision.")
    review = Review.objects.create(
        example=example, reviewer=reviewer, decision=decision, reason=reason,
        guideline_version=rules.guideline_version, **review_fields,
    )
    _recompute_status(example, rules.required_approvals, audit.actor_for_user(reviewer))
    audit.append(current_tenant(), f"curation.review_{decision}",
                 actor=audit.actor_for_user(reviewer), target=f"example:{example.pk}",
                 payload={"review": str(review.pk), "status": example.status,
                          "answer_sha256": seen_sha256})
    return review


@transaction.atomic
def undo_last_decision(reviewer: User) -> Review | None:
    """Void the reviewer's latest live decision on an example not yet frozen in a snapshot."""
    last = (live_reviews().select_for_update(of=("self",)).filter(reviewer=reviewer)
            .order_by("-created_at").first())
    if last is None:
        return None
    if TrainingSetExample.objects.filter(example_id=last.example_id).exists():
        raise CurationError("That decision is already part of a training set.")
    example = last.example
    if last.decision == Review.Decision.APPROVE_EDIT:
        raise CurationError("An approval with an edit cannot be undone; reject it instead.")
    undo = Review.objects.create(example=example, reviewer=reviewer,
                                 decision=Review.Decision.UNDO, voids=last,
                                 guideline_version=last.guideline_version)
    _recompute_status(example, settings_for(current_tenant()).required_approvals,
                      audit.actor_for_user(reviewer))
    audit.append(current_tenant(), "curation.review_undone", actor=audit.actor_for_user(reviewer),
                 target=f"example:{example.pk}", payload={"voided": str(last.pk)})
    return undo


# --- training-set snapshots ----------------------------------------------------------------------


def _chat_line(example: Example) -> str:
    record = {"messages": [{"role": "user", "content": example.question},
                           {"role": "assistant", "content": example.answer}]}
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def _eval_line(example: Example) -> str:
    """A held-out example with its id and the reviewers' checks, as they stand at the freeze."""
    checks: dict[str, list[str]] = {kind: [] for kind in EvalCheck.Kind.values}
    for check in example.eval_checks.order_by("kind", "phrase"):
        checks[check.kind].append(check.phrase)
    record = {"id": str(example.pk), "checks": checks,
              "messages": [{"role": "user", "content": example.question},
                           {"role": "assistant", "content": example.answer}]}
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def _jsonl(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode() if lines else b""


@transaction.atomic
def freeze_training_set(user: User) -> TrainingSet:
    """Freeze the currently approved examples into a new, immutable, hashed snapshot: the
    training examples in one file, the held-out ones in another (never both).

    Refused with phi_gate.ResidualPhiBlocked while residual PHI candidates are left."""
    tenant = current_tenant()
    # Lock the approved rows so that no decision changes them while they are frozen.
    approved = Example.objects.select_for_update().filter(status=Example.Status.APPROVED)
    examples = list(approved.order_by("created_at", "id"))
    if not examples:
        raise CurationError("There are no approved examples to freeze.")
    for example in sorted((e for e in examples if not e.split),
                          key=lambda e: (e.decided_at or e.created_at, str(e.pk))):
        eval_split.assign(example, audit.actor_for_user(user))  # approved on an older path
    train = [e for e in examples if e.split == Split.TRAIN]
    held_out = [e for e in examples if e.split == Split.EVAL]
    if not train:
        raise CurationError(f"All {len(held_out)} approved examples are held out for "
                            "evaluation; approve more examples before freezing.")
    # Defence in depth: the strictest scan again; any candidate nobody cleared stops the
    # freeze before a byte or a row is written (held-out examples are stored too).
    phi_gate.check_freezable(examples)
    reviews = live_reviews().filter(example__in=examples)
    data = _jsonl([_chat_line(e) for e in train])
    digest = sha256_hex(data)
    eval_data = _jsonl([_eval_line(e) for e in held_out])
    eval_digest = sha256_hex(eval_data) if held_out else ""
    version = (TrainingSet.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    key = tenant_key(tenant, "datasets", f"v{version}-{digest[:16]}.jsonl")
    eval_key = (tenant_key(tenant, "datasets", f"v{version}-{eval_digest[:16]}-eval.jsonl")
                if held_out else "")
    manifest = {
        "format": "chat-jsonl/1",
        "tenant": str(tenant.pk),
        "version": version,
        "sha256": digest,
        "example_ids": [str(e.pk) for e in train],
        "eval_example_ids": [str(e.pk) for e in held_out],
        "eval_sha256": eval_digest,
        "eval_rule": eval_split.rule(),
        "review_ids": sorted(str(r.pk) for r in reviews),
        "redaction_versions": sorted({e.redaction_version for e in examples}),
        "guideline_versions": sorted({r.guideline_version for r in reviews}),
        "created_at": timezone.now().isoformat(),
    }
    written = []
    try:
        write_new(key, data)
        written.append(key)
        if held_out:
            write_new(eval_key, eval_data)
            written.append(eval_key)
        training_set = TrainingSet.objects.create(
            version=version, storage_key=key, sha256=digest, size_bytes=len(data),
            example_count=len(train), eval_storage_key=eval_key, eval_sha256=eval_digest,
            eval_count=len(held_out), manifest=manifest, created_by=user,
        )
        TrainingSetExample.objects.bulk_create(
            TrainingSetExample(tenant=tenant, training_set=training_set, example=example,
                               split=example.split)
            for example in train + held_out)
        audit.append(tenant, "curation.training_set_frozen", actor=audit.actor_for_user(user),
                     target=f"training_set:{training_set.pk}",
                     payload={"version": version, "sha256": digest, "examples": len(train),
                              "eval_examples": len(held_out), "eval_sha256": eval_digest})
    except Exception:
        for written_key in written:  # no row, no file: a failed freeze leaves nothing behind
            default_storage.delete(written_key)
        raise
    return training_set


def read_training_set(training_set: TrainingSet) -> list[dict[str, Any]]:
    """The snapshot's records, after checking its bytes against the recorded sha256."""
    data = read_verified(current_tenant(), training_set.storage_key, training_set.sha256)
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()]



def read_eval_set(training_set: TrainingSet) -> list[dict[str, Any]]:
    """The snapshot's held-out records (id, checks, messages), hash-checked; [] when none."""
    if not training_set.eval_storage_key:
        return []
    data = read_verified(current_tenant(), training_set.eval_storage_key,
                         training_set.eval_sha256)
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()]


# --- checks on held-out examples -----------------------------------------------------------------

MAX_CHECK_CHARS = 200


@transaction.atomic
def add_eval_check(example: Example, user: User, kind: str, phrase: str) -> EvalCheck:
    """Pin a "must say" or "must not say" phrase to a held-out example (redacted first)."""
    if kind not in EvalCheck.Kind.values:
        raise CurationError("A check is either \"must say\" or \"must not say\".")
    example = Example.objects.select_for_update().get(pk=example.pk)
    if example.split != Split.EVAL:
        raise CurationError("Checks belong to held-out evaluation examples only.")
    text = " ".join(check_text(phrase, "phrase").split())
    if len(text) > MAX_CHECK_CHARS:
        raise CurationError(f"A phrase is at most {MAX_CHECK_CHARS} characters.")
    text = redact(text).text[:MAX_CHECK_CHARS]
    if EvalCheck.objects.filter(example=example, kind=kind, phrase=text).exists():
        raise CurationError("This example already has that check.")
    check = EvalCheck.objects.create(example=example, kind=kind, phrase=text, created_by=user)
    audit.append(current_tenant(), "curation.eval_check_added", actor=audit.actor_for_user(user),
                 target=f"example:{example.pk}",
                 payload={"check": str(check.pk), "kind": kind,
                          "phrase_sha256": sha256_hex(text.encode())})
    return check


@transaction.atomic
def remove_eval_check(check: EvalCheck, user: User) -> None:
    check = EvalCheck.objects.select_for_update().get(pk=check.pk)
    audit.append(current_tenant(), "curation.eval_check_removed",
                 actor=audit.actor_for_user(user), target=f"example:{check.example_id}",
                 payload={"check": str(check.pk), "kind": check.kind,
                          "phrase_sha256": sha256_hex(check.phrase.encode())})
    check.delete()
