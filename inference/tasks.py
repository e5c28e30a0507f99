"""Periodic engine checks (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .health import check_engine


@shared_task
def isolation_canary() -> bool:
    return check_engine().passed
