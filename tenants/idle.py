"""Automatic logoff after SESSION_IDLE_SECONDS without a request the user made (HIPAA
164.312(a)(2)(iii)). Background polling — the training pages ask for progress every two
seconds, marked with the `X-Sanoweb-Poll: 1` header — does not count as activity, so an open
tab cannot keep a session alive forever."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse

LAST_ACTIVITY = "sanoweb_last_activity"


def is_poll(request: HttpRequest) -> bool:
    return request.headers.get("X-Sanoweb-Poll") == "1"


class IdleLogout:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY, now)
            if now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                if is_poll(request) or request.path.startswith("/api/"):
                    return JsonResponse({"error": "Signed out after inactivity."}, status=401)
                return redirect_to_login(request.get_full_path())
            if not is_poll(request):
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)
