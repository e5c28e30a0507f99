"""The Celery application; routing lives in settings (CELERY_TASK_ROUTES), not at call sites."""
import os
from typing import Any

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanoweb.settings")

app = Celery("sanoweb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def refuse_unsafe_runtime_role(**kwargs: Any) -> None:
    """A production worker does not start as a role that row-level security would not bind
    (settings_production's own import checks refuse the rest before this runs)."""
    from django.conf import settings
    from django.db import connections

    if settings.PRODUCTION:
        from sanoweb.production_guard import check_runtime_role

        check_runtime_role()
        connections.close_all()
