"""The kinds of place an app declares on the data map (tenants.tenant_data).

Each is generic: it knows a kind of storage (a table, a storage category, Redis, Celery, a
folder on every host), never which app's data it holds; the apps say that in their own
`data_map.py`. Deleting a tenant-owned table needs the owner role with the audit purge flag;
the purge (offboarding.purge) opens that once around every delete.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.core import serializers
from django.core.files.storage import default_storage
from django.db.models import Model, QuerySet

from . import host_caches, shared_state
from .models import Tenant
from .scoping import tenant_scope
from .storage import delete_every_version, list_keys, list_versions, tenant_prefix
from .tenant_data import Kind, model_label


def _fragments(tenant: Tenant) -> tuple[str, str]:
    """How the tenant is named in keys and messages: its uuid as hex and with dashes."""
    return tenant.pk.hex, str(tenant.pk)


@dataclass
class TenantTable:
    """A tenant-owned table (TenantOwned): read and deleted inside the tenant's scope."""

    model: type[Model]
    evidence: tuple[str, ...] = ()  # PHI-free columns whose values the certificate lists
    not_exported: str = ""
    order: int = 80
    kind: Kind = Kind.TENANT_TABLE
    name: str = field(init=False)
    models: tuple[type[Model], ...] = field(init=False)

    def __post_init__(self) -> None:
        self.name, self.models = f"table:{model_label(self.model)}", (self.model,)

    def _rows(self) -> QuerySet[Any]:
        # `objects` (the tenant-scoped manager on tenant-owned models), which `type[Model]`
        # does not declare
        rows: QuerySet[Any] = self.model.objects.all()  # type: ignore[attr-defined]
        return rows

    def inventory(self, tenant: Tenant) -> dict[str, Any]:
        with tenant_scope(tenant):
            found: dict[str, Any] = {"rows": self._rows().count()}
            for column in self.evidence:
                found[column] = sorted(str(v) for v in self._rows().values_list(column, flat=True)
                                       if v)
        return found

    def collect(self, tenant: Tenant) -> dict[str, bytes]:
        if self.not_exported:
            return {}
        with tenant_scope(tenant):
            rows = serializers.serialize("json", self._rows().order_by("pk"), indent=1)
        return {f"data/{model_label(self.model)}.json": rows.encode()}

    def delete(self, tenant: Tenant, inventory: Mapping[str, Any]) -> None:
        with tenant_scope(tenant):
            self._rows().delete()  # ProtectedError: rows elsewhere still point here (retry)

    def remaining(self, tenant: Tenant, inventory: Mapping[str, Any]) -> list[str]:
        with tenant_scope(tenant):
            count = self._rows().count()
        return [f"database: {count} rows in {model_label(self.model)}"] if count else []


@dataclass
class KeyedTable:
    """A global table whose rows carry a tenant key (memberships, API keys, exports)."""

    model: type[Model]
    tenant_field: str = "tenant"
    exclude: tuple[str, ...] = ()  # columns never exported (secrets, even hashed)
    not_exported: str = ""
    order: int = 90
    kind: Kind = Kind.KEYED_TABLE
    name: str = field(init=False)
    models: tuple[type[Model], ...] = field(init=False)

    def __post_init__(self) -> None:
        self.name, self.models = f"table:{model_label(self.model)}", (self.model,)

    def _rows(self, tenant: Tenant) -> QuerySet[Any]:
        return self.model._default_manager.filter(**{self.tenant_field: tenant})

    def inventory(self, tenant: Tenant) -> dict[str, Any]:
        return {"rows": self._rows(tenant).count()}

    def collect(self, tenant: Tenant) -> dict[str, bytes]:
        if self.not_exported:
            return {}
        fields = [f.name for f in self.model._meta.concrete_fields
                  if not f.primary_key and f.name not in self.exclude]
        rows = serializers.serialize("json", self._rows(tenant).order_by("pk"), indent=1,
                                     fields=fields, use_natural_foreign_keys=True)
        return {f"data/{model_label(self.model)}.json": rows.encode()}

    def delete(self, tenant: Tenant, inventory: Mapping[str, Any]) -> None:
        self._rows(tenant).delete()

    def remaining(self, tenant: Tenant, inventory: Mapping[str, Any]) -> list[str]:
        count = self._rows(tenant).count()
        return [f"database: {count} rows in {model_label(self.model)}"] if count else []


@dataclass
class Retained:
    """Kept after a purge on purpose, with the reason (the purge's own records)."""

    name: str
    reason: str
    models: tuple[type[Model], ...] = ()
    collector: Callable[[Tenant], dict[str, bytes]] | None = None  # exported even so
    order: int = 0
    kind: Kind = Kind.RETAINED
    not_exported: str = field(init=False)

    def __post_init__(self) -> None:
        self.not_exported = "" if self.collector else self.reason

    def inventory(self, tenant: Tenant) -> dict[str, Any]:
        return {}

    def collect(self, tenant: Tenant) -> dict[str, bytes]:
        return self.collector(tenant) if self.collector else {}

    def delete(self, tenant: Tenant, inventory: Mapping[str, Any]) -> None:
        return None

    def remaining(self, tenant: Tenant, inventory: Mapping[str, Any]) -> list[str]:
        return []


@dataclass
class StorageCategory:
    """One category of the tenant's storage prefix (tenants.storage.CATEGORIES)."""

    category: str
    not_exported: str = ""
    order: int = 40
    kind: Kind = Kind.STORAGE
    name: str = field(init=False)
    models: tuple[type[Model], ...] = ()
    # What each of its files is, in the export bundle's README (offboarding.bundle_readme)
    describes: str = ""

    def __post_init__(self) -> None:
        self.name = f"storage:{self.category}"

    def _keys(self, tenant: Tenant) -> list[str]:
        return list_keys(tenant_prefix(tenant) + self.category)

    def inventory(self, tenant: Tenant) -> dict[str, Any]:
        return {"objects": len(self._keys(tenant))}

    def collect(self, tenant: Tenant) -> dict[str, bytes]:
        if self.not_exported:
            return {}
        files: dict[str, bytes] = {}
        prefix = tenant_prefix(tenant)
        for key in self._keys(tenant):
            with default_storage.open(key, "rb") as handle:
                files[f"storage/{key[len(prefix):]}"] = handle.read()
        return files

    def delete(self, tenant: Tenant, inventory: Mapping[str, Any]) -> None:
        for key in self._keys(tenant):
            default_storage.delete(key)

    def remaining(self, tenant: Tenant, inventory: Mapping[str, Any]) -> list[str]:
        keys = self._keys(tenant)
        return [f"storage: {len(keys)} objects under {self.category}/"] if keys else []


@dataclass
class StoragePrefix:
    """A whole prefix, every object version included: on a versioned bucket a deleted key
    leaves its old versions behind, and they are tenant data too."""

    name: str
    prefix: Callable[[Tenant], str]
    not_exported: str = "its parts are exported by their own places (storage categories)"
    order: int = 45
    kind: Kind = Kind.STORAGE
    models: tuple[type[Model], ...] = ()

    def inventory(self, tenant: Tenant) -> dict[str, Any]:
        prefix = self.prefix(tenant)
        return {"objects": len(list_keys(prefix)), "versions": len(list_versions(prefix))}

    def collect(self, tenant: Tenant) -> dict[str, bytes]:
        return {}

    def delete(self, tenant: Tenant, inventory: Mapping[str, Any]) -> None:
        prefix = self.prefix(tenant)
        for key in list_keys(prefix):
            default_storage.delete(key)
        delete_every_version(prefix)
        if hasattr(default_storage, "path"):  # filesystem: the emptied folders go too
            with contextlib.suppress(NotImplementedError):
                shutil.rmtree(default_storage.path(prefix), ignore_errors=True)

    def remaining(self, tenant: Tenant, inventory: Mapping[str, Any]) -> list[str]:
        prefix = self.prefix(tenant)
        left = []
        if keys := list_keys(prefix):
            left.append(f"storage: {len(keys)} objects under {prefix}")
        if versions := list_versions(prefix):
            left.append(f"storage: {len(versions)} object versions under {prefix}")
        return left


@dataclass
class SharedStateEntries:
    """Every shared-state key or member naming the tenant (Redis, or the embedded file)."""

    name: str = "shared state"
    not_exported: str = "derived state (adapter residency, locks, counters), no tenant content"
    order: int = 30
    kind: Kind = Kind.SHARED_STATE
    models: tuple[type[Model], ...] = ()

    def _found(self, tenant: Tenant) -> list[str]:
        state = shared_state.backend()
        return sorted({item for fragment in _fragments(tenant) for item in state.find(fragment)})

    def inventory(self, tenant: Tenant) -> dict[str, Any]:
        return {"entries": len(self._found(tenant))}

    def collect(self, tenant: Tenant) -> dict[str, bytes]:
        return {}

    def delete(self, tenant: Tenant, inventory: Mapping[str, Any]) -> None:
        state = shared_state.backend()
        for fragment in _fragments(tenant):
            state.delete_matching(fragment)

    def remaining(self, tenant: Tenant, inventory: Mapping[str, Any]) -> list[str]:
        found = self._found(tenant)
        description = shared_state.backend().description
        return [f"shared state ({description}): {len(found)} entries"] if found else []


@dataclass
class CeleryResults:
    """Results of the tenant's Celery tasks, by the task ids the app records."""

    name: str
    task_ids: Callable[[Tenant], list[str]]
    not_exported: str = "task bookkeeping (states and return values), no tenant content"
    order: int = 20
    kind: Kind = Kind.CELERY
    models: tuple[type[Model], ...] = ()

    def inventory(self, tenant: Tenant) -> dict[str, Any]:
        return {"task_ids": sorted(self.task_ids(tenant))}

    def _ids(self, tenant: Tenant, inventory: Mapping[str, Any]) -> set[str]:
        return set(inventory.get("task_ids", [])) | set(self.task_ids(tenant))

    def collect(self, tenant: Tenant) -> dict[str, bytes]:
        return {}

    def delete(self, tenant: Tenant, inventory: Mapping[str, Any]) -> None:
        from celery import current_app

        for task_id in sorted(self._ids(tenant, inventory)):
            try:
                current_app.backend.forget(task_id)
            except NotImplementedError:  # a backend that keeps no results
                return

    def remaining(self, tenant: Tenant, inventory: Mapping[str, Any]) -> list[str]:
        from celery import current_app

        left = [task_id for task_id in sorted(self._ids(tenant, inventory))
                if current_app.backend.get_task_meta(task_id).get("status") != "PENDING"]
        return [f"Celery: results of {len(left)} tasks: {', '.join(left)}"] if left else []


@dataclass
class CeleryMessages:
    """Queued task messages naming the tenant (their arguments carry its id), on the Redis
    broker's lists and its unacknowledged set, or in the embedded broker's folder."""

    name: str = "celery messages"
    not_exported: str = "task messages carry ids only"
    order: int = 21
    kind: Kind = Kind.CELERY
    models: tuple[type[Model], ...] = ()

    def inventory(self, tenant: Tenant) -> dict[str, Any]:
        return {"messages": len(_broker_messages(tenant, delete=False))}

    def collect(self, tenant: Tenant) -> dict[str, bytes]:
        return {}

    def delete(self, tenant: Tenant, inventory: Mapping[str, Any]) -> None:
        _broker_messages(tenant, delete=True)

    def remaining(self, tenant: Tenant, inventory: Mapping[str, Any]) -> list[str]:
        found = _broker_messages(tenant, delete=False)
        return [f"Celery broker: {len(found)} queued messages: {', '.join(found)}"] if found \
            else []


def _broker_messages(tenant: Tenant, *, delete: bool) -> list[str]:
    """Where each message naming the tenant lies ("list gpu", "unacked", a file name)."""
    from django.conf import settings

    fragments = [f.encode() for f in _fragments(tenant)]
    found: list[str] = []
    url = str(settings.CELERY_BROKER_URL)
    if url.startswith("redis"):
        import redis

        client = redis.Redis.from_url(url)
        for key in client.scan_iter(count=1000):
            kind = client.type(key)
            if kind == b"list":
                for message in cast(list[bytes], client.lrange(key, 0, -1)):
                    if any(f in message for f in fragments):
                        found.append(f"list {key.decode()}")
                        if delete:
                            client.lrem(key, 0, message)  # type: ignore[arg-type]
            elif kind == b"hash" and key.endswith(b"unacked"):
                for tag, message in cast(dict[bytes, bytes], client.hgetall(key)).items():
                    if any(f in message for f in fragments):
                        found.append(f"{key.decode()} {tag.decode()}")
                        if delete:
                            client.hdel(key, tag)
    elif url.startswith("filesystem"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        folder = Path(str(options.get("data_folder_in", "")))
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            if path.is_file() and any(f in path.read_bytes() for f in fragments):
                found.append(f"file {path.name}")
                if delete:
                    path.unlink(missing_ok=True)
    return found


@dataclass
class LocalCache:
    """Folders on every host that runs a worker or engine (adapter caches, training scratch
    space). This host is checked directly; every other host that announced itself
    (tenants.host_caches) is asked through its Celery worker, and one that does not answer is
    reported as unchecked, which is not clean."""

    name: str
    root: Callable[[], Path]
    pattern: Callable[[Tenant], str]  # a glob under root naming only this tenant's entries
    not_exported: str = "copies of objects that are exported from storage"
    order: int = 15
    kind: Kind = Kind.HOST_CACHE
    models: tuple[type[Model], ...] = ()

    def local_entries(self, tenant: Tenant) -> list[Path]:
        root = self.root()
        return sorted(root.glob(self.pattern(tenant))) if root.is_dir() else []

    def delete_here(self, tenant: Tenant) -> None:
        for path in self.local_entries(tenant):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def left_here(self, tenant: Tenant) -> list[str]:
        return [str(path) for path in self.local_entries(tenant)]

    def inventory(self, tenant: Tenant) -> dict[str, Any]:
        return {"hosts": {host: len(left) for host, left in
                          host_caches.on_every_host(self, tenant, delete=False).items()}}

    def collect(self, tenant: Tenant) -> dict[str, bytes]:
        return {}

    def delete(self, tenant: Tenant, inventory: Mapping[str, Any]) -> None:
        host_caches.on_every_host(self, tenant, delete=True)

    def remaining(self, tenant: Tenant, inventory: Mapping[str, Any]) -> list[str]:
        return [f"host {host}: {line}" for host, left in
                host_caches.on_every_host(self, tenant, delete=False).items() for line in left]
