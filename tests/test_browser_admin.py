"""In a real browser: an operator requests a purge, a second approves, a worker purges, and the
signed deletion certificate is downloaded."""

import json
import time
from pathlib import Path

import pytest

from tenants import signing
from tenants.models import Tenant

from .browser import chromium, second_factor
from .mock_engine import engine_server
from .workers import celery_worker, flush_broker

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.worker,
              pytest.mark.django_db(transaction=True)]


@pytest.fixture
def standin_engine(settings):
    """The purge certifies only what it could check: the worker asks this engine stand-in
    (the real engine's side of a purge is in test_purge and test_purge_e2e)."""
    with engine_server() as url:
        settings.VLLM_URL = url
        yield url


def admin_login(browser, base_url, email, password):
    page = browser.new_context(base_url=base_url, accept_downloads=True).new_page()
    page.set_default_timeout(20_000)
    page.goto("/admin/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/admin/login/" not in url)
    if "/accounts/mfa/" in page.url:  # operators enrol an authenticator at first sign-in
        second_factor(page, email)
    page.wait_for_url("**/admin/")
    return page


def test_request_approve_purge_and_download_the_certificate(live_server, alpha, beta,
                                                            django_user_model, standin_engine):
    for n in (1, 2):
        django_user_model.objects.create_superuser(f"op{n}@sanoweb.test", f"op{n}@sanoweb.test",
                                                   f"operator-pass-{n}")
    flush_broker()
    with chromium() as browser, celery_worker():
        first = admin_login(browser, live_server.url, "op1@sanoweb.test", "operator-pass-1")
        first.goto("/admin/tenants/tenant/")
        first.click(f"tr:has-text('{alpha.tenant.slug}') >> text=Request purge")
        first.fill("#reason", "Contract terminated")
        first.click("#request-purge")
        first.wait_for_selector("text=another operator must approve")
        # the requester cannot approve their own request
        first.check("input[name=_selected_action]")
        first.select_option("select[name=action]", "approve")
        first.click("button[name=index]")
        first.wait_for_selector("text=Another operator must approve")

        second = admin_login(browser, live_server.url, "op2@sanoweb.test", "operator-pass-2")
        second.goto("/admin/tenants/purgerequest/")
        second.check("input[name=_selected_action]")
        second.select_option("select[name=action]", "approve")
        second.click("button[name=index]")
        second.wait_for_selector("text=suspended; purge started")
        deadline = time.monotonic() + 120
        while not second.locator("a.certificate").count():
            assert time.monotonic() < deadline, "the purge did not finish"
            time.sleep(1)
            second.reload()
        with second.expect_download() as download:
            second.click("a.certificate")
        document = json.loads(Path(download.value.path()).read_text())
    assert document["body"]["tenant"]["slug"] == "alpha"
    assert document["body"]["requested_by"] == "op1@sanoweb.test"
    assert document["body"]["approved_by"] == "op2@sanoweb.test"
    canonical = json.dumps(document["body"], sort_keys=True, separators=(",", ":")).encode()
    assert signing.verify(canonical, document["signature"], document["public_key"])
    assert Tenant.objects.get(pk=alpha.tenant.pk).status == Tenant.Status.PURGED
    assert Tenant.objects.get(pk=beta.tenant.pk).status == Tenant.Status.ACTIVE
