"""A purge on a versioned S3 bucket: a deleted key keeps its old versions, and they are the
tenant's data too. The bucket is a real S3 API (moto's server) on loopback, reached through
django-storages and boto3 exactly as production reaches S3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from moto.server import ThreadedMotoServer

from offboarding import purge
from tenants import tenant_data
from tenants.models import DeletionCertificate, PurgeRequest
from tenants.storage import list_keys, list_versions, tenant_prefix

from .mock_engine import mock_engine

pytestmark = [pytest.mark.django_db(transaction=True)]
BUCKET = "sanoweb-purge-test"


@pytest.fixture
def versioned_bucket(settings: Any) -> Iterator[Any]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test",
                   "region_name": "us-east-1"}
    client = boto3.client("s3", endpoint_url=endpoint, **credentials)
    client.create_bucket(Bucket=BUCKET)
    client.put_bucket_versioning(Bucket=BUCKET,
                                 VersioningConfiguration={"Status": "Enabled"})
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": BUCKET, "location": "sanoweb", "endpoint_url": endpoint,
                    "access_key": "test", "secret_key": "test", "region_name": "us-east-1",
                    "file_overwrite": False}}}
    try:
        yield client
    finally:
        server.stop()


@pytest.fixture
def operators(django_user_model: Any) -> tuple[Any, Any]:
    return (django_user_model.objects.create_superuser("op1@s3.test", "op1@s3.test", "pw-1"),
            django_user_model.objects.create_superuser("op2@s3.test", "op2@s3.test", "pw-2"))


def _versions(client: Any, prefix: str) -> list[str]:
    listing = client.list_object_versions(Bucket=BUCKET, Prefix=f"sanoweb/{prefix}")
    return sorted(v["Key"] for v in listing.get("Versions", []) + listing.get(
        "DeleteMarkers", []))


def test_a_purge_deletes_every_version_and_verify_finds_old_ones(
        alpha, beta, operators, versioned_bucket, monkeypatch, settings, tmp_path):
    monkeypatch.setattr(purge, "_enqueue", lambda purge_id: None)
    settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
    client, mine, theirs = versioned_bucket, tenant_prefix(alpha.tenant), tenant_prefix(
        beta.tenant)
    assert type(storages["default"]).__name__ == "S3Storage"
    note = default_storage.save(f"{mine}documents/note.txt", ContentFile(b"first"))
    default_storage.delete(note)  # a delete marker; "first" stays as an old version
    default_storage.save(f"{mine}documents/note.txt", ContentFile(b"second"))
    default_storage.save(f"{theirs}documents/other.txt", ContentFile(b"beta's"))
    assert list_keys(mine) == [f"{mine}documents/note.txt"]
    assert len(list_versions(mine)) == 3  # two versions and the delete marker

    # deleting only the current objects is not a purge: verify still finds the old versions
    leftover = next(p for p in tenant_data.places() if p.name == "storage:tenant prefix")
    default_storage.delete(f"{mine}documents/note.txt")
    assert any("object versions" in line for line in leftover.remaining(alpha.tenant, {}))

    request = purge.approve_purge(purge.request_purge(alpha.tenant, operators[0], "Ended"),
                                  operators[1])
    with mock_engine():  # the engine's loaded adapters are on the map too
        done = purge.run_purge(request.pk)
    assert done.status == PurgeRequest.Status.DONE
    assert _versions(client, mine) == [] and list_versions(mine) == []
    assert _versions(client, theirs) == [f"sanoweb/{theirs}documents/other.txt"]
    body = json.loads(DeletionCertificate.objects.get(purge=request).body)
    assert body["verified"]["left"] == []
    assert body["deleted"]["storage:tenant prefix"]["versions"] >= 4
