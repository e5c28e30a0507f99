"""Test settings: the real PostgreSQL and Redis on 127.0.0.1 (scripts/services.sh starts them)."""

import os
import tempfile

os.environ.setdefault("DATABASE_URL", "postgres://sanoweb_app@127.0.0.1:5432/sanoweb")
os.environ.setdefault("DATABASE_OWNER_URL", "postgres://sanoweb_owner@127.0.0.1:5432/sanoweb")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("SANOWEB_VAR_DIR", tempfile.mkdtemp(prefix="sanoweb-test-"))

from .settings import *  # noqa: F403

# Hashing passwords slowly is a production property, not something the tests check.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
