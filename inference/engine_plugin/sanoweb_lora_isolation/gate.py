"""ASGI middleware for vLLM (`--middleware sanoweb_lora_isolation.gate.RouterOnly`): only the
router, holding SANOWEB_VLLM_API_KEY, reaches the engine, and only on the routes it uses.

vLLM serves far more than the router needs (/adapters, /invocations, /v1/completions,
/tokenize, /metrics, the docs) and its `--api-key` leaves some of them open. Every other
route is a 404; every allowed route but /health needs the key (401 without it). With no key
in the environment nothing but /health is served: the gate fails closed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

ALLOWED = frozenset({"/health", "/v1/models", "/v1/chat/completions", "/v1/load_lora_adapter",
                     "/v1/unload_lora_adapter"})
OPEN = frozenset({"/health"})


class RouterOnly:
    def __init__(self, app: Any) -> None:
        self.app = app
        key = os.environ.get("SANOWEB_VLLM_API_KEY", "")
        self.key_digest = hashlib.sha256(key.encode()).digest() if key else None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope["path"].removeprefix(scope.get("root_path", "")).rstrip("/") or "/"
        if path not in ALLOWED:
            await _refuse(send, 404, b'{"error": "not found"}')
            return
        if path not in OPEN and not self._authorized(scope):
            await _refuse(send, 401, b'{"error": "unauthorized"}')
            return
        await self.app(scope, receive, send)

    def _authorized(self, scope: dict[str, Any]) -> bool:
        if self.key_digest is None:
            return False
        headers = dict(scope.get("headers") or [])
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        digest = hashlib.sha256(token.strip().encode()).digest()
        return scheme.lower() == "bearer" and hmac.compare_digest(digest, self.key_digest)


async def _refuse(send: Any, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
