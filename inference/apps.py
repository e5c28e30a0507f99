from django.apps import AppConfig


class InferenceConfig(AppConfig):
    name = "inference"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import data_map, signals  # noqa: F401  (key revocation, retired adapters)

        data_map.register()
