"""The platform's Ed25519 signing key, for export manifests and deletion certificates.

The private key lives in a file outside the database (PLATFORM_SIGNING_KEY, mode 0600); the
public key is published in every bundle and on the admin site. Outside production the file is
created on first use; production (PLATFORM_SIGNING_KEY_AUTOCREATE off) refuses a missing key,
since a key made silently by one process would not be the key verifiers know:
`manage.py create_signing_key` makes it once, on purpose.
"""

from __future__ import annotations

import base64
import os
from contextlib import suppress
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _key_path() -> Path:
    return Path(settings.PLATFORM_SIGNING_KEY)


def create_key() -> Path:
    """Write a new key file; FileExistsError if there is one (a key is never replaced)."""
    path = _key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return path


def private_key() -> Ed25519PrivateKey:
    path = _key_path()
    if not path.exists():
        if not settings.PLATFORM_SIGNING_KEY_AUTOCREATE:
            raise ImproperlyConfigured(
                f"The platform signing key {path} does not exist; create it once with "
                "`manage.py create_signing_key` (or point PLATFORM_SIGNING_KEY at it).")
        with suppress(FileExistsError):  # another process created it first: use that one
            create_key()
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError("PLATFORM_SIGNING_KEY is not an Ed25519 key.")
    return loaded


def public_key_pem() -> str:
    return private_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def sign(data: bytes) -> str:
    return base64.b64encode(private_key().sign(data)).decode()


def verify(data: bytes, signature_b64: str, public_pem: str) -> bool:
    key = serialization.load_pem_public_key(public_pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        return False
    try:
        key.verify(base64.b64decode(signature_b64), data)
    except (InvalidSignature, ValueError):
        return False
    return True
