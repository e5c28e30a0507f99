from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _protect_database(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from .rls import apply_database_protections

    apply_database_protections(using)


class TenantsConfig(AppConfig):
    name = "tenants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celery.signals import worker_ready

        from . import checks, data_map, host_caches, signals  # noqa: F401  (checks, receivers)

        data_map.register()
        worker_ready.connect(host_caches.announce, dispatch_uid="tenants.announce_host")

        # Once per migrate run: `sender=self` fires after this app's own migrations.
        post_migrate.connect(_protect_database, sender=self, dispatch_uid="tenants.rls")
