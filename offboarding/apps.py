from django.apps import AppConfig


class OffboardingConfig(AppConfig):
    """Export and deletion of whole tenants: above the capability apps (it reads their places
    on the data map; they never import it)."""

    name = "offboarding"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import data_map

        data_map.register()
