"""Starting, checking and stopping the local vLLM OpenAI server (plain Python, no Django).

The server listens on loopback (or a private interface) only: vLLM's `--api-key` does not
cover its /adapters and /invocations routes, so the network boundary is the guard. It is
started with VLLM_PLUGINS limited to our LoRA-isolation plugin, and `wait_ready` refuses a
server in which the plugin did not report itself active.

The engine never outlives its launcher: `start` also spawns a small watchdog in a session of
its own that holds the read end of a pipe whose write end only the launcher has. However the
launcher ends (return, exception, SIGTERM, SIGKILL), the kernel closes that pipe, and the
watchdog stops the engine's whole process group.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PLUGIN = "sanoweb_lora_isolation"
PLUGIN_MARKER = "sanoweb-lora-isolation: active"

# Runs as `python -c WATCHDOG <pgid>` with the pipe as stdin: EOF means the launcher is gone.
WATCHDOG = """
import os, signal, sys, time
pgid = int(sys.argv[1])
sys.stdin.buffer.read()
for sig, grace in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 5.0)):
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        sys.exit(0)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            sys.exit(0)
        time.sleep(0.2)
"""


class EngineError(RuntimeError):
    """The engine could not be started safely."""


@dataclass(frozen=True)
class EngineConfig:
    model_dir: Path
    served_name: str = "base"
    host: str = "127.0.0.1"
    port: int = 8011
    max_lora_rank: int = 16
    max_loras: int = 4
    max_cpu_loras: int = 8
    max_model_len: int = 2048
    api_key: str = ""  # inference.engine_auth.api_key(); empty: the gate serves only /health
    kv_cache_gb: int = 1
    plugins: str = PLUGIN  # "" starts the stock engine (only the leak regression test does)
    extra_args: tuple[str, ...] = field(default_factory=tuple)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def check_bind_address(host: str) -> None:
    """Loopback or a private address only; never a public or wildcard interface."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError as exc:
        if host != "localhost":
            raise EngineError(f"Bind vLLM to an IP address, not {host!r}.") from exc
        return
    if address.is_unspecified or not (address.is_loopback or address.is_private):
        raise EngineError(f"Refusing to expose vLLM on {host}: loopback or private only.")


def command(config: EngineConfig) -> list[str]:
    return [
        sys.executable, "-m", "vllm.entrypoints.openai.api_server",
        "--model", str(config.model_dir), "--served-model-name", config.served_name,
        "--host", config.host, "--port", str(config.port),
        "--enable-lora", "--max-lora-rank", str(config.max_lora_rank),
        "--max-loras", str(config.max_loras), "--max-cpu-loras", str(config.max_cpu_loras),
        "--max-model-len", str(config.max_model_len), "--dtype", "bfloat16",
        "--enable-prefix-caching", "--enable-prompt-tokens-details",
        "--disable-uvicorn-access-log",
        # only the router, with the key, and only on the routes it uses (the plugin package)
        "--middleware", "sanoweb_lora_isolation.gate.RouterOnly", *config.extra_args,
    ]


def environment(config: EngineConfig) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "VLLM_LORA_RESOLVER_CACHE_DIR"}
    env.update({
        "VLLM_ALLOW_RUNTIME_LORA_UPDATING": "True",
        "HF_HUB_OFFLINE": "1",
        "VLLM_CPU_KVCACHE_SPACE": str(config.kv_cache_gb),
        # Only the plugins we name load: ours, and none of the LoRA resolvers that would load
        # adapters by requested name from a folder or a hub.
        "VLLM_PLUGINS": config.plugins,
        "VLLM_NO_USAGE_STATS": "1",
        "SANOWEB_VLLM_API_KEY": config.api_key,
        "DO_NOT_TRACK": "1",
    })
    return env


class Engine:
    """One vLLM server process (and its engine-core child), in its own process group."""

    def __init__(self, config: EngineConfig, log_path: Path) -> None:
        check_bind_address(config.host)
        self.config, self.log_path = config, log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.watchdog: subprocess.Popen[bytes] | None = None
        self._lifeline: int | None = None  # write end of the watchdog's pipe

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command(self.config),  # noqa: S603 - our own argv
                                            env=environment(self.config),
                                            stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self._start_watchdog(self.process.pid)

    def _start_watchdog(self, pgid: int) -> None:
        # os.pipe() descriptors are not inherited, so no other child keeps the pipe open.
        read_end, self._lifeline = os.pipe()
        try:
            self.watchdog = subprocess.Popen(  # noqa: S603 - our own argv
                [sys.executable, "-c", WATCHDOG, str(pgid)], stdin=read_end,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        except BaseException:
            self.stop()
            raise
        finally:
            os.close(read_end)

    def plugin_pids(self) -> set[str]:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return {line.split("pid=")[-1].strip() for line in text.splitlines()
                if PLUGIN_MARKER in line and "pid=" in line}

    def wait_ready(self, timeout: float = 240) -> float:
        """Wait for /health; then insist the plugin ran in the API server and engine core."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process is not None and self.process.poll() is not None:
                raise EngineError("vLLM exited during start-up:\n" + self.tail())
            try:
                if httpx.get(f"{self.config.url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        else:
            self.stop()
            raise EngineError(f"vLLM was not healthy after {timeout:.0f} s:\n" + self.tail())
        if self.config.plugins and len(self.plugin_pids()) < 2:
            self.stop()
            raise EngineError("The LoRA isolation plugin is not active in both vLLM processes; "
                              "refusing to serve (pip install ./inference/engine_plugin).")
        return time.monotonic() - started

    def tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def stop(self) -> None:
        """Stop the whole process group (the engine core too), then release the watchdog."""
        try:
            if self.process is not None and self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait()
            if self.process is not None:
                # the server is gone; its children (engine core) may still be exiting
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
        finally:
            if self._lifeline is not None:
                os.close(self._lifeline)  # the watchdog sees EOF, finds nothing, exits
                self._lifeline = None
            if self.watchdog is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.watchdog.wait(30)
