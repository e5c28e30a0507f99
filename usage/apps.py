from django.apps import AppConfig


class UsageConfig(AppConfig):
    """Usage a tenant can see and the platform can bill. It reads the capability apps' rows
    (the audit log above all) and owns no tenant data of its own."""

    name = "usage"
    default_auto_field = "django.db.models.BigAutoField"
