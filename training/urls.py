from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("runs/", views.runs, name="runs"),
    path("runs/policy/", views.set_retrain_policy, name="retrain_policy"),
    path("runs/<uuid:pk>/", views.run_detail, name="run_detail"),
    path("runs/<uuid:pk>/status/", views.run_status, name="run_status"),
    path("runs/<uuid:pk>/cancel/", views.cancel, name="cancel"),
    path("training-sets/<uuid:pk>/retrain/", views.retrain, name="retrain"),
    path("adapters/", views.adapters, name="adapters"),
    path("adapters/<uuid:pk>/", views.adapter_detail, name="adapter_detail"),
    path("adapters/<uuid:pk>/activate/", views.activate, name="activate"),
    path("adapters/<uuid:pk>/evaluate/", views.evaluate_again, name="evaluate_again"),
]
