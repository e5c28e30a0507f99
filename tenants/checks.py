"""System checks that keep tenancy enforced by construction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections

from .registry import unclassified_models
from .storage import CATEGORIES
from .tenant_data import Kind, places, unmapped_models


@register(Tags.models)
def every_model_is_classified(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return [
        Error(
            f"{label} is neither TenantOwned nor in tenants.registry.GLOBAL_MODELS.",
            id="sanoweb.E001",
        )
        for label in unclassified_models()
    ]


@register(Tags.models)
def every_tenant_table_is_on_the_data_map(app_configs: Any = None,
                                          **kwargs: Any) -> list[CheckMessage]:
    """Export, purge and verify_purge read the data map only: a table with a tenant key that
    is on no place there would be neither exported nor deleted."""
    errors: list[CheckMessage] = [
        Error(f"{label} has a key to Tenant (or to a tenant-owned model) but is on no place "
              "of the data map.",
              hint="Register it in its app's data_map.py (tenants.places.TenantTable, "
                   "KeyedTable, or Retained with a reason).", id="sanoweb.E005")
        for label in unmapped_models()
    ]
    claimed = {getattr(p, "category", None) for p in places(Kind.STORAGE)}
    errors += [Error(f"Storage category {category!r} is on no place of the data map.",
                     hint="Register a tenants.places.StorageCategory for it.", id="sanoweb.E006")
               for category in sorted(CATEGORIES - claimed)]
    return errors


@register(Tags.database)
def runtime_role_cannot_bypass_rls(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """RLS does not apply to superusers, BYPASSRLS roles or (without FORCE) table owners."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        superuser, bypass = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tableowner = current_user"
        )
        (owned,) = cursor.fetchone()
    errors: list[CheckMessage] = []
    if superuser or bypass:
        errors.append(Error("The runtime database role is a superuser or BYPASSRLS.",
                            hint="Connect DATABASE_URL as a NOSUPERUSER NOBYPASSRLS role.",
                            id="sanoweb.E002"))
    if owned and settings.DATABASE_OWNER_URL:
        errors.append(Error(f"The runtime database role owns {owned} tables.",
                            hint="Run migrations as DATABASE_OWNER_URL's role.", id="sanoweb.E003"))
    return errors


@register(Tags.security, deploy=True)
def production_runtime_role_is_safe(app_configs: Any = None,
                                    **kwargs: Any) -> list[CheckMessage]:
    """`check --deploy` with production settings connects and refuses the runtime role that
    the WSGI application and the Celery worker would refuse at start-up."""
    from django.core.exceptions import ImproperlyConfigured

    from sanoweb.production_guard import check_runtime_role

    if not settings.PRODUCTION:
        return []
    try:
        check_runtime_role()
    except ImproperlyConfigured as refusal:
        return [Error(str(refusal), id="sanoweb.E004")]
    return []
