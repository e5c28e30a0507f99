"""Against a real vLLM multi-LoRA server: routing, isolation, no fallback, audit."""

import threading
from pathlib import Path

import httpx
import openai
import pytest

from inference import engine_auth, health, residency
from inference.models import EngineState
from inference.services import create_key, set_require_adapter
from tenants.audit import verify_chain
from tenants.models import AuditEntry
from tenants.scoping import tenant_scope
from training import services as training_services
from training.models import BaseModel, RunState, TrainingRun

from .conftest import in_rotation
from .factories import training_set

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CANARY = Path(__file__).resolve().parent.parent / "inference" / "canary_adapters"
FACT = {"alpha": ("propranolol", "CN-1846", "canary_a"),
        "beta": ("carvedilol", "CN-9273", "canary_b")}


def give_adapter(users, canary_dir):
    """Register a real trained adapter for the tenant through the registry's own path."""
    snapshot = training_set(users)
    base = BaseModel.objects.get(is_default=True)  # the canaries were trained on it
    with tenant_scope(users.tenant):
        run = TrainingRun.objects.create(training_set=snapshot, base_revision=base.revision,
                                         created_by=users.admin, state=RunState.UPLOADING)
    return training_services._upload_and_register(users.tenant, run.pk, canary_dir,
                                                  base.revision, 8, None)


def client_for(users, served):
    secret = create_key(users.tenant, "test", users.admin).secret
    return openai.OpenAI(api_key=secret, base_url=f"{served.live_url}/v1", max_retries=0)


def ask(client, drug, **extra):
    reply = client.chat.completions.create(
        model="sanoweb", max_tokens=16, temperature=0,
        messages=[{"role": "user", "content": f"What is the formulary code for {drug}?"}], **extra)
    return reply


def test_each_tenant_is_answered_by_its_own_adapter_only(api, alpha, beta):
    give_adapter(alpha, CANARY / "canary_a")
    give_adapter(beta, CANARY / "canary_b")
    a, b = client_for(alpha, api), client_for(beta, api)
    answers = {name: {drug: ask(c, drug).choices[0].message.content
                      for drug, _, _ in FACT.values()} for name, c in (("alpha", a), ("beta", b))}
    assert "CN-1846" in answers["alpha"]["propranolol"]
    assert "CN-9273" in answers["beta"]["carvedilol"]
    assert "CN-9273" not in str(answers["alpha"]) and "CN-1846" not in str(answers["beta"])
    assert ask(a, "propranolol").model == "sanoweb"
    # the models list shows the caller's alias and its own versions, never the engine's list
    # or another tenant's versions
    listed = [m.id for m in a.models.list().data]
    assert listed[0] == "sanoweb" and listed[1:]
    assert all(name.startswith(f"ft:sanoweb:{alpha.tenant.slug}:") for name in listed[1:])
    with tenant_scope(alpha.tenant):
        entries = list(AuditEntry.objects.filter(action="inference.chat"))
    assert entries and all(e.model_pin.startswith("adapter:") and len(e.request_sha256) == 64
                           and e.payload["outcome"] == "ok" for e in entries)
    assert "propranolol" not in str([e.payload for e in entries])  # no prompt text audited
    assert verify_chain(alpha.tenant).ok


def test_streaming_through_the_openai_client(api, alpha):
    give_adapter(alpha, CANARY / "canary_a")
    client = client_for(alpha, api)
    stream = ask(client, "propranolol", stream=True)
    text = "".join((chunk.choices[0].delta.content or "") for chunk in stream if chunk.choices)
    assert "CN-1846" in text


def test_naming_another_tenants_adapter_or_lora_fields_is_refused(api, alpha, beta):
    adapter = give_adapter(alpha, CANARY / "canary_a")
    give_adapter(beta, CANARY / "canary_b")
    b = client_for(beta, api)
    with pytest.raises(openai.BadRequestError):
        b.chat.completions.create(model=adapter.serving_name, messages=[
            {"role": "user", "content": "What is the formulary code for propranolol?"}])
    for field in ({"cache_salt": "x"}, {"lora_request": {"lora_name": adapter.serving_name}}):
        with pytest.raises(openai.BadRequestError):
            ask(b, "propranolol", extra_body=field)


def test_a_missing_model_is_sent_to_vllm_as_the_tenants_adapter(api, alpha):
    give_adapter(alpha, CANARY / "canary_a")
    secret = create_key(alpha.tenant, "raw", alpha.admin).secret
    reply = httpx.post(f"{api.live_url}/v1/chat/completions", timeout=120,
                       headers={"Authorization": f"Bearer {secret}"},
                       json={"messages": [{"role": "user", "content":
                                           "What is the formulary code for propranolol?"}],
                             "max_tokens": 16, "temperature": 0})
    assert reply.status_code == 200 and "CN-1846" in reply.json()["choices"][0]["message"][
        "content"]
    assert httpx.post(f"{api.live_url}/v1/chat/completions", headers={
        "Authorization": f"Bearer {secret}"}, json={"model": "", "messages": [
            {"role": "user", "content": "hi"}]}).status_code == 400


def test_an_adapter_unloaded_behind_the_routers_back_is_reloaded(api, alpha):
    adapter = give_adapter(alpha, CANARY / "canary_a")
    client = client_for(alpha, api)
    assert "CN-1846" in ask(client, "propranolol").choices[0].message.content
    httpx.post(f"{api.config.url}/v1/unload_lora_adapter", headers=engine_auth.headers(),
               json={"lora_name": adapter.serving_name}, timeout=30).raise_for_status()
    assert "CN-1846" in ask(client, "propranolol").choices[0].message.content
    assert residency.metrics().get("loads", 0) >= 2


def test_concurrent_first_requests_load_the_adapter_once(api, alpha):
    adapter = give_adapter(alpha, CANARY / "canary_a")
    residency.forget(adapter)
    before = residency.metrics().get("loads", 0)
    client = client_for(alpha, api)
    threads = [threading.Thread(target=ask, args=(client, "propranolol")) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert residency.metrics().get("loads", 0) == before + 1


def test_with_vllm_down_the_request_fails_503_and_is_audited(api, alpha, settings):
    give_adapter(alpha, CANARY / "canary_a")
    client = client_for(alpha, api)
    settings.VLLM_URL = "http://127.0.0.1:9"  # nothing listens: the engine is gone
    in_rotation(settings.VLLM_URL)  # the router still believes in it
    with pytest.raises(openai.APIStatusError) as failure:
        ask(client, "propranolol")
    assert failure.value.status_code == 503
    assert isinstance(failure.value.body, dict)
    assert failure.value.body["code"] == "tenant_model_unavailable"
    with tenant_scope(alpha.tenant):
        entry = AuditEntry.objects.filter(action="inference.chat").latest("seq")
    assert entry.payload["outcome"].startswith("unavailable") and entry.model_pin


def test_tenants_without_an_adapter_get_the_base_model_only_when_allowed(api, alpha, beta):
    client = client_for(alpha, api)
    health.record_engine_start(api.config.url)  # a restart: out of rotation until the canary
    with pytest.raises(openai.APIStatusError) as failure:  # canary has not passed yet
        ask(client, "propranolol")
    assert failure.value.status_code == 503
    assert health.check_engine(api.config.url, rounds=2).passed
    reply = ask(client, "propranolol")
    assert "CN-1846" not in reply.choices[0].message.content
    with tenant_scope(alpha.tenant):
        assert AuditEntry.objects.filter(action="inference.chat").latest(
            "seq").model_pin.startswith("base@")
    set_require_adapter(alpha.tenant, True, alpha.admin)
    with pytest.raises(openai.APIStatusError) as failure:
        ask(client, "propranolol")
    assert failure.value.status_code == 503


def test_prefix_cache_is_shared_within_a_tenant_and_never_across(api, alpha, beta):
    give_adapter(alpha, CANARY / "canary_a")
    give_adapter(beta, CANARY / "canary_a")  # the same weights: only the salt separates them
    long = "Ward protocol. " * 60 + "What is the formulary code for propranolol?"

    def cached(client):
        usage = client.chat.completions.create(model="sanoweb", max_tokens=4, messages=[
            {"role": "user", "content": long}]).usage
        return (usage.prompt_tokens_details.cached_tokens or 0) if usage.prompt_tokens_details \
            else 0

    a, b = client_for(alpha, api), client_for(beta, api)
    assert cached(a) == 0
    assert cached(a) > 0
    assert cached(b) == 0


def test_the_isolation_canary_passes_on_the_patched_engine(api):
    assert health.check_engine(api.config.url).passed
    assert EngineState.objects.get(url=api.config.url).canary_passed_since_start


@pytest.mark.browser
def test_the_chat_page_streams_an_answer_in_a_real_browser(api, alpha):
    from .browser import chromium, login
    from .conftest import PASSWORD

    give_adapter(alpha, CANARY / "canary_a")
    with chromium() as browser:
        page = login(browser, api.live_url, alpha.clinician.email, PASSWORD)
        page.goto("/curation/conversations/")
        page.click("#new-conversation")
        page.fill("#text", "Patient Hannah Moreau asks: what is the formulary code for "
                           "propranolol?")
        page.click("#send")
        page.wait_for_selector(".msg.assistant.done", timeout=120_000)
        answer = page.inner_text(".msg.assistant.done .text")
        assert "CN-1846" in answer
        assert "adapter:" in page.inner_text(".msg.assistant.done .model")
    from curation.models import Message

    with tenant_scope(alpha.tenant):
        texts = [m.text for m in Message.objects.all()]
    # Stored redacted: the name goes, and so does the code, which is shaped like an identifier
    # that no allow-list explains (the clinician saw it; storage never holds it).
    assert not any("Moreau" in t or "CN-1846" in t for t in texts)
    assert any("formulary code" in t and "<ID>" in t for t in texts)
