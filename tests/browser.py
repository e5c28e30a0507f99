"""Playwright driving Debian's chromium, offline (see ../shared/notes/browser-tests.md)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, sync_playwright

from . import tiers

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@contextmanager
def chromium() -> Iterator[Browser]:
    tiers.require("browser", "a browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def login(browser: Browser, base_url: str, email: str, password: str) -> Page:
    page = browser.new_context(base_url=base_url).new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/mfa/" in page.url:
        second_factor(page, email)
    return page


def second_factor(page: Page, email: str) -> None:
    """Type the authenticator code: from the key the enrolment page shows, as a new user's
    app would read it, or from the account's device when it has one."""
    from django.contrib.auth import get_user_model

    from .mfa import code_from_secret, fresh_code

    secret = page.locator("#mfa-secret")
    if secret.count():
        token = code_from_secret(secret.get_attribute("data-totp-secret") or "")
    else:
        token = fresh_code(get_user_model().objects.get(username=email))
    page.fill("input[name=token]", token)
    page.click("form:not([action]) button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/mfa/" not in url)
