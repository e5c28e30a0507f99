"""URLs of the curation app (filled in by its issue)."""
from django.urls import URLPattern

app_name = "curation"
urlpatterns: list[URLPattern] = []
