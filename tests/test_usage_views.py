"""The usage page, its CSV and its API: tenant admins only, each sees its own tenant's figures;
a clinician or reviewer of the tenant is refused (403), another tenant's version id reads
exactly like a missing one (404)."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tenants.models import AuditEntry
from tenants.scoping import tenant_scope

from .test_usage import independent_count, make_calls, pinned, standin  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

PAGES = [reverse("usage:usage"), reverse("usage:usage_csv"),
         reverse("usage-api:summary-list")]


def test_the_page_shows_the_tenants_own_figures_with_charts_tables_and_formulas(
        alpha, beta, pinned, standin):  # noqa: F811
    make_calls(standin, alpha.tenant, [(12, 4, None), (30, 8, 16)], refused=1)
    make_calls(standin, beta.tenant, [(900, 900, None)] * 3)
    page = alpha.client_for(alpha.admin).get(reverse("usage:usage"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<strong id="total-requests">3</strong>' in html
    assert '<strong id="total-prompt-tokens">42</strong>' in html
    assert "900" not in html  # beta's calls
    for slug in ("requests", "tokens"):
        assert f'id="chart-{slug}"' in html and f'id="table-{slug}"' in html
    assert html.count("<svg role=\"img\"") == 2 and "<title id=\"chart-requests-title\">" in html
    assert "<script" not in html.split("<main>")[1]  # server-drawn: no chart library
    assert "GPU-hours" in html and "uncached prompt tokens" in html  # the formulas, visible
    assert 'data-version="' + str(pinned[0].pk) + '"' in html and "serving" in html
    with tenant_scope(alpha.tenant):  # the page view is in the chain, as every tenant page
        assert AuditEntry.objects.filter(action="tenant.page_viewed",
                                         payload_json__contains="usage:usage").exists()


@pytest.mark.parametrize("url", PAGES)
def test_a_clinician_or_reviewer_of_the_tenant_is_refused(alpha, url):
    for user in (alpha.clinician, alpha.reviewer):
        assert alpha.client_for(user).get(url).status_code == 403
    assert alpha.client_for(alpha.admin).get(url).status_code == 200  # positive control


@pytest.mark.parametrize("url", PAGES)
def test_a_visitor_who_is_not_signed_in_gets_nothing(alpha, url):
    response = Client().get(url)
    # pages redirect to the login; the API answers 401 (it also takes a Bearer key)
    assert response.status_code in (302, 401)
    assert b"requests" not in response.content


def test_another_tenants_version_is_a_404_like_a_missing_one(alpha, beta, pinned, standin):  # noqa: F811
    make_calls(standin, alpha.tenant, [(12, 4, None)])
    theirs, missing = str(pinned[0].pk), str(uuid.uuid4())
    outsider = beta.client_for(beta.admin)
    for version in (theirs, missing, "not-a-uuid"):
        assert outsider.get(reverse("usage:usage_csv"), {"version": version}).status_code == 404
    for version in (theirs, missing):
        api = outsider.get(reverse("usage-api:version-detail", args=[version]))
        assert api.status_code == 404
    owner = alpha.client_for(alpha.admin)  # positive control: the same ids work for alpha
    assert owner.get(reverse("usage:usage_csv"), {"version": theirs}).status_code == 200
    detail = owner.get(reverse("usage-api:version-detail", args=[theirs])).json()
    assert detail["version"] == "v1" and detail["calls"]["requests"] == 1
    assert beta.client_for(beta.admin).get(reverse("usage-api:summary-list")).json()[
        "totals"]["requests"] == 0


def test_the_csv_is_a_download_per_day_and_version_summing_to_the_audit_log(
        alpha, pinned, standin):  # noqa: F811
    make_calls(standin, alpha.tenant, [(12, 4, 2), (30, 8, None)], refused=1, failed=1)
    response = alpha.client_for(alpha.admin).get(reverse("usage:usage_csv"), {"days": "7"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="usage-alpha-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    outcomes, tokens = independent_count(alpha.tenant)
    assert sum(int(r["requests"]) for r in rows) == sum(outcomes.values()) == 4
    assert sum(int(r["prompt_tokens"]) for r in rows) == tokens["prompt_tokens"] == 42
    assert b"propranolol" not in response.content  # counts only, never text
    only_v1 = alpha.client_for(alpha.admin).get(reverse("usage:usage_csv"),
                                                {"version": str(pinned[0].pk)})
    assert {r["version"] for r in csv.DictReader(io.StringIO(only_v1.content.decode()))} \
        == {"v1"}


def test_the_api_gives_the_pages_figures_and_is_in_the_schema(alpha, pinned, standin):  # noqa: F811
    make_calls(standin, alpha.tenant, [(12, 4, None)], failed=1)
    client = alpha.client_for(alpha.admin)
    body = client.get(reverse("usage-api:summary-list"), {"days": 7}).json()
    assert body["days"] == 7
    assert body["totals"]["requests"] == 2
    assert body["totals"]["requests_by_outcome"] == {"ok": 1, "unavailable": 1}
    assert [v["version"] for v in body["versions"]] == ["v1", "v2"]
    assert body["versions"][0]["serving"] is True
    assert body["costs"]["currency"] == "USD" and "formulas" in body["costs"]
    assert sum(d["requests"] for d in body["daily"]) == 2
    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()
    assert "/api/usage/summary/" in schema["paths"]
    assert "/api/usage/versions/{id}/" in schema["paths"]


def test_evaluation_results_per_version_are_on_the_page_and_in_the_api(alpha, pinned):  # noqa: F811
    from training.models import AdapterEvaluation, Decision, EvaluationState

    figures = {"candidate": {"eval_loss": 1.234, "must_say_pass_rate": 0.75, "similarity": 0.5},
               "base": {"eval_loss": 2.468, "must_say_pass_rate": 0.25, "similarity": 0.125}}
    with tenant_scope(alpha.tenant):
        AdapterEvaluation.objects.update_or_create(adapter=pinned[1], defaults={
            "state": EvaluationState.DONE, "decision": Decision.KEPT, "examples": 4,
            "results": figures, "reason": "eval loss not lower by the margin",
            "compared_to": pinned[0]})
    client = alpha.client_for(alpha.admin)
    html = client.get(reverse("usage:usage")).content.decode()
    assert 'id="chart-evaluation"' in html and 'id="table-evaluation"' in html
    row = html.split(f'data-version="{pinned[1].pk}"')[1].split("</tr>")[0]
    assert "kept as a candidate" in row and "1.234 (2.468)" in row and "75%" in row
    body = client.get(reverse("usage-api:version-detail", args=[pinned[1].pk])).json()
    assert body["evaluation"]["decision"] == "kept"
    assert body["evaluation"]["results"]["base"]["eval_loss"] == 2.468
    assert body["evaluation"]["compared_to"] == str(pinned[0].pk)
