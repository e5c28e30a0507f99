"""Every route is in the cross-tenant matrix, and tenant B never reaches tenant A's data."""

import pytest
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse

from . import isolation


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
        client.force_login(user)
        yield user, client


@pytest.mark.parametrize("route_name", sorted(isolation.OBJECT_ROUTES))
def test_tenant_b_gets_404_for_tenant_as_objects(route_name, alpha, beta):
    case = isolation.OBJECT_ROUTES[route_name](alpha)
    url = reverse(route_name, kwargs=case.kwargs)
    markers = [str(alpha.tenant.pk), *case.markers]
    # Positive control: A's own admin reaches the object.
    own = Client()
    own.force_login(alpha.admin)
    assert own.get(url).status_code in (200, 302, 405), url
    for user, client in _clients(beta):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (404, 403) if user != beta.admin else (404,), (
                f"{method.upper()} {url} as {user} answered {response.status_code}"
            )
            if user == beta.admin:
                assert response.status_code == 404
            body = response.content.decode(errors="replace")
            assert not any(m in body for m in markers), f"{url} leaked A's data to {user}"


@pytest.mark.parametrize("route_name", sorted(isolation.TENANT_PAGES))
def test_tenant_pages_show_b_nothing_of_a(route_name, alpha, beta):
    url = reverse(route_name)
    markers = [str(alpha.tenant.pk), alpha.admin.email]
    for user, client in _clients(beta):
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (url, response.status_code)
        body = response.content.decode(errors="replace")
        assert not any(m in body for m in markers), f"{url} leaked A's data to {user}"


def test_audit_page_positive_control_shows_a_its_own_entries(alpha):
    client = Client()
    client.force_login(alpha.admin)
    body = client.get(reverse("audit_log")).content.decode()
    assert str(alpha.tenant.pk) in body
