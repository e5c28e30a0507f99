"""A stand-in vLLM behind httpx.MockTransport, for the fast tier (no engine process).

It keeps the state the platform relies on (which adapter names are loaded, from which path)
and answers chat completions with whatever a test sets; the real engine's behaviour is
checked by the slow tests against a real vLLM.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from inference import engine_http, load_probe

Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class MockEngine:
    loaded: dict[str, str] = field(default_factory=dict)  # serving name -> path
    chat: Handler | None = None  # answers /v1/chat/completions; a 200 echo by default
    models_error: Exception | None = None  # raised by GET /v1/models
    load_status: int = 200
    requests: list[httpx.Request] = field(default_factory=list)
    # The load-time probe's prompts (inference.load_probe) are answered apart, and recorded
    # in `probes`, not `requests`: by default each adapter changes the answer; False makes
    # every adapter answer exactly as the base model does (a no-op adapter).
    probe_effect: bool = True
    probe_status: int = 200
    probes: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/chat/completions" and _is_probe(request):
            self.probes.append(request)
            return self._probe_answer(json.loads(request.content)["model"])
        self.requests.append(request)
        path = request.url.path
        if path == "/v1/models":
            if self.models_error is not None:
                raise self.models_error
            return httpx.Response(200, json={"data": [
                {"id": "base", "root": "/models/base"},
                *({"id": name, "root": root} for name, root in self.loaded.items())]})
        body: dict[str, Any] = json.loads(request.content or b"{}")
        if path == "/v1/load_lora_adapter":
            if self.load_status == 200:
                self.loaded[body["lora_name"]] = body["lora_path"]
            return httpx.Response(self.load_status, text="loaded")
        if path == "/v1/unload_lora_adapter":
            self.loaded.pop(body["lora_name"], None)
            return httpx.Response(200, text="unloaded")
        if path == "/v1/chat/completions":
            if self.chat is not None:
                return self.chat(request)
            return completion(body["model"])
        return httpx.Response(404, json={"error": "no such route"})


    def _probe_answer(self, model: str) -> httpx.Response:
        if self.probe_status != 200:
            return httpx.Response(self.probe_status, text="engine error")
        shift = 0.0 if model == "base" or not self.probe_effect else 0.5
        content = [{"token": token, "logprob": -1.0 - shift}
                   for token in ("One", " of", " the", " most")]
        return httpx.Response(200, json={
            "id": "cmpl-probe", "object": "chat.completion", "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant",
                                                 "content": "One of the most"},
                         "logprobs": {"content": content}, "finish_reason": "length"}]})


def _is_probe(request: httpx.Request) -> bool:
    try:
        messages = json.loads(request.content or b"{}").get("messages") or []
    except ValueError:
        return False
    return (len(messages) == 1 and isinstance(messages[0], dict)
            and messages[0].get("content") in load_probe.PROBE_PROMPTS)


def completion(model: str, text: str = "Take it with food.") -> httpx.Response:
    return httpx.Response(200, json={
        "id": "cmpl-1", "object": "chat.completion", "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 4}})


def sse(*events: dict[str, Any] | str) -> bytes:
    """Server-sent events as vLLM writes them ("data: ...\\n\\n"); strings go as they are."""
    return b"".join(
        b"data: " + (e.encode() if isinstance(e, str) else json.dumps(e).encode()) + b"\n\n"
        for e in events)


def chunk(model: str, text: str) -> dict[str, Any]:
    return {"id": "c1", "object": "chat.completion.chunk", "model": model,
            "choices": [{"index": 0, "delta": {"content": text}}]}


@contextmanager
def mock_engine(engine: MockEngine | None = None) -> Iterator[MockEngine]:
    engine = engine or MockEngine()
    with engine_http.use_transport(httpx.MockTransport(engine)):
        yield engine


@contextmanager
def engine_server(engine: MockEngine | None = None) -> Iterator[str]:
    """The same stand-in on a real port, for another process (a Celery worker) to reach;
    yields its URL."""
    import http.server
    import threading

    serving = engine or MockEngine()

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = httpx.Request(self.command, f"http://engine{self.path}",
                                    content=self.rfile.read(length))
            response = serving(request)
            self.send_response(response.status_code)
            self.send_header("Content-Type", response.headers.get("content-type",
                                                                  "application/json"))
            self.end_headers()
            self.wfile.write(response.read())

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
