"""Direct PostgreSQL connections for tests that must look past the ORM."""

from __future__ import annotations

import psycopg
from django.db import connection


def superuser_connection() -> psycopg.Connection:
    """A superuser connection to the test database: it ignores RLS (that is the point)."""
    return psycopg.connect(
        host="127.0.0.1", port=5432, user="postgres", dbname=connection.settings_dict["NAME"],
        autocommit=True,
    )


def app_role_connection() -> psycopg.Connection:
    """A fresh connection as the runtime role, like the application's own."""
    return psycopg.connect(
        host="127.0.0.1", port=5432, user=connection.settings_dict["USER"],
        dbname=connection.settings_dict["NAME"],
    )
