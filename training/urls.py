"""URLs of the training app (filled in by its issue)."""
from django.urls import URLPattern

app_name = "training"
urlpatterns: list[URLPattern] = []
