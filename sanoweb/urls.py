"""Project URLs: one include per capability app."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated

from inference import fine_tuning_api, openai_api
from tenants import mfa_views
from tenants.lockout import LockoutAwareAuthenticationForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(
        authentication_form=LockoutAwareAuthenticationForm), name="login"),
    path("accounts/mfa/", mfa_views.verify, name="mfa_verify"),
    path("accounts/mfa/enrol/", mfa_views.enrol, name="mfa_enrol"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("tenants.urls")),
    path("curation/", include("curation.urls")),
    path("api/curation/", include("curation.api_urls")),
    # drf-spectacular serves the schema to anyone by default (SERVE_PERMISSIONS).
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
         name="api_schema"),
    path("training/", include("training.urls")),
    path("api/training/", include("training.api_urls")),
    path("knowledge/", include("knowledge.urls")),
    path("api/knowledge/", include("knowledge.api_urls")),
    path("inference/", include("inference.urls")),
    path("api/inference/", include("inference.api_urls")),
    path("usage/", include("usage.urls")),
    path("api/usage/", include("usage.api_urls")),
    path("v1/chat/completions", openai_api.chat_completions, name="openai_chat_completions"),
    path("v1/models", openai_api.models, name="openai_models"),
    path("v1/fine_tuning/jobs", fine_tuning_api.jobs, name="openai_fine_tuning_jobs"),
    path("v1/fine_tuning/jobs/<str:job_id>", fine_tuning_api.job,
         name="openai_fine_tuning_job"),
    path("v1/fine_tuning/jobs/<str:job_id>/cancel", fine_tuning_api.cancel,
         name="openai_fine_tuning_cancel"),
    path("v1/fine_tuning/jobs/<str:job_id>/events", fine_tuning_api.events,
         name="openai_fine_tuning_events"),
    path("v1/fine_tuning/jobs/<str:job_id>/checkpoints", fine_tuning_api.checkpoints,
         name="openai_fine_tuning_checkpoints"),
    path("v1/sanoweb/training_sets", fine_tuning_api.training_sets,
         name="openai_training_sets"),
    path("v1/<path:rest>", openai_api.not_found, name="openai_not_found"),
]
