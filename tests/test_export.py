"""BAA export bundles: complete, signed, and tamper-evident."""

import json
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tenants.registry import model_label, tenant_owned_models
from tenants.scoping import tenant_scope
from training import services as training_services
from training.models import RunState, TrainingRun

from .factories import approved_example, training_set
from .test_inference_e2e import CANARY


def two_adapters(users):
    snapshot = training_set(users)
    adapters = []
    for canary in ("canary_a", "canary_b"):
        with tenant_scope(users.tenant):
            run = TrainingRun.objects.create(training_set=snapshot, base_revision="x" * 64,
                                             created_by=users.admin, state=RunState.UPLOADING)
        adapters.append(training_services._upload_and_register(
            users.tenant, run.pk, CANARY / canary, "x" * 64, 8, None))
    return adapters


def test_export_holds_everything_the_tenant_owns_and_verifies(alpha, beta, tmp_path):
    adapters = two_adapters(alpha)
    approved_example(beta, question="Beta secret question?", answer="Beta secret answer.")
    out = tmp_path / "alpha.zip"
    call_command("export_tenant", "alpha", "--out", str(out), stdout=StringIO())
    verified = StringIO()
    call_command("verify_export", str(out), stdout=verified)
    assert "verifies" in verified.getvalue()
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        everything = b"".join(archive.read(n) for n in names)
    assert manifest["tenant"]["slug"] == "alpha" and manifest["platform_version"]
    for model in tenant_owned_models():  # every tenant-owned table, by construction
        assert f"data/{model_label(model)}.json" in names
    for adapter in adapters:
        for name in ("adapter_config.json", "adapter_model.safetensors"):
            assert f"storage/adapters/{adapter.sha256}/{name}" in names
    assert any(n.startswith("storage/datasets/") for n in names)
    assert b"Beta secret" not in everything and str(beta.tenant.pk).encode() not in everything


def test_changing_one_byte_fails_verification(alpha, tmp_path):
    two_adapters(alpha)
    out = tmp_path / "alpha.zip"
    call_command("export_tenant", "alpha", "--out", str(out), stdout=StringIO())
    tampered = tmp_path / "tampered.zip"
    changed = []
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith("adapter_model.safetensors") and not changed:
                data = data[:100] + bytes([data[100] ^ 1]) + data[101:]  # one byte
                changed.append(item.filename)
            target.writestr(item, data)
    with pytest.raises(CommandError, match="does not match its sha256") as failure:
        call_command("verify_export", str(tampered))
    assert changed[0] in str(failure.value) and str(failure.value).count("sha256") == 1


def test_a_forged_manifest_fails_the_signature(alpha, tmp_path):
    out = tmp_path / "alpha.zip"
    call_command("export_tenant", "alpha", "--out", str(out), stdout=StringIO())
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(forged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "manifest.json":
                data = data.replace(b'"alpha"', b'"gamma"')
            target.writestr(item, data)
    with pytest.raises(CommandError, match="signature does not verify"):
        call_command("verify_export", str(forged))


@pytest.mark.django_db(transaction=True)
def test_admin_export_is_built_then_downloads_once(alpha, django_user_model, settings, tmp_path):
    from django.test import Client
    from django.urls import reverse

    from offboarding.export import run_export
    from tenants.models import AuditEntry, ExportRequest

    two_adapters(alpha)
    operator = django_user_model.objects.create_superuser("op@sanoweb.test", "op@sanoweb.test",
                                                          "operator-pass")
    client = Client()
    client.force_login(operator)
    client.post(reverse("admin:tenant_export", args=[alpha.tenant.pk]))
    item = ExportRequest.objects.get(tenant=alpha.tenant)
    run_export(item.pk)  # what the queued task does
    listing = client.get(reverse("admin:tenants_exportrequest_changelist")).content.decode()
    assert "export-download" in listing
    first = client.get(reverse("admin:export_download", args=[item.public_id]))
    assert first.status_code == 200
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(first.content)
    call_command("verify_export", str(bundle), stdout=StringIO())
    assert client.get(reverse("admin:export_download", args=[item.public_id])).status_code == 410
    with tenant_scope(alpha.tenant):
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"export.requested", "export.ready", "export.downloaded"} <= actions
