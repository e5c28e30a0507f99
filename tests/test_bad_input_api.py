"""The OpenAI-compatible API's authentication, as clients really send it."""

from django.test import Client
from django.urls import reverse

from inference.services import create_key


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
