"""Tenant-scoped object storage: every key lies under tenants/<tenant-uuid>/.

Keys are built only from the tenant's uuid, fixed category names and values the platform
generated (versions, hashes): never from user input. Writes are create-only.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage

from .models import Tenant

CATEGORIES = frozenset({"datasets", "adapters", "exports", "tmp", "documents"})
_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class StorageKeyError(ValueError):
    """A key part that could escape the tenant's prefix."""


class IntegrityError(RuntimeError):
    """A stored object's bytes no longer match the hash recorded for them."""


def tenant_prefix(tenant: Tenant) -> str:
    return f"tenants/{tenant.pk}/"


def tenant_key(tenant: Tenant, category: str, *parts: str) -> str:
    if category not in CATEGORIES:
        raise StorageKeyError(f"Unknown storage category {category!r}.")
    for part in parts:
        if not _SAFE_PART.match(part) or ".." in part:
            raise StorageKeyError("Unsafe storage key part.")
    return "/".join([tenant_prefix(tenant) + category, *parts])


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_new(key: str, data: bytes, storage: Storage | None = None) -> str:
    """Create `key` with `data`; refuse to replace an existing object."""
    storage = storage or default_storage
    if storage.exists(key):
        raise FileExistsError(f"{key} already exists.")
    saved = storage.save(key, ContentFile(data))
    if saved != key:  # the backend picked another name: someone raced us to the key
        storage.delete(saved)
        raise FileExistsError(f"{key} already exists.")
    return key


def read_verified(
    tenant: Tenant, key: str, expected_sha256: str, storage: Storage | None = None
) -> bytes:
    """Read `tenant`'s object `key`; fail loudly when its bytes do not hash as recorded."""
    if not key.startswith(tenant_prefix(tenant)) or ".." in key:
        raise StorageKeyError("Key outside the tenant's storage prefix.")
    storage = storage or default_storage
    with storage.open(key, "rb") as handle:
        data: bytes = handle.read()
    actual = sha256_hex(data)
    if actual != expected_sha256:
        raise IntegrityError(
            f"{key} is corrupt or tampered: sha256 {actual[:16]}… != recorded "
            f"{expected_sha256[:16]}…"
        )
    return data


def list_keys(prefix: str, storage: Storage | None = None) -> list[str]:
    """Every object key under `prefix` (recursively), sorted."""
    storage = storage or default_storage
    prefix = prefix.rstrip("/")
    if not storage.exists(prefix) and not _listable(storage, prefix):
        return []
    directories, files = storage.listdir(prefix)
    keys = [f"{prefix}/{name}" for name in files]
    for directory in directories:
        keys += list_keys(f"{prefix}/{directory}", storage)
    return sorted(keys)


def _listable(storage: Storage, prefix: str) -> bool:
    try:
        storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return True


def _versioned_bucket(storage: Storage) -> Any | None:
    """The boto3 bucket behind an S3 storage (django-storages' S3Storage), else None."""
    return getattr(storage, "bucket", None) if hasattr(storage, "_normalize_name") else None


def list_versions(prefix: str, storage: Storage | None = None) -> list[tuple[str, str]]:
    """(key, version id) of every object version and delete marker under `prefix` on a
    versioned bucket, current ones included; [] on storage that keeps no versions. A deleted
    key of a versioned bucket keeps its old versions: they are data all the same."""
    storage = storage or default_storage
    bucket = _versioned_bucket(storage)
    if bucket is None:
        return []
    name = storage._normalize_name(prefix)  # type: ignore[attr-defined]  # the location prefix
    return sorted((v.object_key, v.id) for v in bucket.object_versions.filter(Prefix=name))


def delete_every_version(prefix: str, storage: Storage | None = None) -> int:
    """Permanently delete every version and delete marker under `prefix` (no-op elsewhere)."""
    storage = storage or default_storage
    bucket = _versioned_bucket(storage)
    if bucket is None:
        return 0
    versions = list_versions(prefix, storage)
    for key, version_id in versions:
        bucket.Object(key).delete(VersionId=version_id)
    return len(versions)
