"""Switching a connection to the owner role for schema work (migrate, flush, purge).

The runtime role (DATABASE_URL) cannot change the schema, bypass RLS or rewrite the audit
log; DDL runs as DATABASE_OWNER_URL's role. Off PostgreSQL, or with no owner URL, these are
no-ops.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import connections


def owner_login() -> tuple[str, str] | None:
    url = settings.DATABASE_OWNER_URL
    if not url:
        return None
    parts = urlsplit(url)
    return unquote(parts.username or ""), unquote(parts.password or "")


@contextmanager
def owner_credentials(using: str = "default") -> Iterator[None]:
    """Reconnect `using` as the owner role for the block, then back as the runtime role."""
    connection = connections[using]
    login = owner_login()
    if connection.vendor != "postgresql" or login is None:
        yield
        return
    saved = connection.settings_dict["USER"], connection.settings_dict.get("PASSWORD", "")
    if saved[0] == login[0]:
        yield
        return
    connection.close()
    connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = login
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = saved
