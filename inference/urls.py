"""URLs of the inference app (filled in by its issue)."""
from django.urls import URLPattern

app_name = "inference"
urlpatterns: list[URLPattern] = []
