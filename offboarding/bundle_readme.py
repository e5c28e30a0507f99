"""README.md of an export bundle: every file explained, and how to check the signature
without the platform (openssl, or Python with only the `cryptography` package).

It lists the bundle's own files, so it cannot fall behind what a bundle holds; the commands
are run as written by tests/test_export_elsewhere.py.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models

from tenants import tenant_data
from tenants.adapter_export import MODEL_CARD
from tenants.models import Tenant
from tenants.places import StorageCategory
from tenants.registry import model_label, tenant_owned_models

NAME = "README.md"
SIGNATURE_FILES = ("manifest.json", "manifest.sig", "public_key.pem")

OPENSSL_CHECK = """\
openssl base64 -d -A -in manifest.sig -out manifest.sig.bin
openssl pkeyutl -verify -pubin -inkey public_key.pem -rawin -in manifest.json \\
  -sigfile manifest.sig.bin
rm manifest.sig.bin
python3 -c 'import json
for name, digest in json.load(open("manifest.json"))["files"].items():
    print(digest + "  " + name)' | sha256sum --check --quiet && echo "All files match the manifest"
"""

PYTHON_CHECK = '''\
"""Check a Sanoweb export bundle: python verify_bundle.py BUNDLE.zip (needs `cryptography`)."""
import base64
import hashlib
import json
import sys
import zipfile

from cryptography.hazmat.primitives.serialization import load_pem_public_key

SIGNATURE_FILES = {"manifest.json", "manifest.sig", "public_key.pem"}
with zipfile.ZipFile(sys.argv[1]) as bundle:
    manifest = bundle.read("manifest.json")
    key = load_pem_public_key(bundle.read("public_key.pem"))
    key.verify(base64.b64decode(bundle.read("manifest.sig")), manifest)  # raises if forged
    listed = json.loads(manifest)["files"]
    names = set(bundle.namelist())
    problems = [f"missing: {name}" for name in sorted(set(listed) - names)]
    problems += [f"changed: {name}" for name in sorted(set(listed) & names)
                 if hashlib.sha256(bundle.read(name)).hexdigest() != listed[name]]
    problems += [f"not in the manifest: {name}"
                 for name in sorted(names - set(listed) - SIGNATURE_FILES)]
print("\\n".join(problems) or f"OK: signature valid, {len(listed)} files match the manifest")
sys.exit(1 if problems else 0)
'''

FINGERPRINT = "openssl pkey -pubin -in public_key.pem -outform DER | sha256sum"


def _code(language: str, text: str) -> str:
    return f"```{language}\n{text.rstrip()}\n```"


def _model_summary(model: type[models.Model]) -> str:
    doc = (model.__doc__ or "").strip()
    if not doc or doc.startswith(f"{model.__name__}("):  # Django's generated field list
        return ""
    return " ".join(doc.split("\n\n")[0].split())


def _descriptions() -> dict[str, str]:
    found = {
        "manifest.json": "Every other file's sha256, the tenant, the time and the platform "
                         "version; `adapters` lists each adapter and any file corrected at "
                         "export. This exact byte string is what is signed.",
        "manifest.sig": "Ed25519 signature of `manifest.json`, base64.",
        "public_key.pem": "The platform's Ed25519 public key (SubjectPublicKeyInfo PEM).",
        NAME: "This file.",
        "data/memberships.json": "Who belonged to the tenant, with role and since when.",
        "data/audit_verification.json": "The result of checking the tenant's audit hash chain "
                                        "when the bundle was made.",
    }
    for model in tenant_owned_models():
        label = model_label(model)
        summary = _model_summary(model)
        found[f"data/{label}.json"] = (f"Every row of `{label}` the tenant owns (Django's "
                                       "serializer JSON: model, pk, fields)."
                                       + (f" {summary}" if summary else ""))
    return found


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^storage/datasets/v(\d+)-[0-9a-f]+\.jsonl$"),
     r"Training set snapshot version \1: chat JSONL, one example per line."),
    (re.compile(r"^storage/datasets/v(\d+)-[0-9a-f]+-eval\.jsonl$"),
     r"Training set snapshot version \1, its held-out evaluation split (never trained on): "
     "chat JSONL with each example's id and must-say / must-not-say checks."),
    (re.compile(r"^storage/adapters/[0-9a-f]+/adapter_config\.json$"),
     "LoRA config (peft); names the base model by its public id."),
    (re.compile(r"^storage/adapters/[0-9a-f]+/adapter_model\.safetensors$"),
     "LoRA weights (safetensors, bfloat16)."),
    (re.compile(r"^storage/adapters/[0-9a-f]+/base_model\.json$"),
     "The exact base model the adapter needs: public id, revision, what it was converted "
     "from."),
    (re.compile(rf"^storage/adapters/[0-9a-f]+/{re.escape(MODEL_CARD)}$"),
     "Model card: base, training data, settings, losses, and how to load the adapter."),
]


def _describe(path: str, known: dict[str, str]) -> str:
    if path in known:
        return known[path]
    for pattern, text in _PATTERNS:
        if pattern.match(path):
            return pattern.sub(text, path)
    if path.startswith("data/") and path.endswith(".json"):
        label = path[len("data/"):-len(".json")]
        return (f"The rows of `{label}` that carry the tenant's key (a platform-wide table; "
                "Django's serializer JSON, secrets such as key hashes left out).")
    if path.startswith("audit-checkpoints/"):
        return ("A signed checkpoint of the audit chain's head (Ed25519 over the tenant, seq, "
                "entry hash and the previous checkpoint's signature).")
    if path.startswith("audit"):
        return "The audit chain's verification at export time."
    if path.startswith("storage/"):
        return _storage_descriptions().get(path.split("/")[1], GENERIC_STORAGE)
    return "Tenant data collected by the platform's data map."


GENERIC_STORAGE = "A file of the tenant's storage, as stored."


def _storage_descriptions() -> dict[str, str]:
    """What the data map says each storage category's files are."""
    return {place.category: place.describes
            for place in tenant_data.places(tenant_data.Kind.STORAGE)
            if isinstance(place, StorageCategory) and place.describes}


def render(tenant: Tenant, manifest: dict[str, Any], paths: list[str]) -> str:
    """The README for a bundle holding `paths` (besides the signature files and itself)."""
    known = _descriptions()
    rows = ["| file | what it is |", "|---|---|"]
    for path in [*SIGNATURE_FILES, NAME, *sorted(set(paths) - {NAME})]:
        rows.append(f"| `{path}` | {_describe(path, known)} |")
    adapters = manifest.get("adapters", [])
    adapter_lines = [f"- `{a['directory']}/`: see `{a['model_card']}`"
                     + (f" ({len(a['corrected'])} file(s) corrected at export)"
                        if a["corrected"] else "") for a in adapters]
    return "\n\n".join([
        f"# Sanoweb export: {tenant.name}",
        f"Everything the tenant `{tenant.slug}` held on the platform, exported at "
        f"{manifest['created_at']} (format `{manifest['format']}`, "
        f"{manifest['platform_version']}).",
        "## Check the bundle first, without the platform",
        "`manifest.json` lists every other file with its sha256; `manifest.sig` is an Ed25519 "
        "signature of `manifest.json`'s exact bytes; `public_key.pem` is the key it was made "
        "with. A valid signature shows the bundle is as the key's holder made it; that the "
        "key is the platform's you must check against the key the platform published to you "
        "(the signing key page of the platform's admin site, or your agreement). Its "
        "fingerprint:",
        _code("sh", FINGERPRINT),
        "With OpenSSL 3.0 or later and `sha256sum`, in the unpacked folder (the second "
        "command prints `Signature Verified Successfully`):",
        _code("sh", OPENSSL_CHECK),
        "Or with Python and the `cryptography` package, on the zip file itself (this also "
        "refuses files the manifest does not list). Save as `verify_bundle.py`:",
        _code("python", PYTHON_CHECK),
        _code("sh", "python verify_bundle.py BUNDLE.zip"),
        "## Adapters",
        ("Each adapter folder holds the files peft and vLLM load, `base_model.json` and a "
         "model card with the exact commands to load it elsewhere. Adapters registered before "
         "configs were portable named their base by a directory on our training host: in "
         "this bundle that config is corrected to the public id, and `base_model.json` is "
         "added; `manifest.json` → `adapters` lists each corrected file with the stored and "
         "exported sha256 (the registry's rows in `data/training.AdapterVersion.json` keep "
         "the stored ones).\n\n" + "\n".join(adapter_lines)) if adapters
        else "No adapters.",
        "## What is in it",
        "\n".join(rows),
    ]) + "\n"
