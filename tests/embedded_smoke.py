"""Drive `make run`'s script as a new user would, on the embedded default, over HTTP only.

Run by tests/test_embedded_smoke.py inside a network namespace of its own, where nothing
listens on 5432 or 6379. Prints one JSON line with what it saw; exits non-zero on failure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
OPENINGS = {"northwind": "Cardiology protocol", "riverside": "From your oncology nursing team"}
QUESTIONS = {"northwind": "What is our approach to rate control in atrial fibrillation?",
             "riverside": "What is our approach to fatigue during treatment?"}


def login(base: str, email: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120, follow_redirects=True)
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    done = client.post("/accounts/login/", data={"username": email, "password": password,
                                                 "csrfmiddlewaretoken": token.group(1)})
    assert done.status_code == 200 and "Sign in" not in done.text[:2000], "login failed"
    if "/accounts/mfa/enrol/" in str(done.url):
        # A tenant admin's first sign-in enrols an authenticator, as a new user's phone would.
        secret = re.search(r'data-totp-secret="([A-Z2-7=]+)"', done.text)
        assert secret, "no authenticator key on the enrolment page"
        done = client.post(str(done.url), data={"token": totp(secret.group(1)),
                                                "csrfmiddlewaretoken": csrf(done.text)})
        assert "/accounts/mfa/" not in str(done.url), "second factor refused"
    return client


def totp(secret: str) -> str:
    """RFC 6238 with the defaults every authenticator app uses (SHA-1, 30 s, 6 digits)."""
    counter = struct.pack(">Q", int(time.time()) // 30)
    digest = hmac.new(base64.b32decode(secret), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, "no CSRF token"
    return found.group(1)


def chat_answer(client: httpx.Client, question: str) -> str:
    home = client.get("/curation/conversations/")
    chat = client.post("/inference/conversations/new/", data={"csrfmiddlewaretoken": csrf(
        home.text)})
    assert chat.status_code == 200, f"new conversation: {chat.status_code}"
    parts = []
    with client.stream("POST", str(chat.url) + "send/",
                       data={"text": question, "csrfmiddlewaretoken": csrf(chat.text)}) as sse:
        assert sse.status_code == 200, f"chat send: {sse.status_code}"
        for line in sse.iter_lines():
            if line.startswith("data: "):
                event = json.loads(line[6:])
                assert "error" not in event, f"chat error: {event}"
                parts.append(event.get("delta", "") or event.get("text", ""))
    return "".join(parts)


def api_answer(admin: httpx.Client, base: str, question: str) -> dict[str, Any]:
    page = admin.get("/inference/api-keys/")
    made = admin.post("/inference/api-keys/", data={"name": "smoke",
                                                    "csrfmiddlewaretoken": csrf(page.text)})
    secret = re.search(r'id="new-key">([^<]+)<', made.text)
    assert secret, "no API key shown"
    response = httpx.post(f"{base}v1/chat/completions", timeout=120,
                          headers={"Authorization": f"Bearer {secret.group(1)}"},
                          json={"model": "sanoweb", "max_tokens": 48, "temperature": 0,
                                "messages": [{"role": "user", "content": question}]})
    assert response.status_code == 200, f"/v1: {response.status_code} {response.text[:200]}"
    answer: dict[str, Any] = response.json()
    return answer


def main() -> int:
    var = Path(sys.argv[1])
    port = int(sys.argv[2])
    base = f"http://127.0.0.1:{port}/"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL",
                        "DJANGO_SETTINGS_MODULE")}
    env.update({"SANOWEB_VAR_DIR": str(var), "PORT": str(port),
                "VLLM_URL": f"http://127.0.0.1:{port + 11}"})
    log = (var / "run.log").open("wb")
    started = time.monotonic()
    run = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=log,
                           stderr=subprocess.STDOUT, start_new_session=True)
    seen: dict[str, Any] = {}
    try:
        while b"models are serving" not in (var / "run.log").read_bytes():
            if run.poll() is not None or time.monotonic() - started > 25 * 60:
                raise AssertionError("make run did not get ready:\n" +
                                     (var / "run.log").read_text()[-3000:])
            time.sleep(3)
        seen["ready_s"] = round(time.monotonic() - started)
        for slug, question in QUESTIONS.items():
            other = next(s for s in OPENINGS if s != slug)
            password = f"demo-{slug}-pass"
            answer = chat_answer(login(base, f"clinician@{slug}.example", password), question)
            body = api_answer(login(base, f"admin@{slug}.example", password), base, question)
            api_text = body["choices"][0]["message"]["content"]
            seen[slug] = {"chat": answer[:120], "api": api_text[:120]}
            for text in (answer, api_text):
                assert OPENINGS[slug] in text, f"{slug} did not answer in its own voice: {text!r}"
                assert OPENINGS[other] not in text, f"{slug} answered as {other}"
            audit = subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", "verify_audit",
                                    slug], cwd=ROOT, env=env, capture_output=True, text=True)
            assert audit.returncode == 0, audit.stdout + audit.stderr
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        try:
            run.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
    time.sleep(3)
    left = subprocess.run(["pgrep", "-f", f"vllm.entrypoints.*--port {port + 11}"],
                          capture_output=True, text=True)
    seen["vllm_left"] = left.stdout.split()
    print(json.dumps(seen))
    return 0 if not seen["vllm_left"] else 1


if __name__ == "__main__":
    sys.exit(main())
