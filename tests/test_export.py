"""BAA export bundles: complete, signed, tamper-evident, and their adapters usable elsewhere."""

import hashlib
import json
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tenants.scoping import tenant_scope
from tenants.storage import list_keys, read_verified, tenant_key, tenant_prefix, write_new
from training import services as training_services
from training.models import AdapterVersion, RunState, TrainingRun

from .factories import approved_example, base_model, exchange, indexed_document, training_set
from .mfa import force_login_verified
from .pg import superuser_connection
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


# Tables with a tenant key that the bundle leaves out on purpose, with the reason. Kept here,
# apart from the exporter's own list, so that a table the exporter forgets fails the test.
NOT_IN_THE_BUNDLE = {
    "tenants_exportrequest": "operators' records of earlier exports (each one is audited)",
    "tenants_purgerequest": "the platform's record of a purge",
    "tenants_deletioncertificate": "the platform's proof of a purge",
}


def tenant_keyed_tables() -> dict[str, str]:
    """Table -> the column that ties its rows to a tenant, read from PostgreSQL's catalogue:
    a tenant_id column, or a foreign key to a table that has one (followed to any depth)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.columns "
                       "WHERE table_schema = 'public' AND column_name = 'tenant_id'")
        keyed = {table: "tenant_id" for (table,) in cursor.fetchall()}
        cursor.execute("""
            SELECT child.relname, att.attname, parent.relname
            FROM pg_constraint c
            JOIN pg_class child ON child.oid = c.conrelid
            JOIN pg_class parent ON parent.oid = c.confrelid
            JOIN pg_attribute att ON att.attrelid = c.conrelid AND att.attnum = c.conkey[1]
            WHERE c.contype = 'f'""")
        references = cursor.fetchall()
    changed = True
    while changed:
        changed = False
        for child, column, parent in references:
            if parent in keyed and child not in keyed and parent != "tenants_tenant":
                keyed[child] = column
                changed = True
    return keyed


def rows_of(tenant, table: str, column: str) -> set[str]:
    """The primary keys of the tenant's rows, read by a superuser (past row-level security)
    with raw SQL: what the database holds, not what the exporter's code thinks it holds."""
    with connection.cursor() as cursor:
        pk = connection.introspection.get_primary_key_column(cursor, table)
        relations = connection.introspection.get_relations(cursor, table)
    if column == "tenant_id":
        query, args = f"SELECT {pk} FROM {table} WHERE tenant_id = %s", [tenant.pk]
    else:  # reached through a foreign key: rows whose parent row is the tenant's
        key, parent = relations[column]
        query = (f"SELECT {pk} FROM {table} WHERE {column} IN "
                 f"(SELECT {key} FROM {parent} WHERE tenant_id = %s)")
        args = [tenant.pk]
    with superuser_connection() as pg:
        return {str(row[0]) for row in pg.execute(query, args).fetchall()}


def model_of_table() -> dict[str, str]:
    """db table -> the bundle file's name (app label and model name), from Django's models."""
    return {m._meta.db_table: f"{m._meta.app_label}.{m._meta.object_name}"
            for m in apps.get_models()}


@pytest.mark.django_db(transaction=True)  # the superuser must see the committed rows
def test_export_holds_every_row_the_database_has_for_the_tenant(alpha, beta, tmp_path):
    adapters = two_adapters(alpha)
    approved_example(beta, question="Beta secret question?", answer="Beta secret answer.")
    exchange(alpha, "Dose of atenolol?", "50 mg daily.")
    indexed_document(alpha, "Formulary", "Atenolol 50 mg daily.")  # knowledge's tables too
    tables, files = tenant_keyed_tables(), model_of_table()
    assert {"curation_example", "tenants_auditentry", "inference_apikey", "tenants_membership",
            "tenants_deletioncertificate"} <= set(tables)  # the catalogue query sees them
    # what the database holds for alpha just before the export (it appends its own entry)
    expected = {table: rows_of(alpha.tenant, table, column)
                for table, column in sorted(tables.items()) if table not in NOT_IN_THE_BUNDLE}
    out = tmp_path / "alpha.zip"
    call_command("export_tenant", "alpha", "--out", str(out), stdout=StringIO())
    verified = StringIO()
    call_command("verify_export", str(out), stdout=verified)
    assert "verifies" in verified.getvalue()
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        bundled = {n: json.loads(archive.read(n)) for n in names
                   if n.startswith("data/") and n != "data/audit_verification.json"}
        everything = b"".join(archive.read(n) for n in names)
    assert manifest["tenant"]["slug"] == "alpha" and manifest["platform_version"]
    checked = 0
    for table, rows in expected.items():
        path = f"data/{files[table]}.json"
        assert path in bundled, f"{table} ({len(rows)} rows of alpha) is not exported"
        assert {str(row["pk"]) for row in bundled[path]} == rows, table
        checked += len(rows)
    assert checked > 20  # a positive control: the tenant really has rows in many tables
    assert any(path.endswith("curation.Example.json") and rows for path, rows in bundled.items())
    # every stored object of the tenant's datasets and adapters, found by walking the disk
    root = Path(settings.MEDIA_ROOT) / tenant_prefix(alpha.tenant)
    on_disk = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()
               and p.relative_to(root).parts[0] in ("datasets", "adapters", "documents")}
    assert on_disk and {f"storage/{p}" for p in on_disk} <= names
    for adapter in adapters:
        assert f"storage/adapters/{adapter.sha256}/adapter_model.safetensors" in names
    assert b"Beta secret" not in everything and str(beta.tenant.pk).encode() not in everything
    assert b"secret_sha256" not in everything  # API keys go without their hash


def test_the_export_refuses_to_start_or_finish_once_a_purge_is_approved(
        alpha, django_user_model, monkeypatch):
    from offboarding import export, purge

    monkeypatch.setattr(purge, "_enqueue", lambda purge_id: None)
    monkeypatch.setattr(export, "_enqueue", lambda item: None)
    op1 = django_user_model.objects.create_superuser("o1@sanoweb.test", "o1@sanoweb.test", "x")
    op2 = django_user_model.objects.create_superuser("o2@sanoweb.test", "o2@sanoweb.test", "x")
    item = export.request_export(alpha.tenant, op1)  # queued, not yet built
    purge.approve_purge(purge.request_purge(alpha.tenant, op1, "ended"), op2)
    assert export.run_export(item.pk).status == "failed"
    assert list_keys(tenant_prefix(alpha.tenant) + "exports") == []


def test_changing_one_byte_fails_verification(alpha, tmp_path):
    two_adapters(alpha)
    out = tmp_path / "alpha.zip"
    call_command("export_tenant", "alpha", "--out", str(out), stdout=StringIO())
    tampered = tmp_path / "tampered.zip"
    changed: list[str] = []
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
    force_login_verified(client, operator)
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
