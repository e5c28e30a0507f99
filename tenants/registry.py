"""Every model is either tenant-owned or on this allow-list with a reason.

Row-level security and the isolation checks read this; a model in neither place fails the
system check, so a new table cannot be silently left out. (Export and purge read the data map,
tenants.tenant_data, which has its own check for every table with a tenant key.)
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

from .models import TenantOwned

GLOBAL_MODELS: dict[str, str] = {
    "tenants.Tenant": "the tenant itself: the scope every other row hangs from",
    "tenants.Membership": "maps users to tenants; read before a tenant is chosen",
    "tenants.PurgeRequest": "platform record of a tenant's deletion; must outlive its rows",
    "tenants.DeletionCertificate": "signed proof of deletion; must outlive the tenant's rows",
    "tenants.ExportRequest": "operator export records; the bundle lies under the tenant prefix",
    "auth.User": "people may belong to several tenants; identity is platform-wide",
    "auth.Group": "unused by tenants; Django's own",
    "auth.Permission": "Django's static permission list",
    "contenttypes.ContentType": "Django's static model list",
    "sessions.Session": "holds only the session's user and chosen tenant id",
    "admin.LogEntry": "platform operators' admin actions",
    "otp_totp.TOTPDevice": "a person's authenticator secret; platform-wide like auth.User",
    "training.BaseModel": "base models are shared by all tenants; they hold no tenant data",
    "inference.ApiKey": "looked up by key prefix before the tenant is known; keeps a hash only",
    "inference.EngineState": "the platform's serving engines; no tenant data",
    "inference.PlatformEvent": "platform-level events (engine health); no tenant data",
    "usage.TenantUsage": "a proxy of tenants.Tenant for the operators' usage export; no table",
}


def model_label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.object_name}"


def tenant_owned_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, TenantOwned)]


def unclassified_models() -> list[str]:
    return sorted(
        model_label(m)
        for m in apps.get_models()
        if not issubclass(m, TenantOwned) and model_label(m) not in GLOBAL_MODELS
    )
