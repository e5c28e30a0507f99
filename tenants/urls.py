from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("tenants/choose/", views.choose_tenant_view, name="choose_tenant"),
    path("tenants/audit/", views.audit_log, name="audit_log"),
    path("tenants/members/", views.members, name="members"),
    path("tenants/members/mfa/", views.member_mfa_policy, name="member_mfa_policy"),
    path("tenants/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("tenants/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
]
