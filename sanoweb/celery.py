"""The Celery application; routing lives in settings (CELERY_TASK_ROUTES), not at call sites."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanoweb.settings")

app = Celery("sanoweb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
