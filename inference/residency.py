"""Which adapters the vLLM server holds, and loading them safely.

An adapter is copied from its tenant's storage into a local folder named by its content hash
(verifying every file's sha256), and only a path that resolves inside that cache root is ever
handed to vLLM's load endpoint, which would otherwise load any readable path. A shared lock
makes concurrent first requests load an adapter once; a shared scored set keeps the
most-recently-used adapters within the server's limit and unloads the rest. Both live in
`tenants.shared_state`: Redis when configured, a local file on the embedded default.

Before an adapter is first put into service it passes the load-time check
(inference.load_probe): trained on the base the engine serves, and changing its output. One
that fails is unloaded, marked not servable with the reason, audited, and never loaded again.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import time
from pathlib import Path

import httpx
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from inference import engine_http, load_probe
from tenants import audit, closing, host_caches, shared_state
from tenants.scoping import tenant_scope
from tenants.storage import read_verified
from training.adapter_files import SERVING_FILES
from training.models import AdapterVersion, LoadCheck

LOADED = "sanoweb:vllm:loaded"  # sorted set: serving name -> last use
METRICS = "sanoweb:vllm:metrics"  # hash: loads, hits, evictions, load_ms_total


class AdapterLoadError(RuntimeError):
    """The adapter could not be made available on the serving engine."""


class UnsafeAdapterPath(AdapterLoadError):
    """A path outside the tenant's adapter cache root: never sent to vLLM."""


class AdapterRefused(AdapterLoadError):
    """The load-time check refused the adapter; it is marked not servable (the message is the
    reason: no_effect, base_revision_mismatch, engine_base_mismatch, base_file_mismatch)."""


def _key(name: str) -> str:
    return f"{LOADED}:{settings.VLLM_URL}:{name}"


def cache_root() -> Path:
    root = Path(settings.VLLM_ADAPTER_CACHE).resolve()
    root.mkdir(parents=True, exist_ok=True)
    return root


def tenant_root(adapter: AdapterVersion) -> Path:
    return cache_root() / str(adapter.tenant_id)


def checked_path(adapter: AdapterVersion, path: Path) -> Path:
    """Canonicalise `path`; refuse it unless it lies inside the tenant's cache root."""
    root = tenant_root(adapter).resolve()
    resolved = path.resolve()  # follows symlinks: a link out of the root is refused too
    if resolved != root and root not in resolved.parents:
        raise UnsafeAdapterPath("Adapter path outside the tenant's adapter root.")
    if ".." in path.parts:
        raise UnsafeAdapterPath("Adapter path contains '..'.")
    return resolved


def local_copy(adapter: AdapterVersion) -> Path:
    """The verified local folder for `adapter` (copied from tenant storage once per hash)."""
    target = tenant_root(adapter) / adapter.sha256
    if target.exists() and all((target / name).exists() for name in SERVING_FILES):
        for name in SERVING_FILES:  # the cache is re-verified, not trusted
            if hashlib.sha256((target / name).read_bytes()).hexdigest() != adapter.files[name]:
                shutil.rmtree(target)
                break
        else:
            return checked_path(adapter, target)
    host_caches.announce()  # this host now keeps a copy that a purge must find
    tmp = target.with_name(f".{target.name}.tmp-{time.time_ns()}")
    tmp.mkdir(parents=True)
    for name in SERVING_FILES:
        data = read_verified(adapter.tenant, f"{adapter.storage_prefix}/{name}",
                             adapter.files[name], default_storage)
        (tmp / name).write_bytes(data)
    try:
        tmp.rename(target)
    except OSError:  # another process finished first; theirs is identical
        shutil.rmtree(tmp, ignore_errors=True)
    return checked_path(adapter, target)


def _vllm(path: str, body: dict[str, str], url: str | None = None) -> httpx.Response:
    with engine_http.client(url) as engine:
        return engine.post(path, json=body)


def load_path(name: str, path: Path, adapter: AdapterVersion) -> None:
    """The only call that hands vLLM a path: checked against the tenant's root first."""
    safe = checked_path(adapter, path)
    try:
        response = _vllm("/v1/load_lora_adapter", {"lora_name": name, "lora_path": str(safe)})
    except httpx.HTTPError as exc:
        raise AdapterLoadError("engine_unreachable") from exc
    if response.status_code != 200 and "already been loaded" not in response.text:
        raise AdapterLoadError(f"load failed with status {response.status_code}")


class AdapterRebound(AdapterLoadError):
    """vLLM serves the tenant's serving name from a path that is not the tenant's adapter."""


def served_roots(url: str | None = None) -> dict[str, str]:
    """What the engine itself says it serves: adapter name -> the path it was loaded from."""
    try:
        with engine_http.client(url) as engine:
            response = engine.get("/v1/models")
        response.raise_for_status()
        return {m["id"]: str(m.get("root", "")) for m in response.json().get("data", [])}
    except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AdapterLoadError("engine_unreachable") from exc


def _check_binding(name: str, served: dict[str, str], expected: Path) -> bool:
    """True when vLLM serves `name` from `expected`; False when it does not serve it.
    A name bound to any other path is an attack or a corrupted engine: AdapterRebound."""
    if name not in served:
        return False
    if Path(served[name]).resolve() != expected.resolve():
        raise AdapterRebound(name)
    return True


def ensure_loaded(adapter: AdapterVersion) -> None:
    """Residency is what the engine says, checked on every call, never a cached belief: the
    adapter vLLM serves under the tenant's name must be the tenant's own copy, and it serves
    only once its load-time check passed."""
    name, state = adapter.serving_name, shared_state.backend()
    if adapter.load_check == LoadCheck.REFUSED:
        raise AdapterRefused(adapter.load_check_reason or "refused")
    expected = local_copy(adapter)
    if adapter.load_check == LoadCheck.PASSED and _check_binding(name, served_roots(), expected):
        state.add(LOADED, _key(name), time.time())
        state.incr(METRICS, "hits")
        return
    try:
        with state.lock(_key(name), timeout=120):
            _reread_check(adapter)  # another process may have checked it while we waited
            if adapter.load_check == LoadCheck.REFUSED:
                raise AdapterRefused(adapter.load_check_reason or "refused")
            served = served_roots()
            if _check_binding(name, served, expected):  # loaded while we waited
                state.incr(METRICS, "hits")
            else:
                with tenant_scope(adapter.tenant):
                    mismatch = load_probe.base_mismatch(adapter, served)
                if mismatch:  # refused before vLLM ever sees it
                    _refuse(adapter, mismatch, loaded=False)
                started = time.perf_counter()
                load_path(name, expected, adapter)
                state.incr(METRICS, "loads")
                state.incr(METRICS, "load_ms_total",
                           round(1000 * (time.perf_counter() - started)))
            if adapter.load_check != LoadCheck.PASSED:
                _check_effect(adapter)
            state.add(LOADED, _key(name), time.time())
    except shared_state.LockTimeout as exc:
        raise AdapterLoadError("load_lock_timeout") from exc
    _evict_beyond_limit(state)


def _reread_check(adapter: AdapterVersion) -> None:
    with tenant_scope(adapter.tenant):
        adapter.refresh_from_db(fields=["load_check", "load_check_reason", "load_checked_at"])


def _check_effect(adapter: AdapterVersion) -> None:
    """The probe, on the loaded adapter: pass it, or unload and refuse it."""
    try:
        changed = load_probe.changes_output(adapter.serving_name)
    except load_probe.ProbeFailed as exc:  # no verdict: not served now, checked again later
        unload(adapter.serving_name)
        raise AdapterLoadError(f"load_check_failed:{exc}") from exc
    if not changed:
        _refuse(adapter, "no_effect", loaded=True)
    _record_check(adapter, LoadCheck.PASSED, "")


def _refuse(adapter: AdapterVersion, reason: str, *, loaded: bool) -> None:
    """Take the adapter out of service for good and say why; always raises AdapterRefused."""
    if loaded:
        unload(adapter.serving_name)
    _record_check(adapter, LoadCheck.REFUSED, reason)
    raise AdapterRefused(reason)


def _record_check(adapter: AdapterVersion, verdict: str, reason: str) -> None:
    with tenant_scope(adapter.tenant), transaction.atomic():
        AdapterVersion.objects.filter(pk=adapter.pk).update(
            load_check=verdict, load_check_reason=reason, load_checked_at=timezone.now())
        adapter.load_check, adapter.load_check_reason = verdict, reason
        # a tenant being purged takes no entries; its adapter goes with it
        with contextlib.suppress(closing.TenantClosed):
            audit.append(adapter.tenant, f"inference.adapter_load_{verdict}",
                         actor="system:router", target=f"adapter:{adapter.pk}",
                         model_pin=adapter.model_pin,
                         payload={"reason": reason, "engine": settings.VLLM_URL})


def is_loaded(adapter: AdapterVersion) -> bool:
    return shared_state.backend().score(LOADED, _key(adapter.serving_name)) is not None


def forget(adapter: AdapterVersion) -> None:
    """vLLM says it does not have the adapter: drop our belief so the next call reloads."""
    shared_state.backend().remove(LOADED, _key(adapter.serving_name))


def unload(name: str, url: str | None = None) -> None:
    # an unreachable engine holds nothing we can unload; the belief goes anyway
    with contextlib.suppress(httpx.HTTPError):
        _vllm("/v1/unload_lora_adapter", {"lora_name": name}, url)
    shared_state.backend().remove(LOADED, f"{LOADED}:{url or settings.VLLM_URL}:{name}")


def _engine_members(state: shared_state.SharedState) -> list[str]:
    prefix = _key("")
    return [m for m in state.members(LOADED) if m.startswith(prefix)]


def _evict_beyond_limit(state: shared_state.SharedState) -> None:
    loaded = _engine_members(state)
    for member in loaded[: max(0, len(loaded) - settings.VLLM_MAX_CPU_LORAS)]:
        unload(member[len(_key("")):])
        state.incr(METRICS, "evictions")


def metrics() -> dict[str, int]:
    return shared_state.backend().counters(METRICS)


def reset_for_new_engine() -> None:
    """A (re)started engine holds no adapters."""
    state = shared_state.backend()
    for member in _engine_members(state):
        state.remove(LOADED, member)
