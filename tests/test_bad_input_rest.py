"""The curation REST API as a hostile client uses it: bodies that are not JSON, nested
100,000 deep, too large, or holding text PostgreSQL cannot store. Each is a 4xx that says
why, and the example stays undecided."""

import pytest
from django.test import Client
from django.urls import reverse

from curation.models import Example, Review
from tenants.scoping import tenant_scope

from .factories import proposed_example
from .mfa import force_login_verified

DEEP = b'{"decision": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


@pytest.fixture
def decide(alpha):
    example = proposed_example(alpha)
    client = Client(raise_request_exception=False)
    force_login_verified(client, alpha.reviewer)
    url = reverse("curation-api:example-decide", args=[example.pk])

    def post(body: bytes):
        return client.post(url, data=body, content_type="application/json")

    post.example = example  # type: ignore[attr-defined]
    post.tenant = alpha.tenant  # type: ignore[attr-defined]
    return post


def assert_undecided(decide):
    with tenant_scope(decide.tenant):
        example = Example.objects.get(pk=decide.example.pk)
        assert example.status == Example.Status.PENDING
        assert not Review.objects.filter(example=example).exists()


@pytest.mark.parametrize(("body", "status", "says"), [
    (DEEP, 400, "nested too deeply"),
    (b'{"decision": "approve", "n": ' + b"7" * 5000 + b"}", 400, "too many digits"),
    (b'{"decision": "approve", "reason": "caf\xe9"}', 400, "UTF-8"),
    (b'{"decision": "reject", "reason": "\\udc00 lone"}', 400, "surrogate"),
    (b'{"decision": "approve", "x": NaN}', 400, "NaN"),
    (b'{"decision": ', 400, "JSON parse error"),
    (b'{"decision": "approve", "reason": "' + b"r" * 3_000_000 + b'"}', 413, "larger than"),
])
def test_a_hostile_body_is_refused_and_nothing_is_decided(decide, body, status, says):
    response = decide(body)
    assert response.status_code == status, response.content[:300]
    assert says.lower() in response.json()["detail"].lower()
    assert_undecided(decide)


def test_a_well_formed_decision_still_goes_through(decide):
    response = decide(b'\xef\xbb\xbf{"decision": "approve"}')
    assert response.status_code == 201, response.content


def test_a_nul_character_in_a_rejection_reason_is_a_400_not_a_500(decide):
    response = decide(b'{"decision": "reject", "reason": "outdated \\u0000 guidance"}')
    assert response.status_code == 400, response.content
    assert_undecided(decide)
