"""Where inference keeps a tenant's data: settings, API keys, adapter copies on every host,
the adapters each serving engine holds; and the streams a purge waits for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings

from tenants import tenant_data
from tenants.models import Tenant
from tenants.places import KeyedTable, LocalCache, TenantTable
from tenants.tenant_data import Kind

from . import residency
from .models import ApiKey, EngineState, FineTuningJob, InferenceSettings
from .streams import OpenStreams


def engine_urls() -> list[str]:
    """Every engine the platform knows of: the configured one and each the router has seen."""
    return sorted({settings.VLLM_URL, *EngineState.objects.values_list("url", flat=True)})


class EngineAdapters:
    """The tenant's adapters loaded on each serving engine, as the engine itself lists them
    (not as the shared state believes); an engine that cannot be asked is not clean."""

    name = "engine: loaded adapters"
    kind = Kind.ENGINE
    models: tuple[type, ...] = ()
    not_exported = "the engine's copies of adapters that are exported from storage"
    order = 10

    def _loaded(self, tenant: Tenant) -> dict[str, list[str] | None]:
        prefix = f"t{tenant.pk.hex}-"
        found: dict[str, list[str] | None] = {}
        for url in engine_urls():
            try:
                found[url] = sorted(n for n in residency.served_roots(url) if n.startswith(prefix))
            except residency.AdapterLoadError:
                found[url] = None  # unreachable
        return found

    def inventory(self, tenant: Tenant) -> dict[str, Any]:
        return {"loaded": {url: names for url, names in self._loaded(tenant).items()}}

    def collect(self, tenant: Tenant) -> dict[str, bytes]:
        return {}

    def delete(self, tenant: Tenant, inventory: Mapping[str, Any]) -> None:
        known = inventory.get("loaded", {})
        for url, names in self._loaded(tenant).items():
            for name in sorted(set(names or []) | set(known.get(url) or [])):
                residency.unload(name, url)

    def remaining(self, tenant: Tenant, inventory: Mapping[str, Any]) -> list[str]:
        left = []
        for url, names in self._loaded(tenant).items():
            if names is None:
                left.append(f"vLLM: could not be checked at {url}")
            elif names:
                left.append(f"vLLM at {url}: adapters still loaded: {', '.join(names)}")
        return left


def register() -> None:
    tenant_data.register(
        TenantTable(InferenceSettings), TenantTable(FineTuningJob),
        KeyedTable(ApiKey, exclude=("secret_sha256",)),
        LocalCache("adapter cache", root=residency.cache_root,
                   pattern=lambda tenant: str(tenant.pk)),
        EngineAdapters(),
    )
    tenant_data.register_activity(OpenStreams())
