"""Every route is in the cross-tenant matrix, and tenant B never reaches tenant A's data."""

import uuid

import pytest
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse

from . import isolation
from .mfa import force_login_verified


def test_every_url_pattern_is_covered_by_the_isolation_matrix():
    missing = isolation.unclassified_routes()
    assert missing == [], (
        "Routes not in tests/isolation.py (add a factory to OBJECT_ROUTES, the name to "
        f"TENANT_PAGES, or an exemption with a reason): {missing}"
    )


def test_object_routes_really_take_an_object_id():
    routes = {r.name: r for r in isolation.iter_routes()}
    for name in isolation.OBJECT_ROUTES:
        assert name in routes, f"{name} is in OBJECT_ROUTES but no longer exists"
        assert routes[name].params, f"{name} takes no id: list it in TENANT_PAGES"
    for name in isolation.TENANT_PAGES:
        assert name in routes and not routes[name].params, name


@override_settings(ROOT_URLCONF="tests.urls_with_extra_route")
def test_the_harness_fails_on_a_route_it_does_not_know():
    clear_url_caches()
    try:
        names = [r.name for r in isolation.unclassified_routes()]
    finally:
        clear_url_caches()
    assert names == ["uncovered_detail"]


def _clients(users):
    for user in (users.admin, users.reviewer, users.clinician):
        client = Client()
        force_login_verified(client, user)
        yield user, client


def _missing_kwargs(kwargs):
    """The same URL shape with ids that exist nowhere."""
    return {k: uuid.uuid4() if isinstance(v, uuid.UUID) else 2**31 - 7
            for k, v in kwargs.items()}


def _body(response):
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("route_name", sorted(isolation.OBJECT_ROUTES))
def test_tenant_b_gets_404_for_tenant_as_objects(route_name, alpha, beta):
    """Another tenant's id is answered exactly like an id that does not exist."""
    case = isolation.OBJECT_ROUTES[route_name](alpha)
    url = reverse(route_name, kwargs=case.kwargs)
    missing_url = reverse(route_name, kwargs=_missing_kwargs(case.kwargs))
    markers = [str(alpha.tenant.pk), *case.markers]
    # Positive control: some user of A reaches the object with some method.
    reached = {getattr(client, m)(url).status_code
               for _, client in _clients(alpha) for m in ("get", "post")}
    assert reached - {403, 404, 405}, f"A's own users never reached {url}: {reached}"
    for user, client in _clients(beta):
        looked_up = False
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            missing = getattr(client, method)(missing_url)
            assert response.status_code == missing.status_code, (
                f"{method.upper()} {url} as {user}: {response.status_code}, "
                f"but {missing.status_code} for a missing id")
            assert response.status_code in (403, 404, 405), (method, url, user)
            looked_up |= response.status_code == 404
            assert not any(m in _body(response) for m in markers), (
                f"{method.upper()} {url} leaked A's data to {user}")
        if user == beta.admin:
            assert looked_up, f"{url}: B's admin never got a 404"


@pytest.fixture
def alpha_everything(alpha):
    """One of each of A's objects, and every string of A that B must never see."""
    markers = [str(alpha.tenant.pk), alpha.admin.email]
    for factory in set(isolation.OBJECT_ROUTES.values()):
        markers += factory(alpha).markers
    return markers


@pytest.mark.parametrize("route_name", sorted(isolation.TENANT_PAGES))
def test_tenant_pages_show_b_nothing_of_a(route_name, alpha_everything, alpha, beta):
    url = reverse(route_name)
    for user, client in _clients(beta):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code < 500, (method, url, response.status_code)
            assert not any(m in _body(response) for m in alpha_everything), (
                f"{method.upper()} {url} leaked A's data to {user}")


def test_list_pages_positive_control_show_a_its_own_data(alpha_everything, alpha):
    client = Client()
    force_login_verified(client, alpha.admin)
    assert str(alpha.tenant.pk) in _body(client.get(reverse("audit_log")))
    assert "zorbitanib" in _body(client.get(reverse("curation:review_queue")))
    assert "zorbitanib" in _body(client.get(reverse("curation-api:example-list")))
