"""Resolves the tenant a request acts for and runs the view inside its scope."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string

from .access import resolve_membership
from .scoping import tenant_scope


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = resolve_membership(request)
        request.membership = membership  # type: ignore[attr-defined]
        request.tenant = membership.tenant if membership else None  # type: ignore[attr-defined]
        if membership is None:
            return self.get_response(request)
        with tenant_scope(membership.tenant):
            return self.get_response(request)


class RefuseNulCharacters:
    """A NUL in a query string or form field is a 400: PostgreSQL cannot compare or store it,
    so it would otherwise surface as a 500 from whichever query first used the value."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(("/v1/", "/api/")):
            return self.get_response(request)  # JSON APIs answer in their own error shapes
        fields = [*request.GET.lists()]
        content_type = request.content_type or ""
        if request.method == "POST" and content_type in ("application/x-www-form-urlencoded",
                                                         "multipart/form-data"):
            try:
                fields += [*request.POST.lists()]
            except RequestDataTooBig:
                return HttpResponseBadRequest(_bad_request_page(request))
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in fields):
            return _refusal(request)
        return self.get_response(request)


NUL_MESSAGE = "The request contains a NUL character (U+0000); remove it and send again."


def _refusal(request: HttpRequest) -> HttpResponse:
    """The friendly page for a browser's navigation; JSON for the page's own fetch calls."""
    if "text/html" in request.headers.get("Accept", ""):
        return HttpResponseBadRequest(_bad_request_page(request))
    return JsonResponse({"error": NUL_MESSAGE}, status=400)


def _bad_request_page(request: HttpRequest) -> str:
    return render_to_string("400.html", request=request)
