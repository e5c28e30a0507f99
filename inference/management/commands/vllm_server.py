"""`python manage.py vllm_server`: run the local vLLM server for the default base model.

Starts it on loopback with the LoRA-isolation plugin, refuses to serve if the plugin is not
active, records the start, runs the isolation canary, then stays in the foreground until
stopped (Ctrl-C / SIGTERM stops vLLM too).
"""

import signal
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.engine import Engine, EngineConfig, EngineError
from inference.health import check_engine, record_engine_start
from training.services import TrainingError, default_base_model


class Command(BaseCommand):
    help = "Start the local vLLM multi-LoRA server (loopback only) and keep it running."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--log", type=Path, default=Path(settings.VAR_DIR) / "vllm.log")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            base = default_base_model()
        except TrainingError as exc:
            raise CommandError(str(exc)) from exc
        url = urlsplit(settings.VLLM_URL)
        config = EngineConfig(model_dir=Path(base.path), served_name=settings.VLLM_BASE_NAME,
                              host=url.hostname or "127.0.0.1", port=url.port or 8011,
                              max_lora_rank=settings.VLLM_MAX_LORA_RANK,
                              max_loras=settings.VLLM_MAX_LORAS,
                              max_cpu_loras=settings.VLLM_MAX_CPU_LORAS)
        try:
            engine = Engine(config, options["log"])
            engine.start()
            seconds = engine.wait_ready()
        except EngineError as exc:
            raise CommandError(str(exc)) from exc
        record_engine_start(settings.VLLM_URL)
        self.stdout.write(f"vLLM healthy on {settings.VLLM_URL} after {seconds:.0f} s "
                          f"(log: {options['log']}); running the isolation canary…")
        result = check_engine(settings.VLLM_URL)
        self.stdout.write("Isolation canary " + ("passed." if result.passed else
                                                 "FAILED: engine out of rotation."))
        stop = {"now": False}
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.update(now=True))
        try:
            while not stop["now"] and engine.process and engine.process.poll() is None:
                time.sleep(1)
        finally:
            engine.stop()
