from django.apps import AppConfig


class LeakageConfig(AppConfig):
    """The leakage report: measures, through the production route, that one tenant's model
    cannot surface another tenant's training data. Above training and inference; owns no
    tables."""

    name = "leakage"
    default_auto_field = "django.db.models.BigAutoField"
