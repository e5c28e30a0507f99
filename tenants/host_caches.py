"""Hosts that keep local copies of tenant data, and reaching every one of them in a purge.

A process that writes a local cache (an adapter copy for the engine, a training run's scratch
folder) or starts a Celery worker announces its host in the shared state. A purge then deletes
and checks the local caches (tenants.places.LocalCache) on this host directly and on every
other announced host through the Celery remote-control command below, which each worker
answers for its own host; an announced host that no worker answers for is reported as
unchecked. So every host that keeps such caches must run a Celery worker.
"""

from __future__ import annotations

import socket
import time
from typing import TYPE_CHECKING, Any

from celery.worker.control import control_command
from django.conf import settings

from . import shared_state

if TYPE_CHECKING:
    from .models import Tenant
    from .places import LocalCache

HOSTS = "sanoweb:hosts"  # scored set: host name -> when it last announced itself
COMMAND = "sanoweb_local_cache"
REPLY_TIMEOUT = 3.0  # seconds every worker has to answer


def this_host() -> str:
    return socket.gethostname()


def announce(**_: Any) -> None:
    """Record that this host keeps (or may keep) local copies; cheap enough to call often.
    (Also a receiver of Celery's worker_ready signal, hence the keyword arguments.)"""
    shared_state.backend().add(HOSTS, this_host(), time.time())


def known_hosts() -> list[str]:
    return shared_state.backend().members(HOSTS)


def forget_host(host: str) -> None:
    """An operator retires a host (its disks wiped): purges stop asking for it."""
    shared_state.backend().remove(HOSTS, host)


def _here(place: LocalCache, tenant: Tenant, delete: bool) -> list[str]:
    if delete:
        place.delete_here(tenant)
    return place.left_here(tenant)


def ask_workers(place_name: str, tenant_id: str, *, delete: bool) -> dict[str, list[str]]:
    """Every answering worker's findings, by host ({} on a broker without broadcast, like
    the embedded default's filesystem broker, which serves one host only)."""
    from celery import current_app

    if not str(settings.CELERY_BROKER_URL).startswith(("redis", "amqp")):
        return {}
    replies = current_app.control.broadcast(
        COMMAND, arguments={"place": place_name, "tenant_id": tenant_id, "delete": delete},
        reply=True, timeout=REPLY_TIMEOUT)
    found: dict[str, set[str]] = {}
    for reply in replies or []:
        for answer in reply.values():
            if isinstance(answer, dict) and "host" in answer:
                found.setdefault(str(answer["host"]), set()).update(answer.get("left", []))
    return {host: sorted(left) for host, left in found.items()}


def on_every_host(place: LocalCache, tenant: Tenant, *, delete: bool) -> dict[str, list[str]]:
    """Host -> what of the tenant's is left in `place` there ([] when clean)."""
    results = {this_host(): _here(place, tenant, delete)}
    others = [host for host in known_hosts() if host != this_host()]
    if others:
        answered = ask_workers(place.name, str(tenant.pk), delete=delete)
        for host in others:
            results[host] = answered.get(host, [
                "no worker answered for this host: its caches could not be checked"])
    return results


@control_command(
    args=[("place", str), ("tenant_id", str), ("delete", bool)],
    signature="<place> <tenant_id> <delete>")
def sanoweb_local_cache(state: Any, place: str, tenant_id: str,
                        delete: bool = False) -> dict[str, Any]:
    """Run in a worker: delete (when asked) and report the tenant's entries of one cache."""
    from .models import Tenant
    from .tenant_data import place as find_place

    cache = find_place(place)
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if cache is None or tenant is None or not hasattr(cache, "delete_here"):
        return {"host": this_host(), "left": [f"unknown cache {place!r} or tenant"]}
    return {"host": this_host(), "left": _here(cache, tenant, delete)}  # type: ignore[arg-type]
