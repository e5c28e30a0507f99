"""Login protection (issue 12, item 3), written as the attacks that must fail: guessing a
password at any speed, and a background poll keeping an unattended session alive."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from tenants.idle import LAST_ACTIVITY

from .conftest import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_counts(settings):
    from tenants import shared_state

    shared_state.backend().delete_matching("sanoweb:login-failures:")


def login(client, email, password, address="10.0.0.5"):
    return client.post(reverse("login"), {"username": email, "password": password},
                       REMOTE_ADDR=address)


def test_guessing_stops_after_five_failures_even_with_the_right_password(alpha, settings):
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert login(client, alpha.clinician.email, "wrong-guess").status_code == 200
    locked = login(client, alpha.clinician.email, PASSWORD)
    assert locked.status_code == 200 and b"Too many failed sign-ins" in locked.content
    assert "_auth_user_id" not in client.session
    # another workstation is not locked out by the attacker's failures
    assert login(Client(), alpha.clinician.email, PASSWORD, "10.0.0.9").status_code == 302


def test_the_lockout_ends_with_its_window(alpha, settings, monkeypatch):
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        login(client, alpha.clinician.email, "wrong-guess")
    later = time.time() + settings.LOGIN_LOCKOUT_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert login(client, alpha.clinician.email, PASSWORD).status_code == 302


def test_background_polling_does_not_keep_an_idle_session_alive(alpha, settings):
    client = alpha.client_for(alpha.admin)
    assert client.get(reverse("training:runs")).status_code == 200  # activity now
    session = client.session
    session[LAST_ACTIVITY] = time.time() - settings.SESSION_IDLE_SECONDS + 60
    session.save()
    for _ in range(3):  # polls inside the minute that is left
        assert client.get(reverse("training:runs"), HTTP_X_SANOWEB_POLL="1").status_code == 200
    session = client.session
    session[LAST_ACTIVITY] -= 120  # the minute passes without the user doing anything
    session.save()
    polled = client.get(reverse("training:runs"), HTTP_X_SANOWEB_POLL="1")
    assert polled.status_code == 401
    assert client.get(reverse("training:runs")).status_code == 302  # signed out
