"""Tenant deletion: two-person approval, purge everywhere, resumable, signed certificate."""

import json

import httpx
import pytest
import redis
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from inference import engine_auth, residency
from inference.services import create_key
from tenants import purge, signing
from tenants.audit import verify_chain
from tenants.models import DeletionCertificate, PurgeRequest, Tenant
from tenants.scoping import tenant_scope
from tenants.storage import list_keys, tenant_prefix
from training.models import AdapterVersion

from .engines import vllm_engine
from .test_export import two_adapters

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def operators(django_user_model):
    first = django_user_model.objects.create_superuser("op1@sanoweb.test", "op1@sanoweb.test",
                                                       "operator-pass-1")
    second = django_user_model.objects.create_superuser("op2@sanoweb.test", "op2@sanoweb.test",
                                                        "operator-pass-2")
    return first, second


def test_purge_needs_a_second_operator_and_suspends_at_approval(alpha, operators, settings):
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


@pytest.mark.slow
def test_purge_removes_everything_and_leaves_the_other_tenant_intact(
        alpha, beta, operators, base_model_dir, settings, tmp_path):
    with vllm_engine(base_model_dir, port_offset=3) as engine:
        settings.VLLM_URL = engine.config.url
        settings.VLLM_ADAPTER_CACHE = tmp_path / "cache"
        a_adapters, b_adapters = two_adapters(alpha), two_adapters(beta)
        for adapter in a_adapters + b_adapters:
            residency.ensure_loaded(adapter)
        create_key(alpha.tenant, "k", alpha.admin)
        redis.Redis.from_url(settings.REDIS_URL).set(f"cache:{alpha.tenant.pk.hex}:x", "1")
        request = purge.request_purge(alpha.tenant, operators[0], "Contract ended")
        purge.approve_purge(request, operators[1])  # queues the task; no worker here, so:
        purge.run_purge(request.pk)
        assert purge.verify_purge(alpha.tenant) == []
        call_command("verify_purge", str(alpha.tenant.pk))
        loaded = [m["id"] for m in httpx.get(f"{engine.config.url}/v1/models",
                                                       headers=engine_auth.headers()).json()["data"]]
        assert all(a.serving_name in loaded for a in b_adapters)
    assert Tenant.objects.get(pk=alpha.tenant.pk).status == Tenant.Status.PURGED
    assert list_keys(tenant_prefix(alpha.tenant)) == []
    with tenant_scope(beta.tenant):
        assert AdapterVersion.objects.count() == 2
    assert len(list_keys(tenant_prefix(beta.tenant) + "adapters")) == sum(
        len(a.files) for a in b_adapters)
    assert verify_chain(beta.tenant).ok
    certificate = DeletionCertificate.objects.get(purge=request)
    body = json.loads(certificate.body)
    assert body["sla_met"] and body["deleted"]["adapter_sha256"] == sorted(
        a.sha256 for a in a_adapters)
    assert len(body["deleted"]["final_audit_head"]["entry_hash"]) == 64
    assert signing.verify(certificate.body.encode(), certificate.signature,
                          certificate.public_key)


def test_a_purge_killed_halfway_resumes_and_completes(alpha, beta, operators, settings,
                                                      monkeypatch):
    settings.VLLM_URL = "http://127.0.0.1:9"  # no engine: unloading is a no-op
    two_adapters(alpha)
    request = purge.request_purge(alpha.tenant, operators[0], "Contract ended")
    monkeypatch.setattr(purge, "_enqueue", lambda purge_id: None)
    purge.approve_purge(request, operators[1])

    def crash(item):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(purge, "_step_rows", crash)
    with pytest.raises(RuntimeError):
        purge.run_purge(request.pk)
    request.refresh_from_db()
    assert request.steps_done == ["evidence", "engine", "storage", "shared_state"]
    monkeypatch.undo()
    settings.VLLM_URL = "http://127.0.0.1:9"
    done = purge.run_purge(request.pk)
    assert done.status == PurgeRequest.Status.DONE
    left = purge.verify_purge(alpha.tenant)
    assert left == [f"vLLM: could not be checked at {settings.VLLM_URL}"]
    assert verify_chain(beta.tenant).ok
    with pytest.raises(CommandError, match="vLLM"):
        call_command("verify_purge", str(alpha.tenant.pk))
