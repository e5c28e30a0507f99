"""Celery tasks of the knowledge app (the default queue). Ids only cross the broker; the task
is idempotent (ingest_version finds finished work and stops), so it is acknowledged late and
re-queued if its worker dies."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import ingest


@shared_task(
    acks_late=True,
    ignore_result=True,  # the version's row is the result; a stored one would outlive a purge
    reject_on_worker_lost=True,
    soft_time_limit=settings.KNOWLEDGE_INGEST_SOFT_TIME_LIMIT,
    time_limit=settings.KNOWLEDGE_INGEST_SOFT_TIME_LIMIT + 300,
)
def ingest_document_version(tenant_id: str, version_id: str) -> str:
    return ingest.ingest_version(tenant_id, version_id)
