"""BAA export bundles: everything a tenant owns, in one signed archive.

The bundle holds what every place on the data map (tenants.tenant_data) collects: each
tenant-owned table and each global table with a tenant key, the storage objects (adapters,
training-set snapshots), the audit chain's verification and signed checkpoints; and
manifest.json listing each file with its sha256, the places not exported with the reason, the
tenant, the time and the platform version, signed with the platform's Ed25519 key (public key
included). A tenant being purged, or purged, is not exported.
Adapters are made usable elsewhere (portable config, model card: tenants.adapter_export) and
README.md explains every file and how to check the signature without the platform.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from tenants import adapter_export, audit, closing, signing, tenant_data
from tenants.models import ExportRequest, Tenant
from tenants.storage import read_verified, tenant_key, write_new

from . import bundle_readme
from .data_map import export_task_id

PLATFORM_VERSION = "sanoweb-0.1.0"
FORMAT = "sanoweb-export/2"  # /2: one data/<app.Model>.json per table, places not exported


class ExportRefused(ValueError):
    """The tenant is being purged, or was: its data is not exported (the message is safe)."""


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _refuse_closed(tenant: Tenant) -> None:
    if closing.is_closed(tenant):
        raise ExportRefused("This tenant is being purged or was purged; it cannot be exported.")


def collect(tenant: Tenant) -> dict[str, bytes]:
    """Bundle path -> bytes, from every place on the data map. Between two places the tenant
    is checked again: a purge approved meanwhile stops the export."""
    files: dict[str, bytes] = {}
    for place in tenant_data.places():
        _refuse_closed(tenant)
        for path, data in place.collect(tenant).items():
            if path in files:
                raise ValueError(f"{path} is collected by two places ({place.name})")
            files[path] = data
    return files


def not_exported() -> dict[str, str]:
    """Each place whose data is not in the bundle, with the reason (shown in the manifest)."""
    return {p.name: p.not_exported for p in tenant_data.places() if p.not_exported}


def build(tenant: Tenant) -> bytes:
    _refuse_closed(tenant)
    files = collect(tenant)
    adapters = adapter_export.add_to_bundle(tenant, files)  # portable configs, model cards
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "platform_version": PLATFORM_VERSION,
        "tenant": {"id": str(tenant.pk), "slug": tenant.slug, "name": tenant.name},
        "created_at": timezone.now().isoformat(),
        "not_exported": not_exported(),
        "adapters": adapters,
    }
    files[bundle_readme.NAME] = bundle_readme.render(tenant, manifest, list(files)).encode()
    manifest["files"] = {path: hashlib.sha256(data).hexdigest()
                         for path, data in sorted(files.items())}
    manifest_bytes = _canonical(manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", manifest_bytes)
        archive.writestr("manifest.sig", signing.sign(manifest_bytes))
        archive.writestr("public_key.pem", signing.public_key_pem())
        for path, data in sorted(files.items()):
            archive.writestr(path, data)
    return buffer.getvalue()


EXPORT_TTL = timedelta(hours=24)
# A pending export older than this no longer blocks a new request (see request_export).
EXPORT_STALE_AFTER = timedelta(hours=6)


def request_export(tenant: Tenant, operator: Any) -> ExportRequest:
    """Queue an export; while one of the tenant's is queued or running, return that one.

    A double click makes one bundle and one audit entry; the database constraint
    one_pending_export_per_tenant decides when two requests race. A tenant being purged, or
    purged, is refused (ExportRefused).
    """
    _refuse_closed(tenant)
    with transaction.atomic():
        pending = _pending_export(tenant)
        if pending is not None and pending.created_at > timezone.now() - EXPORT_STALE_AFTER:
            return pending
        if pending is not None:
            # Hours old: its worker most likely died (a re-delivery skips a running export),
            # and it must not block the tenant's exports for good.
            ExportRequest.objects.filter(pk=pending.pk).update(status=ExportRequest.Status.FAILED)
        try:
            with transaction.atomic():  # a savepoint: losing the race must not end the outer one
                item = ExportRequest.objects.create(tenant=tenant, requested_by=operator)
        except IntegrityError:
            pending = _pending_export(tenant)
            if pending is None:
                raise  # not the race: some other integrity problem
            return pending
        audit.append(tenant, "export.requested", actor=audit.actor_for_user(operator),
                     target=f"export:{item.pk}")
        transaction.on_commit(lambda: _enqueue(item))
    return item


def _pending_export(tenant: Tenant) -> ExportRequest | None:
    return ExportRequest.objects.filter(
        tenant=tenant, status__in=[ExportRequest.Status.QUEUED, ExportRequest.Status.RUNNING],
    ).first()


def _enqueue(item: ExportRequest) -> None:
    from .tasks import build_export

    build_export.apply_async((item.pk,), task_id=export_task_id(item.tenant_id, item.pk))


def run_export(export_id: int) -> ExportRequest:
    """Build the bundle into tenants/<uuid>/exports/ (idempotent: a finished export stays).
    A purge approved before or while it builds fails it, and nothing is left behind."""
    item = ExportRequest.objects.select_related("tenant").get(pk=export_id)
    if item.status != ExportRequest.Status.QUEUED:
        return item
    ExportRequest.objects.filter(pk=item.pk).update(status=ExportRequest.Status.RUNNING,
                                                     progress=10)
    key = ""
    try:
        data = build(item.tenant)
        ExportRequest.objects.filter(pk=item.pk).update(progress=80)
        digest = hashlib.sha256(data).hexdigest()
        key = tenant_key(item.tenant, "exports", f"export-{item.pk}-{digest[:16]}.zip")
        write_new(key, data)
        with transaction.atomic():
            # The entry first: it takes the gate (closing), so a purge approved meanwhile
            # refuses it and the bundle is removed below.
            audit.append(item.tenant, "export.ready", actor="system:export",
                         target=f"export:{item.pk}", payload={"sha256": digest,
                                                               "bytes": len(data)})
            ExportRequest.objects.filter(pk=item.pk).update(
                status=ExportRequest.Status.READY, progress=100, storage_key=key,
                sha256=digest, size_bytes=len(data), expires_at=timezone.now() + EXPORT_TTL)
    except (ExportRefused, closing.TenantClosed):
        if key:
            default_storage.delete(key)
        ExportRequest.objects.filter(pk=item.pk).update(status=ExportRequest.Status.FAILED)
    except Exception:
        ExportRequest.objects.filter(pk=item.pk).update(status=ExportRequest.Status.FAILED)
        raise
    item.refresh_from_db()
    return item


class ExportUnavailable(ValueError):
    """The download link was used already, has expired, or the export is not ready."""


class ExportForbidden(PermissionError):
    """Someone other than the operator who requested the export tried to download it."""


def take_download(item: ExportRequest, operator: Any) -> bytes:
    """The bundle, once, to the operator who requested it: the first download consumes the
    link, and the file is removed. Anyone else is refused, and the refusal is audited."""
    if closing.is_closed(item.tenant):
        raise ExportUnavailable("This tenant is being purged; its exports are gone.")
    with transaction.atomic():
        item = ExportRequest.objects.select_for_update().get(pk=item.pk)
        refused = item.requested_by_id != operator.pk
        if refused:
            audit.append(item.tenant, audit.Action.EXPORT_DOWNLOAD_REFUSED,
                         actor=audit.actor_for_user(operator), target=f"export:{item.pk}",
                         payload={"requested_by": f"user:{item.requested_by_id}"})
        else:
            if item.status != ExportRequest.Status.READY:
                raise ExportUnavailable(f"This export is {item.status}.")
            if item.expires_at is None or item.expires_at < timezone.now():
                raise ExportUnavailable("This download link has expired.")
            data = read_verified(item.tenant, item.storage_key, item.sha256)
            item.status, item.downloaded_at = ExportRequest.Status.DOWNLOADED, timezone.now()
            item.save(update_fields=["status", "downloaded_at"])
            audit.append(item.tenant, "export.downloaded", actor=audit.actor_for_user(operator),
                         target=f"export:{item.pk}")
    if refused:  # raised after the commit, so that the audit entry stays
        raise ExportForbidden("Only the operator who requested this export can download it.")
    default_storage.delete(item.storage_key)
    return data


def expire_exports() -> list[int]:
    """Delete the bundles nobody downloaded before their expiry; mark and audit each one.

    Run by Celery beat (offboarding.tasks.expire_exports); idempotent: an expired row is done."""
    expired: list[int] = []
    due = ExportRequest.objects.filter(status=ExportRequest.Status.READY,
                                       expires_at__lt=timezone.now()).exclude(
        tenant__status__in=closing.CLOSED)  # a purge deletes those, and takes no entries
    for export_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            item = (ExportRequest.objects.select_for_update(of=("self",)).select_related("tenant")
                    .get(pk=export_id))
            if item.status != ExportRequest.Status.READY:
                continue  # downloaded while we looked
            # The file first, under the row lock: if the commit then fails, the row is still
            # ready and past its expiry, so the next run deletes nothing more and marks it.
            default_storage.delete(item.storage_key)
            item.status = ExportRequest.Status.EXPIRED
            item.save(update_fields=["status"])
            audit.append(item.tenant, audit.Action.EXPORT_EXPIRED, actor="system:export",
                         target=f"export:{item.pk}", payload={"sha256": item.sha256})
        expired.append(item.pk)
    return expired


def verify(path: Path, trusted_public_pem: str | None = None) -> list[str]:
    """Problems found in the bundle at `path` (empty when it verifies)."""
    problems: list[str] = []
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return [f"not a readable zip archive: {exc}"]
    with archive:
        names = set(archive.namelist())
        for required in ("manifest.json", "manifest.sig", "public_key.pem"):
            if required not in names:
                problems.append(f"{required} is missing")
        if problems:
            return problems
        manifest_bytes = archive.read("manifest.json")
        public_pem = trusted_public_pem or archive.read("public_key.pem").decode()
        if not signing.verify(manifest_bytes, archive.read("manifest.sig").decode(), public_pem):
            problems.append("the manifest signature does not verify")
        try:
            manifest = json.loads(manifest_bytes)
        except json.JSONDecodeError:
            return [*problems, "manifest.json is not JSON"]
        listed = manifest.get("files", {})
        for name, expected in sorted(listed.items()):
            if name not in names:
                problems.append(f"{name} is listed but missing")
            else:
                try:
                    actual = hashlib.sha256(archive.read(name)).hexdigest()
                except zipfile.BadZipFile:
                    actual = "unreadable"
                if actual != expected:
                    problems.append(f"{name} does not match its sha256")
        for extra in sorted(names - set(listed) - {"manifest.json", "manifest.sig",
                                                   "public_key.pem"}):
            problems.append(f"{extra} is not in the manifest")
    return problems
