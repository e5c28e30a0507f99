"""The project's URLs plus one route that fails, to see what a user is shown for a 500."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from sanoweb.urls import urlpatterns as project_urlpatterns

SECRET = "secret-internal-detail-4711"


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"boom: {SECRET}")


urlpatterns = [*project_urlpatterns, path("fails/", fail, name="fails")]
