"""The project's URLs plus one route the isolation matrix does not know (harness self-test)."""

from django.http import HttpResponse
from django.urls import path

from sanoweb.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("uncovered/<int:pk>/", lambda request, pk: HttpResponse(), name="uncovered_detail"),
]
