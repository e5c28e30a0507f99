"""Bad input on the web pages, with DEBUG off as `make run` and production serve them.

Each answer is a short friendly page that gives nothing away: no URL map, no view names, no
traceback, and the same bytes for another tenant's id as for a malformed one.
"""

import re
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.test import Client, override_settings
from django.urls import reverse

from tenants.scoping import tenant_scope
from training.models import TrainingRun

from .factories import training_run
from .mfa import force_login_verified
from .urls_with_failing_route import SECRET

pytestmark = pytest.mark.django_db

INTERNALS = ("URLconf", "Traceback", "urlpatterns", "sanoweb.urls", "run_detail",
             "Request Method", "No such object", "CSRF cookie", "RequestDataTooBig")


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    force_login_verified(client, user)
    return client


def same_page(body: bytes) -> bytes:
    """The page without its CSRF token, which Django masks afresh on every response."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def assert_reveals_nothing(body: bytes) -> None:
    text = body.decode()
    for word in INTERNALS:
        assert word not in text, word


@override_settings(DEBUG=False)
def test_a_malformed_id_and_another_tenants_id_get_the_same_404(alpha, beta):
    theirs = training_run(beta)
    client = logged_in(alpha.admin)
    pages = [client.get(f"/training/runs/{ref}/")
             for ref in ("not-a-uuid", theirs.pk, uuid.uuid4(), "1' OR '1'='1")]
    assert [p.status_code for p in pages] == [404] * 4
    bodies = {same_page(p.content) for p in pages}
    assert len(bodies) == 1, "the 404s differ"
    assert b"Not found" in pages[0].content
    assert_reveals_nothing(pages[0].content)


@override_settings(DEBUG=True)
def test_positive_control_with_debug_on_the_404_shows_the_url_map(alpha):
    page = logged_in(alpha.admin).get("/training/runs/not-a-uuid/")
    assert page.status_code == 404 and b"URLconf" in page.content


@override_settings(DEBUG=False)
def test_a_post_without_a_csrf_token_gets_the_friendly_403_and_saves_nothing(alpha):
    training_run(alpha)
    client = logged_in(alpha.admin, enforce_csrf_checks=True)
    with tenant_scope(alpha.tenant):
        before = TrainingRun.objects.count()
        snapshot = TrainingRun.objects.get().training_set
    page = client.post(reverse("training:runs"), {"training_set": str(snapshot.pk)})
    assert page.status_code == 403
    assert b"This form has expired" in page.content and b"Nothing was saved" in page.content
    assert_reveals_nothing(page.content)
    with tenant_scope(alpha.tenant):
        assert TrainingRun.objects.count() == before


@override_settings(DEBUG=False)
def test_an_oversized_form_post_gets_the_friendly_400(alpha):
    body = b"training_set=" + b"a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    page = logged_in(alpha.admin).post(reverse("training:runs"), body,
                                       content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400
    assert b"Bad request" in page.content and b"too large or malformed" in page.content
    assert_reveals_nothing(page.content)


@override_settings(DEBUG=False, ROOT_URLCONF="tests.urls_with_failing_route")
def test_a_server_error_gets_the_friendly_500_without_the_exception(alpha):
    page = logged_in(alpha.admin, raise_request_exception=False).get("/fails/")
    assert page.status_code == 500
    assert b"Something went wrong" in page.content
    assert SECRET.encode() not in page.content and b"RuntimeError" not in page.content
    assert_reveals_nothing(page.content)


def test_static_files_are_served_with_debug_off(tmp_path):
    """What scripts/run.sh does: collectstatic into STATIC_ROOT, then WhiteNoise serves it."""
    with override_settings(STATIC_ROOT=tmp_path / "static", DEBUG=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        page = Client().get("/static/admin/css/base.css")
        missing = Client().get("/static/admin/css/no-such-file.css")
    assert page.status_code == 200, page.status_code
    assert page["Content-Type"].startswith("text/css")
    assert type(page).__name__ == "WhiteNoiseFileResponse"
    assert isinstance(page, StreamingHttpResponse)
    assert b"".join(page.streaming_content).strip()
    assert missing.status_code == 404


def test_a_nul_character_in_a_form_field_or_query_is_a_400_not_a_500(alpha):
    client = Client(raise_request_exception=False)
    force_login_verified(client, alpha.admin)
    with override_settings(DEBUG=False):
        choose = client.post(reverse("choose_tenant"), {"tenant": "alpha\x00"},
                             HTTP_ACCEPT="text/html")
        audit = client.get(reverse("audit_log"), {"action": "curation\x00"},
                           HTTP_ACCEPT="text/html,application/xhtml+xml")
    for response in (choose, audit):
        assert response.status_code == 400
        assert b"Bad request" in response.content and b"Traceback" not in response.content
