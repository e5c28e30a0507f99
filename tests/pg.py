"""Direct PostgreSQL connections for tests that must look past the ORM."""

from __future__ import annotations

from typing import Any

import psycopg
from django.db import connection


def first_value(cursor: psycopg.Cursor[Any]) -> Any:
    """The first column of the first row the query returned (there must be one)."""
    row = cursor.fetchone()
    assert row is not None, "the query returned no row"
    return row[0]


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
