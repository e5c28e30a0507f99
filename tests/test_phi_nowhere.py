"""Raw PHI reaches no store: every message of the development set goes in through the real
entry points (JSONL import, web chat, the OpenAI-compatible API), is proposed, approved,
frozen and queued for training, and then no labelled identifier is found in any database row
(read as the superuser, past RLS), any log record, any broker message, the audit chain or the
snapshot file.

The development set is the one set the redactor removes every identifier from (recall 1.000,
`redaction_eval`); on the independent sets it does not yet, and this test would say so.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, cast

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.urls import reverse

from curation import services as curation_services
from curation.models import Example, TrainingSet
from curation.redaction_eval import load_dataset
from inference.services import create_key
from tenants.audit import verify_chain
from tenants.scoping import tenant_scope
from tenants.storage import read_verified
from training import services as training_services

from .factories import clear_residual_candidates
from .pg import superuser_connection
from .workers import flush_broker

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
DEV_SET = Path(settings.BASE_DIR) / "tests" / "data" / "redaction_eval.jsonl"
MIN_CHARS = 4  # shorter labelled strings ("12") occur by chance in any text


def identifiers(records: list[dict[str, Any]]) -> set[str]:
    found = set()
    for record in records:
        for phi in record["phi"]:
            value = record["text"][phi["start"]:phi["end"]].strip()
            if len(value) >= MIN_CHARS:
                found.add(value)
    return found


def database_text() -> str:
    with superuser_connection() as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return "\n".join(str(row[0]) for table in tables for row in conn.execute(
            f'SELECT row_to_json(t)::text FROM "{table}" t'))


def broker_text() -> str:
    # No decode_responses: every reply is bytes (redis's types cover every setting at once).
    client = redis.Redis.from_url(settings.REDIS_URL)
    parts = []
    for key in client.scan_iter():
        kind = cast(bytes, client.type(key)).decode()
        if kind == "list":
            parts += [v.decode(errors="replace")
                      for v in cast(list[bytes], client.lrange(key, 0, -1))]
        elif kind == "string":
            parts.append(cast(bytes, client.get(key)).decode(errors="replace"))
        elif kind == "hash":
            parts += [v.decode(errors="replace")
                      for v in cast(dict[bytes, bytes], client.hgetall(key)).values()]
        elif kind in ("set", "zset"):
            members = cast(set[bytes], client.smembers(key)) if kind == "set" else \
                cast(list[bytes], client.zrange(key, 0, -1))
            parts += [v.decode(errors="replace") for v in members]
    # kombu wraps task bodies in base64 JSON: decode them so that nothing hides there
    import base64

    decoded = []
    for part in parts:
        try:
            envelope = json.loads(part)
            decoded.append(base64.b64decode(envelope.get("body", "")).decode(errors="replace"))
        except (ValueError, AttributeError, TypeError):
            pass
    return "\n".join(parts + decoded)


def test_no_labelled_identifier_reaches_any_store(alpha, base_model, caplog):
    records = load_dataset(DEV_SET)
    secrets = identifiers(records)
    assert len(secrets) > 300
    flush_broker()
    caplog.set_level(logging.DEBUG)
    texts = [r["text"] for r in records]

    # 1. JSONL import by the tenant admin: each message is a question
    lines = "\n".join(json.dumps({"question": t, "answer": "Noted; see the protocol."})
                      for t in texts).encode()
    with tenant_scope(alpha.tenant):
        report = curation_services.import_examples(lines, "dev-set.jsonl", alpha.admin)
    assert report.errors == [] and report.created == len(texts)

    # 2. web chat: the clinician's messages (no engine: each is kept, unanswered, redacted)
    clinician = alpha.client_for(alpha.clinician)
    chat = clinician.post(reverse("inference:new_conversation"))
    send_url = chat["Location"].rstrip("/") + "/send/"
    for text in texts:
        assert clinician.post(send_url, {"text": text}).status_code == 503

    # 3. the OpenAI-compatible API (refused before any engine: no model for the tenant)
    key = create_key(alpha.tenant, "k", alpha.admin).secret
    api = Client()
    for text in texts[:40]:
        response = api.post("/v1/chat/completions", content_type="application/json",
                            data=json.dumps({"messages": [{"role": "user", "content": text}]}),
                            HTTP_AUTHORIZATION=f"Bearer {key}")
        assert response.status_code == 503

    # 4. review, freeze, queue a training run
    with tenant_scope(alpha.tenant):
        for example in Example.objects.filter(status=Example.Status.PENDING):
            curation_services.decide(example, alpha.reviewer, "approve")
    clear_residual_candidates(alpha)  # the strict scan's candidates, judged by a reviewer
    with tenant_scope(alpha.tenant):
        snapshot = curation_services.freeze_training_set(alpha.admin)
        run = training_services.start_run(snapshot, alpha.admin)
        snapshot_text = read_verified(alpha.tenant, snapshot.storage_key,
                                      snapshot.sha256).decode()
        assert TrainingSet.objects.count() == 1
    with tenant_scope(alpha.tenant):  # queued once the scope's transaction committed
        run.refresh_from_db()
        assert run.task_id, run.error_message
    assert verify_chain(alpha.tenant).ok

    stores = {"database": database_text(), "broker": broker_text(), "snapshot": snapshot_text,
              "logs": "\n".join(r.getMessage() + " " + str(r.args) for r in caplog.records)}
    assert all(stores.values()), [name for name, text in stores.items() if not text]
    # whole tokens only: a 5-digit zip code occurs by chance inside hashes and uuids
    patterns = {s: re.compile(rf"(?<![0-9A-Za-z]){re.escape(s)}(?![0-9A-Za-z])") for s in secrets}
    leaks = {name: sorted(s for s, p in patterns.items() if s in text and p.search(text))[:10]
             for name, text in stores.items()}
    assert leaks == {name: [] for name in stores}
