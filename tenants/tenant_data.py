"""The data map: every place a tenant's data lives, and the work that can still write it.

Each app declares its places in `<app>/data_map.py` and registers them in its
`AppConfig.ready()`; this module defines the protocol and the registry only and never imports
the apps. Export collects from every place, purge deletes every place and `verify_purge`
asks every place to prove it is empty, so a place on the map cannot be forgotten by one of
them. The system check sanoweb.E005 (tenants.checks) fails when a model with a key to Tenant,
or to a tenant-owned model, is on no place, so a new table cannot be left off the map.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import models

if TYPE_CHECKING:
    from .models import Tenant


class Kind(StrEnum):
    TENANT_TABLE = "tenant-owned table"
    KEYED_TABLE = "global table with a tenant key"
    STORAGE = "storage objects (every version)"
    SHARED_STATE = "shared state (Redis keys)"
    CELERY = "Celery results and queued messages"
    HOST_CACHE = "local cache on every worker and engine host"
    ENGINE = "serving engine state"
    RETAINED = "kept after a purge, on purpose"


@runtime_checkable
class Place(Protocol):
    """One place a tenant's data lives, and how to export, delete and verify it."""

    name: str  # unique; also the purge step that deletes it ("delete:<name>")
    kind: Kind
    models: tuple[type[models.Model], ...]  # the tables it covers (for sanoweb.E005)
    not_exported: str  # why it is not in the export bundle; "" when it is
    order: int  # deletion order, lower first (engines before caches before storage ...)

    def inventory(self, tenant: Tenant) -> dict[str, Any]:
        """What is there now, PHI-free and JSON-able (counts, hashes, ids): the evidence the
        deletion certificate lists, and what delete and remaining are given later."""
        ...

    def collect(self, tenant: Tenant) -> dict[str, bytes]:
        """Bundle path -> bytes for the export ({} when not exported)."""
        ...

    def delete(self, tenant: Tenant, inventory: Mapping[str, Any]) -> None:
        """Delete it; idempotent (a purge killed halfway runs it again)."""
        ...

    def remaining(self, tenant: Tenant, inventory: Mapping[str, Any]) -> list[str]:
        """What is still there, one line each; [] only when proven empty (a place that cannot
        be checked says so: that is not empty)."""
        ...


@runtime_checkable
class Activity(Protocol):
    """Work in flight that could still write a tenant's data (runs, exports, streams)."""

    name: str

    def stop(self, tenant: Tenant) -> list[str]:
        """Cancel or ask to stop; what was asked, one line each (ids, never text)."""
        ...

    def running(self, tenant: Tenant) -> list[str]:
        """What has not stopped yet; [] when nothing of the tenant's is running."""
        ...


_places: dict[str, Place] = {}
_activities: dict[str, Activity] = {}


def register(*places: Place) -> None:
    """Put places on the map (an app's ready(); registering a name again replaces it)."""
    for place in places:
        _places[place.name] = place


def unregister(name: str) -> Place | None:
    """Take a place off the map (tests showing that the system check notices)."""
    return _places.pop(name, None)


def register_activity(*activities: Activity) -> None:
    for activity in activities:
        _activities[activity.name] = activity


def places(kind: Kind | None = None) -> list[Place]:
    """Every place, in deletion order."""
    found = sorted(_places.values(), key=lambda p: (p.order, p.name))
    return [p for p in found if kind is None or p.kind == kind]


def activities() -> list[Activity]:
    return sorted(_activities.values(), key=lambda a: a.name)


def model_label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.object_name}"


def mapped_models(on: Iterable[Place] | None = None) -> set[type[models.Model]]:
    return {model for place in (on if on is not None else _places.values())
            for model in place.models}


def models_with_tenant_key(registry: Apps | None = None) -> list[type[models.Model]]:
    """Concrete models holding a key to Tenant, or to a model that does (found by following
    foreign keys, so an indirect child of a tenant-owned table is found too)."""
    from .models import Tenant

    candidates = [m for m in (registry or global_apps).get_models()
                  if not m._meta.proxy and not m._meta.abstract]
    keyed: set[type[models.Model]] = set()
    changed = True
    while changed:
        changed = False
        for model in candidates:
            if model in keyed:
                continue
            for field in model._meta.get_fields():
                target = field.related_model if field.many_to_one or field.one_to_one else None
                if not field.concrete or target is None:
                    continue
                if target is Tenant or target in keyed:
                    keyed.add(model)
                    changed = True
                    break
    return sorted(keyed, key=model_label)


def unmapped_models(registry: Apps | None = None,
                    on: Iterable[Place] | None = None) -> list[str]:
    """Models with a tenant key that no place covers: what sanoweb.E005 reports."""
    covered = mapped_models(on)
    return [model_label(m) for m in models_with_tenant_key(registry) if m not in covered]


def place(name: str) -> Place | None:
    return _places.get(name)
