"""BAA export bundles: complete, signed, tamper-evident, and their adapters usable elsewhere."""

import hashlib
import json
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from tenants.registry import model_label, tenant_owned_models
from tenants.scoping import tenant_scope
from tenants.storage import read_verified, tenant_key, write_new
from training import services as training_services
from training.models import AdapterVersion, RunState, TrainingRun

from .factories import approved_example, base_model, training_set
from .test_inference_e2e import CANARY


def two_adapters(users):
    snapshot, base = training_set(users), base_model()
    adapters = []
    for canary in ("canary_a", "canary_b"):
        with tenant_scope(users.tenant):
            run = TrainingRun.objects.create(training_set=snapshot, base_revision=base.revision,
                                             created_by=users.admin, state=RunState.UPLOADING)
        adapters.append(training_services._upload_and_register(
            users.tenant, run.pk, CANARY / canary, base.revision, 8, None))
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

    from tenants.export import run_export
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


def legacy_adapter(users):
    """An adapter as registered before issue 19: its config names the base by the training
    host's directory, and it stores no base_model.json."""
    snapshot, base = training_set(users), base_model()
    config = json.loads((CANARY / "canary_a" / "adapter_config.json").read_bytes())
    config["base_model_name_or_path"] = str(Path(settings.MODELS_DIR) / "smollm2-135m-instruct")
    blobs = {"adapter_config.json": json.dumps(config, indent=2, sort_keys=True).encode(),
             "adapter_model.safetensors":
                 (CANARY / "canary_a" / "adapter_model.safetensors").read_bytes()}
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in blobs.items()}
    digest = training_services.adapter_digest(hashes)
    prefix = tenant_key(users.tenant, "adapters", digest)
    for name, data in blobs.items():
        write_new(f"{prefix}/{name}", data)
    with tenant_scope(users.tenant):
        run = TrainingRun.objects.create(
            training_set=snapshot, base_revision=base.revision, created_by=users.admin,
            state=RunState.SUCCEEDED, hyperparameters={"rank": 8, "eval_fraction": 0.1},
            loss_history=[{"step": 1, "loss": 2.5}, {"step": 2, "loss": 1.25, "eval_loss": 1.5}])
        return AdapterVersion.objects.create(
            run=run, sha256=digest, size_bytes=sum(len(b) for b in blobs.values()),
            storage_prefix=prefix, files=hashes, base_revision=base.revision, rank=8)


def _export(tmp_path, slug="alpha"):
    out = tmp_path / f"{slug}.zip"
    call_command("export_tenant", slug, "--out", str(out), stdout=StringIO())
    call_command("verify_export", str(out), stdout=StringIO())  # raises when it does not
    return out


def test_a_legacy_adapters_local_base_path_is_corrected_in_the_bundle_and_said_so(
        alpha, tmp_path):
    adapter = legacy_adapter(alpha)
    folder = f"storage/adapters/{adapter.sha256}"
    stored = {name: read_verified(alpha.tenant, f"{adapter.storage_prefix}/{name}", digest)
              for name, digest in adapter.files.items()}
    assert str(settings.MODELS_DIR).encode() in stored["adapter_config.json"]  # the control
    with zipfile.ZipFile(_export(tmp_path)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        exported = {n[len(folder) + 1:]: archive.read(n) for n in archive.namelist()
                    if n.startswith(folder + "/")}
        everything = b"".join(archive.read(n) for n in archive.namelist())
    assert str(settings.MODELS_DIR).encode() not in everything
    config = json.loads(exported["adapter_config.json"])
    assert config["base_model_name_or_path"] == "sanoweb-test/test-base"
    assert {k: v for k, v in config.items() if k != "base_model_name_or_path"} == {
        k: v for k, v in json.loads(stored["adapter_config.json"]).items()
        if k != "base_model_name_or_path"}
    assert exported["adapter_model.safetensors"] == stored["adapter_model.safetensors"]
    record = json.loads(exported["base_model.json"])
    assert record["base_model"] == "sanoweb-test/test-base"
    assert record["base_revision"] == adapter.base_revision
    [entry] = manifest["adapters"]
    assert entry["adapter_version"] == str(adapter.pk) and entry["adapter_sha256"] == adapter.sha256
    corrected = {c["file"]: c for c in entry["corrected"]}
    assert set(corrected) == {"adapter_config.json", "base_model.json"}
    assert corrected["adapter_config.json"]["stored_sha256"] == adapter.files["adapter_config.json"]
    assert corrected["base_model.json"]["stored_sha256"] is None
    for name, item in corrected.items():  # the signed manifest names the exported bytes
        digest = hashlib.sha256(exported[name]).hexdigest()
        assert item["exported_sha256"] == digest == manifest["files"][f"{folder}/{name}"]
    # the registry stays true for the bytes it names: storage was not rewritten
    assert read_verified(alpha.tenant, f"{adapter.storage_prefix}/adapter_config.json",
                         adapter.files["adapter_config.json"]) == stored["adapter_config.json"]
    card = exported["MODEL_CARD.md"].decode()
    assert "corrected at export" in card and adapter.sha256 in card


def test_every_adapter_has_a_model_card_and_the_readme_explains_every_file(alpha, tmp_path):
    adapters = two_adapters(alpha)  # registered now: portable from the start
    with zipfile.ZipFile(_export(tmp_path)) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        readme = archive.read("README.md").decode()
        cards = {a.sha256: archive.read(f"storage/adapters/{a.sha256}/MODEL_CARD.md").decode()
                 for a in adapters}
    assert [e["corrected"] for e in manifest["adapters"]] == [[], []]  # nothing to correct
    assert "README.md" in manifest["files"]  # signed like every other file
    for name in names:
        line = next(line for line in readme.splitlines() if line.startswith(f"| `{name}` |"))
        assert not line.endswith("|  |"), f"{name} is listed but not explained"
    for adapter in adapters:
        card = cards[adapter.sha256]
        assert adapter.sha256 in card and adapter.base_revision in card
        assert f"--lora-modules adapter-{adapter.sha256[:12]}=storage/adapters/{adapter.sha256}" \
            in card
        assert "sanoweb-test/test-base" in card
