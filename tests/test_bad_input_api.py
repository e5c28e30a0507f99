"""The OpenAI-compatible API as careless and hostile clients use it: authentication, bodies
that are not JSON objects, parameters out of range, requests larger than the context window."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from inference.services import create_key
from tenants.audit import verify_chain
from tenants.models import AuditEntry
from tenants.scoping import tenant_scope


def test_the_bearer_scheme_is_case_insensitive_and_other_schemes_are_refused(alpha):
    key = create_key(alpha.tenant, "k", alpha.admin)
    client = Client()
    for scheme in ("Bearer", "bearer", "BEARER"):
        response = client.get(reverse("openai_models"),
                              HTTP_AUTHORIZATION=f"{scheme} {key.secret}")
        assert response.status_code == 200, scheme
    for header in (f"Basic {key.secret}", key.secret, "Bearer", "Bearer wrong-key"):
        response = client.get(reverse("openai_models"), HTTP_AUTHORIZATION=header)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_api_key"


# --- hostile bodies: each is a 400 (413 when too large) in OpenAI's error shape, and audited ---

CHAT = "/v1/chat/completions"
GOOD = {"messages": [{"role": "user", "content": "Dose of metoprolol?"}]}
DEEP = b'{"messages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def _chat_refusals(tenant):
    with tenant_scope(tenant):
        entries = list(AuditEntry.objects.filter(action="inference.chat"))
    return [json.loads(e.payload_json)["outcome"] for e in entries]


@pytest.fixture
def keyed(alpha):
    secret = create_key(alpha.tenant, "k", alpha.admin).secret
    return alpha, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post_raw(headers, body: bytes, content_type="application/json"):
    return Client(raise_request_exception=False).post(CHAT, data=body,
                                                      content_type=content_type, **headers)


def assert_openai_error(response, status, *, code=None, says=""):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "code", "param"}
    assert error["type"] == "invalid_request_error"
    if code:
        assert error["code"] == code
    assert says.lower() in error["message"].lower()
    assert "Traceback" not in error["message"] and "vllm" not in error["message"].lower()
    return error


@pytest.mark.parametrize(("body", "says"), [
    (b'{"messages": [{"role": "user", "content": "caf\xe9"}]}', "not valid UTF-8"),
    (DEEP, "nested too deeply"),
    (b'{"max_tokens": ' + b"9" * 5000 + b', "messages": []}', "too many digits"),
    (b'{"messages": [{"role": "user", "content": "hi"}], "temperature": NaN}', "NaN"),
    (b'{"messages": [{"role": "user", "content": "hi"}], "temperature": Infinity}',
     "Infinity"),
    (b'{"messages": [{"role": "user", "content": "\\ud800"}]}', "unpaired surrogate"),
    # json reads 1e400 as infinity without complaint
    (b'{"messages": [{"role": "user", "content": "hi"}], "temperature": 1e400}',
     "temperature must be between 0 and 2"),
    (b'{"messages": [', "not valid JSON"),
    (b"", "empty"),
    (b"[1, 2]", "JSON object"),
    (b'"text"', "JSON object"),
])
def test_a_hostile_body_is_a_400_on_record_never_a_500(keyed, body, says):
    users, headers = keyed
    assert_openai_error(post_raw(headers, body), 400, says=says)
    assert [o.startswith("refused:") for o in _chat_refusals(users.tenant)] == [True]
    assert verify_chain(users.tenant).ok


def test_a_body_over_the_upload_limit_is_a_413_in_the_openai_shape(keyed, settings):
    users, headers = keyed
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"messages": [{"role": "user", "content": "x" * 20_000}]}).encode()
    error = assert_openai_error(post_raw(headers, body), 413, code="request_too_large")
    assert "10000 bytes" in error["message"]
    assert _chat_refusals(users.tenant) == ["refused:body_too_large"]


def with_(**fields):
    return json.dumps({**GOOD, **fields}).encode()


@pytest.mark.parametrize(("fields", "param"), [
    ({"temperature": -1}, "temperature"), ({"temperature": 100}, "temperature"),
    ({"temperature": "hot"}, "temperature"), ({"temperature": True}, "temperature"),
    ({"top_p": 5}, "top_p"), ({"top_p": 0}, "top_p"), ({"top_p": -0.5}, "top_p"),
    ({"presence_penalty": 3}, "presence_penalty"), ({"frequency_penalty": -9}, "frequency_penalty"),
    ({"stop": ["x"] * 100_000}, "stop"), ({"stop": [1, 2]}, "stop"), ({"stop": []}, "stop"),
    ({"stop": ""}, "stop"), ({"stop": {"a": 1}}, "stop"), ({"stop": ["y" * 500]}, "stop"),
    ({"seed": 2**70}, "seed"), ({"seed": 1.5}, "seed"),
    ({"max_tokens": 0}, "max_tokens"), ({"max_tokens": "5"}, "max_tokens"),
    ({"max_tokens": True}, "max_tokens"), ({"max_completion_tokens": -3}, "max_completion_tokens"),
    ({"n": 2}, "n"), ({"n": "1"}, "n"), ({"stream": "yes"}, "stream"),
    ({"stream_options": "all"}, "stream_options"), ({"user": 7}, "user"),
    ({"model": "base"}, "model"),
    ({"messages": [{"role": "user", "content": "x" * 20_000}]}, "messages"),
    ({"messages": [{"role": "user", "content": ["parts"]}]}, "messages"),
    ({"messages": [{"role": "tool", "content": "x"}]}, "messages"),
    ({"messages": []}, "messages"),
])
def test_a_parameter_out_of_range_is_named_before_the_engine_is_asked(keyed, fields, param):
    users, headers = keyed
    # No engine and no pin exist: a 503 here would mean the body reached the routing step.
    error = assert_openai_error(post_raw(headers, with_(**fields)), 400)
    assert error["param"] == param, error
    assert len(_chat_refusals(users.tenant)) == 1


def test_a_prompt_longer_than_the_context_window_says_so(keyed, settings, base_model):
    _users, headers = keyed
    words = " ".join(["tachycardia"] * 1500)  # 18,000 characters: over 1024 tokens
    error = assert_openai_error(
        post_raw(headers, with_(messages=[{"role": "user", "content": words}])), 400,
        code="context_length_exceeded", says="context window")
    assert str(settings.VLLM_MAX_MODEL_LEN) in error["message"]


def test_the_fields_the_platform_chooses_are_refused_with_their_names(keyed):
    _users, headers = keyed
    error = assert_openai_error(post_raw(headers, with_(cache_salt="x", lora_request={})), 400,
                                says="cache_salt, lora_request")
    assert error["code"] == "invalid_request_error"


def test_well_formed_requests_get_past_validation(keyed):
    """The neighbours of the refused cases are accepted: they reach routing (503: no model)."""
    _users, headers = keyed
    for fields in ({"temperature": 0}, {"temperature": 2}, {"top_p": 1}, {"stop": "\n"},
                   {"stop": ["a", "b", "c", "d"]}, {"seed": -(2**63)}, {"max_tokens": 10**30},
                   {"n": 1}, {"stream": False}, {"model": "sanoweb"}):
        response = post_raw(headers, with_(**fields))
        assert response.status_code == 503, (fields, response.content)
    assert response.json()["error"]["code"] == "tenant_model_unavailable"
    raw = b"\xef\xbb\xbf" + with_()  # a UTF-8 byte order mark is accepted
    assert post_raw(headers, raw).status_code == 503


def test_wrong_methods_and_unknown_paths_answer_in_the_openai_shape(keyed):
    _users, headers = keyed
    client = Client()
    for method, path in (("get", CHAT), ("put", CHAT), ("post", "/v1/models"),
                         ("delete", "/v1/models")):
        response = getattr(client, method)(path, **headers)
        assert response.status_code == 405, (method, path)
        assert response.json()["error"]["code"] == "method_not_allowed"
    for path in ("/v1/completions", "/v1/embeddings", "/v1/files/x/../../etc"):
        response = client.post(path, data=b"{}", content_type="application/json", **headers)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "unknown_url"


# --- keys end (issue 12, item 3): at their expiry, and with their creator's authority ---------


def test_an_expired_key_is_refused(alpha):
    from django.utils import timezone

    from inference.models import ApiKey

    key = create_key(alpha.tenant, "k", alpha.admin)
    assert key.key.expires_at is not None and key.key.expires_at > timezone.now()
    ApiKey.objects.filter(pk=key.key.pk).update(expires_at=timezone.now())
    response = Client().get(reverse("openai_models"), HTTP_AUTHORIZATION=f"Bearer {key.secret}")
    assert response.status_code == 401


@pytest.mark.parametrize("change", ["demoted", "removed"])
def test_a_key_stops_working_when_its_creator_leaves_or_loses_the_admin_role(alpha, change):
    from inference.models import ApiKey
    from tenants.models import Membership, Role

    key = create_key(alpha.tenant, "k", alpha.admin)
    other = create_key(alpha.tenant, "kept", alpha.admin)
    membership = Membership.objects.get(user=alpha.admin, tenant=alpha.tenant)
    if change == "demoted":
        membership.role = Role.REVIEWER
        membership.save()
    else:
        membership.delete()
    for made in (key, other):
        response = Client().get(reverse("openai_models"),
                                HTTP_AUTHORIZATION=f"Bearer {made.secret}")
        assert response.status_code == 401
    reason = "role_changed" if change == "demoted" else "member_left"
    assert set(ApiKey.objects.values_list("revoked_reason", flat=True)) == {reason}
    with tenant_scope(alpha.tenant):
        revoked = AuditEntry.objects.filter(action="inference.api_key_revoked")
        assert revoked.count() == 2 and verify_chain(alpha.tenant).ok
