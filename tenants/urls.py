from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("tenants/choose/", views.choose_tenant_view, name="choose_tenant"),
    path("tenants/audit/", views.audit_log, name="audit_log"),
]
