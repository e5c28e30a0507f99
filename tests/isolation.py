"""The cross-tenant isolation matrix: every URL pattern of the project, classified.

Each later issue adds its routes here. A route that takes an object id gets a factory that
creates tenant A's object and returns the URL kwargs plus strings that must never appear in a
response to tenant B; a route without an id is a tenant page that B's users visit while A's
markers must stay out of the body. Anything else must be exempt, with a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import URLPattern, URLResolver, get_resolver

if TYPE_CHECKING:
    from .conftest import TenantUsers


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name
    pattern: str
    params: tuple[str, ...]


@dataclass
class ObjectCase:
    """URL kwargs for tenant A's object, and strings of A that B must never see."""

    kwargs: dict[str, Any]
    markers: list[str] = field(default_factory=list)


ObjectFactory = Callable[["TenantUsers"], ObjectCase]

SECRET_QUESTION = "What dose of zorbitanib for the alpha protocol?"
SECRET_ANSWER = "Zorbitanib 42 mg under alpha protocol AX-77."


def _conversation(users: TenantUsers) -> ObjectCase:
    from .factories import exchange

    message = exchange(users, SECRET_QUESTION, SECRET_ANSWER)
    return ObjectCase({"pk": message.conversation_id}, ["zorbitanib", "AX-77"])


def _message(users: TenantUsers) -> ObjectCase:
    from .factories import exchange

    return ObjectCase({"pk": exchange(users, SECRET_QUESTION, SECRET_ANSWER).pk},
                      ["zorbitanib", "AX-77"])


def _example(users: TenantUsers) -> ObjectCase:
    from .factories import proposed_example

    example = proposed_example(users, question=SECRET_QUESTION, answer=SECRET_ANSWER)
    return ObjectCase({"pk": example.pk}, ["zorbitanib", "AX-77", str(example.pk)])


def _eval_check(users: TenantUsers) -> ObjectCase:
    from curation.models import EvalCheck, Example, Split
    from tenants.scoping import tenant_scope

    from .factories import approved_example

    example = approved_example(users, question=SECRET_QUESTION, answer=SECRET_ANSWER)
    with tenant_scope(users.tenant):
        Example.objects.filter(pk=example.pk).update(split=Split.EVAL)
        check = EvalCheck.objects.create(example=example, kind=EvalCheck.Kind.MUST_SAY,
                                         phrase="AX-77", created_by=users.reviewer)
    return ObjectCase({"pk": example.pk, "check_pk": check.pk}, ["zorbitanib", "AX-77"])


def _training_set(users: TenantUsers) -> ObjectCase:
    from .factories import approved_example, training_set

    approved_example(users, question=SECRET_QUESTION, answer=SECRET_ANSWER)
    snapshot = training_set(users)
    return ObjectCase({"pk": snapshot.pk}, ["zorbitanib", "AX-77", snapshot.sha256])


def _run(users: TenantUsers) -> ObjectCase:
    from .factories import training_run

    run = training_run(users)
    return ObjectCase({"pk": run.pk}, [str(run.pk)])


def _adapter(users: TenantUsers) -> ObjectCase:
    from .factories import adapter_version

    adapter = adapter_version(users)
    return ObjectCase({"pk": adapter.pk}, [adapter.sha256[:16], str(adapter.pk)])


def _api_key(users: TenantUsers) -> ObjectCase:
    from inference.services import create_key

    new = create_key(users.tenant, "alpha integration key", users.admin)
    return ObjectCase({"pk": new.key.pk}, [new.key.prefix, "alpha integration key"])


def _membership(users: TenantUsers) -> ObjectCase:
    from tenants.models import Role
    from tenants.services import add_member, get_or_create_user

    user = get_or_create_user(f"member-marker@{users.tenant.slug}.test").user
    membership = add_member(users.tenant, user, Role.CLINICIAN, actor="system:test")
    return ObjectCase({"pk": membership.pk}, [user.email])


def _chunk(users: TenantUsers) -> ObjectCase:
    from .factories import indexed_document

    chunk = indexed_document(users, "Zorbitanib protocol AX-77", SECRET_ANSWER)
    return ObjectCase({"pk": chunk.pk}, ["zorbitanib", "AX-77"])


def _document(users: TenantUsers) -> ObjectCase:
    chunk = _chunk(users).kwargs["pk"]
    from knowledge.models import Chunk
    from tenants.scoping import tenant_scope

    with tenant_scope(users.tenant):
        version = Chunk.objects.select_related("version").get(pk=chunk).version
    return ObjectCase({"pk": version.document_id}, ["zorbitanib", "AX-77",
                                                   str(version.document_id)])


def _version(users: TenantUsers) -> ObjectCase:
    chunk = _chunk(users).kwargs["pk"]
    from knowledge.models import Chunk
    from tenants.scoping import tenant_scope

    with tenant_scope(users.tenant):
        version = Chunk.objects.select_related("version").get(pk=chunk).version
    return ObjectCase({"pk": version.pk}, ["zorbitanib", "AX-77", version.sha256])


# route name -> factory creating tenant A's object
OBJECT_ROUTES: dict[str, ObjectFactory] = {
    "curation:conversation_detail": _conversation,
    "curation:propose": _message,
    "curation:review_example": _example,
    "curation:decide": _example,
    "curation:clear_phi": _example,
    "curation:redact_span": _example,
    "curation:report_example_phi": _example,
    "curation:add_eval_check": _example,
    "curation:remove_eval_check": _eval_check,
    "curation:report_message_phi": _message,
    "curation:training_set_detail": _training_set,
    "curation-api:example-detail": _example,
    "curation-api:example-decide": _example,
    "curation-api:example-checks": _example,
    "curation-api:training-set-detail": _training_set,
    "training:run_detail": _run,
    "training:run_status": _run,
    "training:cancel": _run,
    "training:activate": _adapter,
    "training:adapter_detail": _adapter,
    "training:evaluate_again": _adapter,
    "training-api:run-detail": _run,
    "training-api:run-cancel": _run,
    "training-api:adapter-detail": _adapter,
    "training-api:adapter-activate": _adapter,
    "training-api:adapter-evaluate": _adapter,
    "inference-api:key-detail": _api_key,
    "inference-api:key-revoke": _api_key,
    "training:retrain": _training_set,
    "inference:chat": _conversation,
    "inference:send": _conversation,
    "inference:revoke_key": _api_key,
    "knowledge:document_detail": _document,
    "knowledge:delete_document": _document,
    "knowledge:version_status": _version,
    "knowledge:clear_findings": _version,
    "knowledge:passage": _chunk,
    "knowledge-api:document-detail": _document,
    "knowledge-api:version-detail": _version,
    "knowledge-api:version-clear": _version,
    "usage-api:version-detail": _adapter,
    "member_role": _membership,
    "member_remove": _membership,
}

# routes without an object id that tenant users visit; A's markers must not leak into them
TENANT_PAGES: set[str] = {
    "home", "choose_tenant", "audit_log", "members", "member_mfa_policy",
    "curation:conversation_list", "curation:review_queue", "curation:review_next",
    "curation:undo", "curation:import", "curation:training_sets", "curation:settings",
    "curation-api:example-list", "curation-api:training-set-list",
    "curation-api:example-import-examples",
    "training-api:run-list", "training-api:adapter-list", "training-api:policy-list",
    "inference-api:key-list",
    "training:runs", "training:adapters", "training:retrain_policy",
    "inference:new_conversation", "inference:api_keys",
    "knowledge:documents", "knowledge-api:document-list", "knowledge-api:version-list",
    "usage:usage", "usage:usage_csv", "usage-api:summary-list",
    # API-key endpoints: session users of B get 401; the key tests are in test_inference*.
    "openai_chat_completions", "openai_models", "openai_fine_tuning_jobs",
    "openai_training_sets",
}

# everything else, with the reason it is outside the matrix
EXEMPT_PREFIXES: dict[str, str] = {
    "admin:": "platform operators only (superusers, members of no tenant); "
    "tests/test_auth.py checks tenant users are turned away",
}
EXEMPT: dict[str, str] = {
    "login": "anonymous page, no tenant data",
    "logout": "ends the session, no tenant data",
    "mfa_verify": "the user's own second-factor check, no tenant data",
    "mfa_enrol": "the user's own authenticator enrolment, no tenant data",
    "api_schema": "the static OpenAPI description, no tenant data",
    "openai_not_found": "unknown /v1 paths: a fixed OpenAI-shaped 404 that reads nothing",
    **{name: "API-key endpoints by job id (a session gets 401): tenant B's key gets 404 for "
       "A's job id in tests/test_fine_tuning_api.py"
       for name in ("openai_fine_tuning_job", "openai_fine_tuning_cancel",
                    "openai_fine_tuning_events", "openai_fine_tuning_checkpoints")},
}


def iter_routes(resolver: URLResolver | None = None, prefix: str = "",
                namespace: str = "") -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from iter_routes(
                entry, prefix + str(entry.pattern), f"{namespace}{ns}:" if ns else namespace
            )
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            converters = dict(getattr(entry.pattern, "converters", {}))
            for p in (resolver.pattern, entry.pattern):
                converters.update(getattr(p, "converters", {}))
            params = tuple(entry.pattern.regex.groupindex) + tuple(
                resolver.pattern.regex.groupindex
            )
            name = f"{namespace}{entry.name or f'<unnamed {pattern}>'}"
            yield Route(name, pattern, tuple(dict.fromkeys(params)))


def classify(route: Route) -> str:
    if route.name in OBJECT_ROUTES:
        return "object"
    if route.name in TENANT_PAGES:
        return "page"
    if route.name in EXEMPT or any(route.name.startswith(p) for p in EXEMPT_PREFIXES):
        return "exempt"
    return "unclassified"


def unclassified_routes() -> list[Route]:
    return [r for r in iter_routes() if classify(r) == "unclassified"]
