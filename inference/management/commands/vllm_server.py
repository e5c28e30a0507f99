"""`python manage.py vllm_server`: run the local vLLM server for the default base model.

Starts it on loopback with the LoRA-isolation plugin, refuses to serve if the plugin is not
active, records the start, runs the isolation canary, then stays in the foreground until
stopped. Any way this command ends (Ctrl-C, SIGTERM, SIGKILL, an error after the engine
started) stops vLLM and its engine core too.
"""

import signal
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference import engine_auth
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
                              max_cpu_loras=settings.VLLM_MAX_CPU_LORAS,
                              max_model_len=settings.VLLM_MAX_MODEL_LEN,
                              api_key=engine_auth.api_key())
        engine = Engine(config, options["log"])
        # SIGTERM unwinds like Ctrl-C, so the `finally` below stops vLLM on every path; a
        # SIGKILL skips it, and the engine's watchdog stops vLLM instead.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        try:
            # Recorded before the process starts: until this engine's canary passes, nothing
            # (the router, demo_ready) trusts what an earlier engine on this URL proved.
            record_engine_start(settings.VLLM_URL)
            engine.start()
            seconds = engine.wait_ready()
            self.stdout.write(f"vLLM healthy on {settings.VLLM_URL} after {seconds:.0f} s "
                              f"(log: {options['log']}); running the isolation canary…")
            result = check_engine(settings.VLLM_URL)
            self.stdout.write("Isolation canary " + ("passed." if result.passed else
                                                     "FAILED: engine out of rotation."))
            while engine.process is not None and engine.process.poll() is None:
                time.sleep(1)
            raise CommandError("vLLM exited unexpectedly:\n" + engine.tail())
        except EngineError as exc:
            raise CommandError(str(exc)) from exc
        except (KeyboardInterrupt, SystemExit):
            self.stdout.write("Stopping vLLM.")
        finally:
            engine.stop()


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
