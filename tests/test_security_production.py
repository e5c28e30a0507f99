"""Production refuses unsafe configuration: each test is an attempt to start or use it unsafely.

Entry points are started in a subprocess with DJANGO_SETTINGS_MODULE=sanoweb.settings_production,
as a deployment would start them; a refusal is a non-zero exit naming what is wrong.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from sanoweb.production_guard import DEV_SECRET_KEY, check_runtime_role
from tenants import signing

from .mfa import force_login_verified

pytestmark = pytest.mark.django_db

GOOD_KEY = "k" * 64 + "-production-test-key-not-used-anywhere"
# Commands that must refuse before touching the database point at one that does not exist, so
# a missing refusal cannot write into the test database.
NO_SUCH_DB = "sanoweb_security_production_no_such_db"

ENTRY_POINTS = {
    "manage.py": [sys.executable, "manage.py", "check"],
    "wsgi": [sys.executable, "-c", "import sanoweb.wsgi"],
    "celery": [sys.executable, "-m", "celery", "-A", "sanoweb", "report"],
}


def production_env(tmp_path: Path, database: str | None = None, **overrides: str) -> dict[str, str]:
    """A valid production environment (the test database, its two roles); overrides break it."""
    database = database or settings.DATABASES["default"]["NAME"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sanoweb.settings_production",
           "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "sanoweb.example",
           "DATABASE_URL": f"postgres://sanoweb_app@127.0.0.1:5432/{database}",
           "DATABASE_OWNER_URL": f"postgres://sanoweb_owner@127.0.0.1:5432/{database}",
           "SANOWEB_VAR_DIR": str(tmp_path / "var")}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(overrides)
    return env


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
                          timeout=120)


def refused(result: subprocess.CompletedProcess[str], message: str) -> bool:
    output = result.stdout + result.stderr
    return result.returncode != 0 and "ImproperlyConfigured" in output and message in output


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_every_entry_point_refuses_the_repository_dev_secret_key(tmp_path, entry_point):
    env = production_env(tmp_path, NO_SUCH_DB, SECRET_KEY=DEV_SECRET_KEY)
    result = run(ENTRY_POINTS[entry_point], env)
    assert refused(result, "SECRET_KEY is the repository's development key"), \
        result.stdout + result.stderr


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_every_entry_point_refuses_the_dev_key_when_secret_key_is_unset(tmp_path, entry_point):
    env = production_env(tmp_path, NO_SUCH_DB)
    del env["SECRET_KEY"]
    result = run(ENTRY_POINTS[entry_point], env)
    assert refused(result, "development key"), result.stdout + result.stderr


def test_a_short_secret_key_is_refused(tmp_path):
    result = run(ENTRY_POINTS["manage.py"],
                 production_env(tmp_path, NO_SUCH_DB, SECRET_KEY="s3cret-but-short"))
    assert refused(result, "at least 50"), result.stdout + result.stderr


def test_the_entry_points_start_with_a_valid_production_environment(tmp_path):
    """The positive control: the refusals above are about the key, not about the harness."""
    for argv in ENTRY_POINTS.values():
        result = run(argv, production_env(tmp_path))
        assert result.returncode == 0, result.stdout + result.stderr


def test_sqlite_is_refused_in_production(tmp_path):
    env = production_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    for argv in ENTRY_POINTS.values():
        assert refused(run(argv, env), "Production needs PostgreSQL")


def test_a_missing_owner_url_is_refused(tmp_path):
    env = production_env(tmp_path)
    del env["DATABASE_OWNER_URL"]
    assert refused(run(ENTRY_POINTS["manage.py"], env), "Set DATABASE_OWNER_URL")


def test_the_owner_role_as_the_runtime_role_is_refused(tmp_path):
    database = settings.DATABASES["default"]["NAME"]
    env = production_env(tmp_path,
                         DATABASE_URL=f"postgres://sanoweb_owner@127.0.0.1:5432/{database}")
    for argv in ENTRY_POINTS.values():
        assert refused(run(argv, env), "connects as the owner role 'sanoweb_owner'")


def test_the_runtime_connection_is_checked_not_only_the_url():
    """The URL names could differ while the connection is the owner: the start-up check asks
    the database who it is."""
    check_runtime_role()  # the test connection is sanoweb_app: accepted
    with override_settings(DATABASE_OWNER_URL="postgres://sanoweb_app@127.0.0.1/x"), \
            pytest.raises(ImproperlyConfigured, match="is the owner role 'sanoweb_app'"):
        check_runtime_role()


def test_wsgi_refuses_a_superuser_runtime_role_at_start_up(tmp_path):
    database = settings.DATABASES["default"]["NAME"]
    env = production_env(tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}")
    assert refused(run(ENTRY_POINTS["wsgi"], env), "is a superuser or BYPASSRLS")


def test_check_deploy_refuses_a_superuser_runtime_role(tmp_path):
    database = settings.DATABASES["default"]["NAME"]
    env = production_env(tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}")
    result = run([sys.executable, "manage.py", "check", "--deploy"], env)
    assert result.returncode != 0
    assert "sanoweb.E004" in result.stderr and "superuser or BYPASSRLS" in result.stderr


def test_a_missing_signing_key_in_production_is_an_error_not_a_new_key(tmp_path):
    key = tmp_path / "keys" / "platform_ed25519.pem"
    env = production_env(tmp_path, NO_SUCH_DB, PLATFORM_SIGNING_KEY=str(key))
    result = run([sys.executable, "manage.py", "shell", "-c",
                  "from tenants.signing import sign; sign(b'manifest')"], env)
    assert refused(result, "create_signing_key"), result.stdout + result.stderr
    assert not key.exists()


def test_create_signing_key_makes_the_key_once_and_never_replaces_it(tmp_path):
    key = tmp_path / "platform_ed25519.pem"
    with override_settings(PLATFORM_SIGNING_KEY=str(key), PLATFORM_SIGNING_KEY_AUTOCREATE=False):
        with pytest.raises(ImproperlyConfigured):
            signing.private_key()
        call_command("create_signing_key", stdout=open(os.devnull, "w"))  # noqa: SIM115
        first = key.read_bytes()
        assert key.stat().st_mode & 0o777 == 0o600
        with pytest.raises(CommandError, match="never replaced"):
            call_command("create_signing_key")
        assert key.read_bytes() == first
        signing.private_key()


def test_seed_demo_refuses_to_run_with_production_settings(tmp_path):
    # --skip-checks: the database checks would fail first on the missing database.
    result = run([sys.executable, "manage.py", "seed_demo", "--empty", "--skip-checks"],
                 production_env(tmp_path, NO_SUCH_DB))
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "seed_demo is refused" in output, output


def test_seed_demo_creates_no_user_where_it_is_refused():
    with override_settings(DEMO_SEED_ALLOWED=False), pytest.raises(CommandError):
        call_command("seed_demo", "--empty")
    assert not User.objects.exists()


def test_every_html_response_carries_the_content_security_policy(alpha):
    anonymous, admin = Client(), alpha.client_for(alpha.admin)
    operator = User.objects.create_superuser("operator@sanoweb.test", password="x" * 16)
    pages = [(anonymous, "/accounts/login/"), (anonymous, "/no-such-page/"),
             (anonymous, "/admin/login/"), (admin, "/"), (admin, "/curation/review/"),
             (admin, "/curation/import/"), (admin, "/training/runs/"),
             (admin, "/training/adapters/"), (admin, "/tenants/audit/"),
             (admin, "/inference/api-keys/"), (admin, "/no-such-page/"),
             (_logged_in(operator), "/admin/")]
    for client, url in pages:
        response = client.get(url)
        assert response["Content-Type"].startswith("text/html"), (url, response.status_code)
        assert response.headers.get("Content-Security-Policy") == \
            settings.CONTENT_SECURITY_POLICY, url
    assert "frame-ancestors 'none'" in settings.CONTENT_SECURITY_POLICY
    assert "object-src 'none'" in settings.CONTENT_SECURITY_POLICY


def _logged_in(user: User) -> Client:
    client = Client()
    force_login_verified(client, user)
    return client


def test_anonymous_cannot_read_the_api_schema(alpha):
    assert Client().get("/api/schema/").status_code in (401, 403)
    assert alpha.client_for(alpha.clinician).get("/api/schema/").status_code == 200
