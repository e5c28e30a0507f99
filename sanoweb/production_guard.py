"""What production refuses to start with, checked where each entry point starts.

`check` runs on the settings values alone, at import of `sanoweb.settings_production`, which
manage.py, the WSGI application and the Celery app all load: a dev key, SQLite or a missing
owner role stops every one of them before it serves anything. `check_runtime_role` needs the
database: the WSGI application and the Celery worker call it when they start, and the
`sanoweb.E004` deploy check runs it for `manage.py check --deploy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

# The fallback in sanoweb/settings.py; kept here so that the guard does not import settings.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-0123456789abcdef"  # noqa: S105
MIN_SECRET_KEY_LENGTH = 50


def _owner_role(owner_url: str) -> str:
    return unquote(urlsplit(owner_url).username or "")


def check(config: Mapping[str, Any]) -> None:
    """Raise ImproperlyConfigured for the first unsafe value among the production settings."""
    secret_key = config["SECRET_KEY"]
    if secret_key == DEV_SECRET_KEY or secret_key.startswith("dev-only-"):
        raise ImproperlyConfigured(
            "SECRET_KEY is the repository's development key; set SECRET_KEY for production.")
    if len(secret_key) < MIN_SECRET_KEY_LENGTH:
        raise ImproperlyConfigured(
            f"SECRET_KEY has {len(secret_key)} characters; production needs at least "
            f"{MIN_SECRET_KEY_LENGTH} random ones.")
    database = config["DATABASES"]["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"Production needs PostgreSQL (row-level security); DATABASE_URL is "
            f"{database['ENGINE']}.")
    owner_url = config["DATABASE_OWNER_URL"]
    if not owner_url:
        raise ImproperlyConfigured(
            "Set DATABASE_OWNER_URL: production runs as a runtime role that does not own "
            "the tables, and migrates as the owner role.")
    if urlsplit(owner_url).scheme not in ("postgres", "postgresql", "pgsql"):
        raise ImproperlyConfigured("DATABASE_OWNER_URL must be a PostgreSQL URL.")
    owner, runtime = _owner_role(owner_url), database.get("USER", "")
    if not owner or not runtime:
        raise ImproperlyConfigured(
            "DATABASE_URL and DATABASE_OWNER_URL must both name their role.")
    if owner == runtime:
        raise ImproperlyConfigured(
            f"DATABASE_URL connects as the owner role {owner!r}; the runtime role must be "
            "a distinct role that does not own the tables (row-level security would not "
            "apply to it).")


def check_runtime_role() -> None:
    """Connect as the runtime role and refuse it if RLS would not apply to it."""
    from django.conf import settings
    from django.db import connections

    connection = connections["default"]
    if connection.vendor != "postgresql":
        raise ImproperlyConfigured("Production needs PostgreSQL (row-level security).")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles "
                       "WHERE rolname = current_user")
        current, superuser, bypass = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                       "AND tableowner = current_user")
        (owned,) = cursor.fetchone()
    if current == _owner_role(settings.DATABASE_OWNER_URL):
        raise ImproperlyConfigured(
            f"The runtime connection is the owner role {current!r}; use a distinct role.")
    if superuser or bypass:
        raise ImproperlyConfigured(
            f"The runtime role {current!r} is a superuser or BYPASSRLS; row-level security "
            "would not apply to it.")
    if owned:
        raise ImproperlyConfigured(
            f"The runtime role {current!r} owns {owned} tables; migrate as the owner role.")
