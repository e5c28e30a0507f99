"""The documented management commands and the production settings check."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from tenants.audit import verify_chain
from tenants.models import Membership, Role, Tenant

pytestmark = pytest.mark.django_db


def test_create_tenant_makes_the_tenant_its_admin_and_first_audit_entries():
    out = StringIO()
    call_command("create_tenant", "gamma", "--name", "Gamma Clinic",
                 "--admin", "Boss@Gamma.test", stdout=out)
    tenant = Tenant.objects.get(slug="gamma")
    assert Membership.objects.get(tenant=tenant).role == Role.TENANT_ADMIN
    assert "password:" in out.getvalue()
    verdict = verify_chain(tenant)
    assert verdict.ok and verdict.entries == 2


def test_create_tenant_refuses_a_duplicate_slug(alpha):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_tenant", "alpha", "--name", "X", "--admin", "x@x.test")


def test_verify_audit_reports_ok_and_unknown_tenants(alpha):
    out = StringIO()
    call_command("verify_audit", "alpha", stdout=out)
    assert "OK" in out.getvalue()
    with pytest.raises(CommandError, match="No tenant"):
        call_command("verify_audit", "nope")


def test_system_checks_pass_as_the_runtime_role():
    call_command("check", "--database", "default", "--fail-level", "WARNING")


def test_production_settings_pass_check_deploy(tmp_path):
    """With a valid production environment (PostgreSQL, distinct owner and runtime roles, a
    real key), every deploy check passes, the runtime role check (sanoweb.E004) included."""
    database = settings.DATABASES["default"]["NAME"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sanoweb.settings_production",
           "SECRET_KEY": "x" * 64 + "-production-test-key-not-used-anywhere",
           "DATABASE_URL": f"postgres://sanoweb_app@127.0.0.1:5432/{database}",
           "DATABASE_OWNER_URL": f"postgres://sanoweb_owner@127.0.0.1:5432/{database}",
           "ALLOWED_HOSTS": "sanoweb.example", "SANOWEB_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # test-only setting
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
