"""Tenant deletion: two-person approval, nothing written after approval, purge everywhere on
the data map, verified before the certificate is signed, resumable; what survives."""

import json
import tempfile
from pathlib import Path

import httpx
import pytest
import redis
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from inference import engine_auth, residency, router
from inference.services import create_key
from offboarding import export, purge
from tenants import audit, checkpoints, closing, host_caches, signing, tenant_data
from tenants.audit import verify_chain
from tenants.dbroles import owner_credentials
from tenants.models import AuditEntry, DeletionCertificate, PurgeRequest, Tenant
from tenants.scoping import tenant_scope
from tenants.storage import list_keys, tenant_prefix
from training import services as training_services
from training.models import AdapterVersion

from .engines import vllm_engine
from .mock_engine import mock_engine
from .pg import first_value, superuser_connection
from .test_export import two_adapters

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def operators(django_user_model):
    first = django_user_model.objects.create_superuser("op1@sanoweb.test", "op1@sanoweb.test",
                                                       "operator-pass-1")
    second = django_user_model.objects.create_superuser("op2@sanoweb.test", "op2@sanoweb.test",
                                                        "operator-pass-2")
    return first, second


@pytest.fixture
def no_queue(monkeypatch):
    """No worker in these tests: the test runs the purge task's body itself."""
    monkeypatch.setattr(purge, "_enqueue", lambda purge_id: None)


def approved(users, operators):
    request = purge.request_purge(users.tenant, operators[0], "Contract ended")
    return purge.approve_purge(request, operators[1])


def audit_rows(tenant) -> int:
    """Counted by a superuser, past row-level security: what is really left in the table."""
    with superuser_connection() as pg:
        return int(first_value(pg.execute(
            "SELECT count(*) FROM tenants_auditentry WHERE tenant_id = %s", [tenant.pk])))


def test_purge_needs_a_second_operator_and_closes_the_tenant_at_approval(
        alpha, operators, no_queue):
    first, second = operators
    key = create_key(alpha.tenant, "k", alpha.admin)
    request = purge.request_purge(alpha.tenant, first, "Contract ended")
    with pytest.raises(purge.PurgeError, match="Another operator"):
        purge.approve_purge(request, first)
    with pytest.raises(purge.PurgeError, match="Only platform operators"):
        purge.request_purge(alpha.tenant, alpha.admin, "x")
    purge.approve_purge(request, second)
    assert Tenant.objects.get(pk=alpha.tenant.pk).status == Tenant.Status.PURGING
    client = alpha.client_for(alpha.admin)
    assert client.get(reverse("audit_log")).status_code == 302  # no tenant to act for
    api = client.get(reverse("openai_models"), HTTP_AUTHORIZATION=f"Bearer {key.secret}")
    assert api.status_code == 403 and api.json()["error"]["code"] == "tenant_suspended"


def test_nothing_but_the_purge_writes_for_a_tenant_being_purged(alpha, operators, no_queue):
    adapter = two_adapters(alpha)[0]
    with tenant_scope(alpha.tenant):
        snapshot = adapter.run.training_set
    approved(alpha, operators)
    with pytest.raises(closing.TenantClosed):
        audit.append(alpha.tenant, "curation.example_proposed", actor="user:1")
    audit.append(alpha.tenant, "purge.note", actor="system:purge")  # the purge's own goes in
    with pytest.raises(export.ExportRefused):
        export.request_export(alpha.tenant, operators[0])
    with tenant_scope(alpha.tenant), pytest.raises(training_services.TrainingError,
                                                   match="being deleted"):
        training_services.start_run(snapshot, alpha.admin)
    with pytest.raises(router.TenantModelUnavailable, match="tenant_not_active"):
        router.infer(alpha.tenant, "user:1", {"messages": [{"role": "user", "content": "hi"}]})
    with tenant_scope(alpha.tenant):
        actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions[-2:] == ["purge.approved", "purge.note"]


def test_a_full_purge_deletes_every_place_and_signs_only_after_verifying(
        alpha, beta, operators, no_queue, settings, tmp_path):
    settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
    with mock_engine() as engine:
        a_adapters, b_adapters = two_adapters(alpha), two_adapters(beta)
        for adapter in a_adapters + b_adapters:
            residency.ensure_loaded(adapter)
        create_key(alpha.tenant, "k", alpha.admin)
        redis.Redis.from_url(settings.REDIS_URL).set(f"cache:{alpha.tenant.pk.hex}:x", "1")
        request = approved(alpha, operators)
        done = purge.run_purge(request.pk)
        assert done.status == PurgeRequest.Status.DONE
        assert purge.verify_purge(alpha.tenant) == []
        assert sorted(engine.loaded) == sorted(a.serving_name for a in b_adapters)
    assert done.steps_done.index("verify") < done.steps_done.index("certificate")
    assert {f"delete:{p.name}" for p in tenant_data.places()
            if p.kind != tenant_data.Kind.RETAINED} <= set(done.steps_done)
    assert Tenant.objects.get(pk=alpha.tenant.pk).status == Tenant.Status.PURGED
    assert list_keys(tenant_prefix(alpha.tenant)) == []
    assert not (tmp_path / "cache" / str(alpha.tenant.pk)).exists()
    assert (tmp_path / "cache" / str(beta.tenant.pk)).exists()
    with tenant_scope(beta.tenant):
        assert AdapterVersion.objects.count() == 2
    assert verify_chain(beta.tenant).ok
    certificate = DeletionCertificate.objects.get(purge=request)
    body = json.loads(certificate.body)
    assert signing.verify(certificate.body.encode(), certificate.signature,
                          certificate.public_key)
    assert body["verified"]["left"] == [] and body["sla_met"]
    assert body["deleted"]["table:training.AdapterVersion"]["sha256"] == sorted(
        a.sha256 for a in a_adapters)
    assert body["deleted"]["table:tenants.AuditEntry"]["rows"] > 0
    assert set(body["verified"]["places"]) == {p.name for p in tenant_data.places()}


def test_what_survives_a_purge_is_the_checkpoints_and_the_certificate(
        alpha, operators, no_queue, settings, tmp_path):
    settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
    checkpoints.write_checkpoint(alpha.tenant)  # an earlier hourly checkpoint
    audit.append(alpha.tenant, "tenant.page_viewed", actor="user:1")
    assert audit_rows(alpha.tenant) > 3  # the count sees the chain while it is there
    with mock_engine():
        request = purge.run_purge(approved(alpha, operators).pk)
    body = json.loads(DeletionCertificate.objects.get(purge=request).body)
    # the chain's rows are gone: they name the tenant's users
    assert audit_rows(alpha.tenant) == 0
    # the signed checkpoints stay, the latest being the final head the certificate records
    kept = checkpoints.stored_checkpoints(alpha.tenant)
    assert len(kept) == 2 and body["final_checkpoint"]["seq"] == body["final_audit_head"]["seq"]
    verdict = checkpoints.verify_audit(alpha.tenant)
    assert verdict.ok and "purged on" in verdict.message and "cut back" not in verdict.message
    call_command("verify_audit", "alpha")
    assert set(body["retained"]) == {"audit checkpoints", "deletion certificates",
                                     "purge records", "tenant row"}
    # ...and they prove something: without the last checkpoint the head no longer matches
    default_storage.delete(kept[-1])
    verdict = checkpoints.verify_audit(alpha.tenant)
    assert not verdict.ok and "not the final head" in verdict.message


def test_an_export_of_a_purged_tenant_is_refused(alpha, operators, no_queue, settings,
                                                 tmp_path):
    settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
    with mock_engine():
        purge.run_purge(approved(alpha, operators).pk)
    with pytest.raises(export.ExportRefused):
        export.request_export(alpha.tenant, operators[0])
    with pytest.raises(export.ExportRefused):
        export.build(alpha.tenant)
    with pytest.raises(CommandError, match="purged"):
        call_command("export_tenant", "alpha", "--out", str(tmp_path / "x.zip"))
    assert not (tmp_path / "x.zip").exists()


def test_verify_purge_finds_a_leftover_in_every_kind_of_place(
        alpha, operators, no_queue, settings, tmp_path):
    """After a clean purge, plant one leftover of each kind: each must be found."""
    settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
    with mock_engine() as engine:
        purge.run_purge(approved(alpha, operators).pk)
        assert purge.verify_purge(alpha.tenant) == []
        tenant, hexid = alpha.tenant, alpha.tenant.pk.hex
        default_storage.save(f"{tenant_prefix(tenant)}datasets/late.jsonl", ContentFile(b"x"))
        client = redis.Redis.from_url(settings.REDIS_URL)
        client.set(f"sanoweb:something:{hexid}", "1")
        client.rpush("gpu", json.dumps({"headers": {"id": f"{hexid}-train-1"}}))
        (tmp_path / "cache" / str(tenant.pk) / "abc").mkdir(parents=True)
        scratch = Path(tempfile.mkdtemp(prefix=training_services.scratch_prefix(tenant)))
        engine.loaded[f"t{hexid}-0123456789abcdef"] = "/somewhere"
        with owner_credentials(), connection.cursor() as cursor:
            cursor.execute("UPDATE tenants_tenant SET status = 'active' WHERE id = %s",
                           [tenant.pk])
        key = create_key(tenant, "late", alpha.admin)
        left = "\n".join(purge.verify_purge(tenant))
        for expected in ("datasets/", "shared state", "Celery broker", str(tenant.pk),
                         scratch.name, f"t{hexid}-0123456789abcdef", "inference.ApiKey",
                         "tenants.AuditEntry"):
            assert expected in left, expected
        engine.models_error = httpx.ConnectError("engine down")
        assert "vLLM: could not be checked" in "\n".join(purge.verify_purge(tenant))
    scratch.rmdir()
    key.key.delete()
    client.delete("gpu", f"sanoweb:something:{hexid}")


def test_a_host_nobody_can_check_withholds_the_certificate(alpha, operators, no_queue,
                                                           settings, tmp_path, monkeypatch):
    settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
    monkeypatch.setattr(host_caches, "REPLY_TIMEOUT", 0.5)  # nobody will answer anyway
    request = approved(alpha, operators)
    try:
        redis.Redis.from_url(settings.REDIS_URL).zadd(host_caches.HOSTS, {"ghost-host": 1.0})
        with mock_engine(), pytest.raises(purge.PurgeNotYet, match="ghost-host"):
            purge.run_purge(request.pk)
        request.refresh_from_db()
        assert request.status == PurgeRequest.Status.APPROVED
        assert not DeletionCertificate.objects.filter(purge=request).exists()
        assert not any(s.startswith("delete") for s in request.steps_done)  # redone next time
        assert any("ghost-host" in line for line in request.evidence["verified"]["left"])
    finally:
        host_caches.forget_host("ghost-host")
    with mock_engine():
        assert purge.run_purge(request.pk).status == PurgeRequest.Status.DONE
    assert DeletionCertificate.objects.filter(purge=request).exists()


def test_a_purge_killed_halfway_resumes_and_an_unreachable_engine_is_not_clean(
        alpha, beta, operators, no_queue, settings, monkeypatch):
    settings.VLLM_URL = "http://127.0.0.1:9"  # no engine at all
    two_adapters(alpha)
    request = approved(alpha, operators)
    storage = tenant_data.place("storage:tenant prefix")

    def crash(tenant, inventory):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(storage, "delete", crash)
    with pytest.raises(RuntimeError):
        purge.run_purge(request.pk)
    request.refresh_from_db()
    assert request.steps_done[:2] == ["stop", "evidence"]
    assert "delete:storage:adapters" in request.steps_done
    assert "delete:storage:tenant prefix" not in request.steps_done
    monkeypatch.undo()
    settings.VLLM_URL = "http://127.0.0.1:9"
    with pytest.raises(purge.PurgeNotYet, match="could not be checked"):
        purge.run_purge(request.pk)
    request.refresh_from_db()
    assert request.status == PurgeRequest.Status.APPROVED  # no certificate for an unknown
    assert request.evidence["verified"]["left"] == [
        f"vLLM: could not be checked at {settings.VLLM_URL}"]
    assert list_keys(tenant_prefix(alpha.tenant)) == [] and audit_rows(alpha.tenant) == 0
    assert verify_chain(beta.tenant).ok
    with pytest.raises(CommandError, match="vLLM"):
        call_command("verify_purge", str(alpha.tenant.pk))


@pytest.mark.slow
@pytest.mark.engine
def test_purge_against_a_real_engine_leaves_the_other_tenant_served(
        alpha, beta, operators, no_queue, base_model_dir, settings, tmp_path):
    with vllm_engine(base_model_dir, port_offset=3) as engine:
        settings.VLLM_URL = engine.config.url
        settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
        a_adapters, b_adapters = two_adapters(alpha), two_adapters(beta)
        for adapter in a_adapters + b_adapters:
            residency.ensure_loaded(adapter)
        request = approved(alpha, operators)
        purge.run_purge(request.pk)
        assert purge.verify_purge(alpha.tenant) == []
        call_command("verify_purge", str(alpha.tenant.pk))
        loaded = [m["id"] for m in httpx.get(f"{engine.config.url}/v1/models",
                                             headers=engine_auth.headers()).json()["data"]]
        assert all(a.serving_name in loaded for a in b_adapters)
        assert not any(a.serving_name in loaded for a in a_adapters)
    body = json.loads(DeletionCertificate.objects.get(purge=request).body)
    assert body["deleted"]["engine: loaded adapters"]["loaded"][engine.config.url] == sorted(
        a.serving_name for a in a_adapters)
