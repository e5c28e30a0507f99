"""Real vLLM servers for the tests (one per test session, plus the stock one for the leak)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from inference import engine_auth
from inference.engine import Engine, EngineConfig

from . import tiers

# Per checkout, like the test database, so that a CI clone can run beside a working tree.
PORT_BASE = 8100 + int(hashlib.sha256(str(settings.BASE_DIR).encode()).hexdigest(), 16) % 400


@contextmanager
def vllm_engine(model_dir: Path, *, plugins: str = "sanoweb_lora_isolation", max_loras: int = 2,
                port_offset: int = 0) -> Iterator[Engine]:
    tiers.require("engine", "a vLLM server")
    config = EngineConfig(model_dir=model_dir, port=PORT_BASE + port_offset, max_loras=max_loras,
                          max_cpu_loras=8, plugins=plugins,
                          max_model_len=settings.VLLM_MAX_MODEL_LEN,
                          api_key=engine_auth.api_key())
    log = Path(settings.VAR_DIR) / f"vllm-{config.port}.log"
    engine = Engine(config, log)
    engine.start()
    try:
        engine.wait_ready()
        yield engine
    finally:
        engine.stop()
