"""The files of a LoRA adapter version, and a config that is usable off the platform.

Plain Python (no Django): the trainer, the upload step, serving and the export all use it.

`adapter_config.json` names its base model by the public id (`HuggingFaceTB/SmolLM2-135M-Instruct`)
or by null when none is known, never by a directory on one of our hosts: such a path means
nothing anywhere else and discloses our layout. Nothing we run loads by that field: peft's
`PeftModel.from_pretrained(model, dir)` applies the adapter to the model it is given, and vLLM
applies it to the base it serves (only its filesystem LoRA resolver, which we never enable,
reads the field). The exact base (its revision, i.e. the sha256 of its files, and the GGUF it
was converted from) is recorded beside the config in `base_model.json`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

CONFIG_FILE = "adapter_config.json"
WEIGHTS_FILE = "adapter_model.safetensors"
BASE_MODEL_FILE = "base_model.json"
# What peft and vLLM load. The trainer writes exactly these; serving copies exactly these.
SERVING_FILES = (CONFIG_FILE, WEIGHTS_FILE)
# What an adapter version holds in storage, all covered by its sha256. Versions registered
# before issue 19 hold only SERVING_FILES (the export adds the rest; see tenants/adapter_export).
STORED_FILES = (*SERVING_FILES, BASE_MODEL_FILE)
BASE_MODEL_FORMAT = "sanoweb-base-model/1"
REVISION_METHOD = ("sha256 over every file of the base model directory, in sorted order of "
                   "relative name: for each file its relative name, a zero byte, its bytes, "
                   "a zero byte")

# A Hugging Face Hub id, "owner/name": one slash, no leading slash, no "..".
_PUBLIC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")


def is_public_id(value: Any) -> bool:
    return isinstance(value, str) and bool(_PUBLIC_ID.match(value)) and ".." not in value


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def portable_config(raw: bytes, base_model_id: str | None) -> bytes:
    """The peft config `raw` with `base_model_name_or_path` set to the public id (or null).

    Idempotent: a config that is already portable comes back byte for byte the same."""
    if base_model_id is not None and not is_public_id(base_model_id):
        raise ValueError(f"{base_model_id!r} is not a public model id (owner/name).")
    config = json.loads(raw)
    if not isinstance(config, dict) or "peft_type" not in config:
        raise ValueError("Not a peft adapter config.")
    config["base_model_name_or_path"] = base_model_id
    return _json(config)


def is_portable(raw: bytes) -> bool:
    """True when the config names its base by a public id or null, i.e. by no path."""
    value = json.loads(raw).get("base_model_name_or_path")
    return value is None or is_public_id(value)


def base_model_record(base_model_id: str | None, base_revision: str,
                      converted_from: dict[str, Any]) -> bytes:
    """base_model.json: which base, exactly, the adapter needs."""
    return _json({
        "format": BASE_MODEL_FORMAT,
        "base_model": base_model_id,
        "base_revision": base_revision,
        "revision_method": REVISION_METHOD,
        "converted_from": converted_from or None,
    })


def stored_files(out_dir: Path, base_model_id: str | None, base_revision: str,
                 converted_from: dict[str, Any]) -> dict[str, bytes]:
    """The bytes to store for the adapter a trainer wrote to `out_dir` (STORED_FILES)."""
    files = {name: (out_dir / name).read_bytes() for name in SERVING_FILES}
    files[CONFIG_FILE] = portable_config(files[CONFIG_FILE], base_model_id)
    files[BASE_MODEL_FILE] = base_model_record(base_model_id, base_revision, converted_from)
    return files
