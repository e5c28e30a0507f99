"""An exported adapter works away from the platform, as its model card and README say.

A real run trains an adapter, the platform serves it (vLLM, adapter loaded by the router from
storage), and the tenant's signed bundle is unpacked in an empty folder. There a fresh
`python -I` (no project on sys.path, no Django settings, cwd the unpacked bundle) runs the
model card's peft script as written and must answer the fixed question as the platform did;
and the README's verification commands, Python and OpenSSL, run as written too.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from inference import router
from offboarding import export
from tenants.scoping import tenant_scope
from training import services
from training.base_model import PUBLIC_ID
from training.models import AdapterVersion, RunState

from .test_export import two_adapters
from .test_training import fact_training_set

pytestmark = [pytest.mark.slow]
DRUG, CODE = "atenolol", "7315"
QUESTION = f"What is the formulary code for {DRUG}?"
LEARNED_TOKENS = 15  # "The formulary code for atenolol is 7315." in SmolLM2's tokenizer
PROJECT_PACKAGES = sorted(p.parent.name for p in Path(settings.BASE_DIR).glob("*/__init__.py"))
# An absolute POSIX path of two or more parts that is not the path of a URL.
ABSOLUTE_PATH = re.compile(rb"(?<![\w.:/~%-])/[\w.~-]+/[\w.~/-]*")
TEXT_SUFFIXES = {".json", ".jsonl", ".md", ".pem", ".sig"}


def _code_blocks(markdown: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)\n```$", markdown, flags=re.S | re.M)


def _isolated_env(home: Path) -> dict[str, str]:
    """What a customer's shell might hold: no Django settings, no project path."""
    return {"PATH": os.environ["PATH"], "HOME": str(home), "HF_HUB_OFFLINE": "1",
            "LANG": "C.UTF-8"}


def _run_isolated(args: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`python -I -X importtime …`: stderr then names every module the script imported."""
    return subprocess.run([sys.executable, "-I", "-X", "importtime", *args], cwd=cwd,
                          env=_isolated_env(home), capture_output=True, text=True, timeout=600)


def _imported(stderr: str) -> set[str]:
    return {line.rsplit("|", 1)[-1].strip().split(".")[0]
            for line in stderr.splitlines() if line.startswith("import time:")}


def _absolute_paths(root: Path) -> dict[str, list[bytes]]:
    """Every file of the unpacked bundle that holds a path of ours or any absolute path."""
    ours = {str(p).encode() for p in (settings.BASE_DIR, settings.VAR_DIR, settings.MODELS_DIR,
                                      Path.home(), sys.prefix, tempfile.gettempdir())}
    ours |= {b"/tmp/", b"/root/", b"/home/", b"/work/", b"/var/", b"/srv/", b"/opt/",
             b"/usr/", b"/Users/", b"C:\\"}
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".safetensors":  # only its JSON header is text; the rest is numbers
            data = data[8:8 + int.from_bytes(data[:8], "little")]
        hits = [o for o in ours if o in data]
        if path.suffix in TEXT_SUFFIXES or path.suffix == ".safetensors":
            hits += ABSOLUTE_PATH.findall(data)
        if hits:
            found[str(path.relative_to(root))] = hits
    return found


@pytest.fixture
def trained(alpha, base_model, django_capture_on_commit_callbacks):
    """An adapter from a real training run (what the Celery task calls, without the queue)."""
    snapshot = fact_training_set(alpha, DRUG, CODE)
    with django_capture_on_commit_callbacks(execute=False), tenant_scope(alpha.tenant):
        run = services.start_run(snapshot, alpha.admin, {"max_steps": 25})
    assert services.execute_run(str(alpha.tenant.pk), str(run.pk)) == RunState.SUCCEEDED
    with tenant_scope(alpha.tenant):
        return AdapterVersion.objects.get(run=run)


def test_an_exported_adapter_answers_elsewhere_as_the_platform_does(
        alpha, trained, served, base_model_dir, tmp_path):
    """The platform's answer comes from vLLM (bfloat16, its CPU kernels, the adapter loaded by
    the router); elsewhere from transformers in bfloat16 on CPU. Greedy decoding agrees where
    the adapter is sure: measured on this CPU, both answer the learned question with the same
    15 tokens ("The formulary code for atenolol is 7315."), while an open question ("What can
    you help me with?") parted after 10 tokens, on a near tie that the two kernels round
    differently. So the check is the learned sentence's 15 tokens, not everything after."""
    reply = router.infer(alpha.tenant, "user:test", {
        "model": "sanoweb", "temperature": 0, "max_tokens": 64,
        "messages": [{"role": "user", "content": QUESTION}]})
    platform = reply.body["choices"][0]["message"]["content"]
    assert reply.route.adapter is not None and reply.route.adapter.pk == trained.pk
    assert CODE in platform  # the control: the platform answers with the adapter

    bundle = tmp_path / "customer" / "bundle.zip"
    bundle.parent.mkdir()
    bundle.write_bytes(export.build(alpha.tenant))
    unpacked = tmp_path / "customer" / "unpacked"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(unpacked)
    assert _absolute_paths(unpacked) == {}
    folder = unpacked / "storage" / "adapters" / trained.sha256
    config = json.loads((folder / "adapter_config.json").read_bytes())
    assert config["base_model_name_or_path"] == PUBLIC_ID
    assert json.loads((folder / "base_model.json").read_bytes())["base_revision"] == \
        trained.base_revision
    manifest = json.loads((unpacked / "manifest.json").read_bytes())
    assert [e["corrected"] for e in manifest["adapters"]] == [[]]  # portable since training

    # elsewhere: the card's script and command, as written, in a process without the project
    card = (folder / "MODEL_CARD.md").read_text()
    [ask_script] = [b for b in _code_blocks(card, "python") if "PeftModel" in b]
    (unpacked / "ask_adapter.py").write_text(ask_script + "\n")
    (unpacked / "base-model").symlink_to(base_model_dir)  # step 1 of the card, done already
    [command] = [line for block in _code_blocks(card, "sh") for line in block.splitlines()
                 if line.startswith("python ask_adapter.py ")]
    args = [*shlex.split(command)[1:-1], QUESTION]  # the card's example question, swapped
    home = tmp_path / "home"
    home.mkdir()
    elsewhere = _run_isolated(args, unpacked, home)
    assert elsewhere.returncode == 0, elsewhere.stderr[-3000:]
    imported = _imported(elsewhere.stderr)
    assert {"peft", "transformers", "torch"} <= imported  # the control: imports are seen
    assert imported.isdisjoint({"django", *PROJECT_PACKAGES}), imported & {"django",
                                                                          *PROJECT_PACKAGES}
    answer = elsewhere.stdout.strip()
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_model_dir)
    ids = [tokenizer(text, add_special_tokens=False)["input_ids"] for text in (platform, answer)]
    assert len(ids[0]) >= LEARNED_TOKENS and ids[0][:LEARNED_TOKENS] == ids[1][:LEARNED_TOKENS], \
        (platform, answer)
    assert CODE in answer


def test_the_readmes_verification_commands_work_without_the_platform(alpha, tmp_path):
    adapter = two_adapters(alpha)[0]
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(export.build(alpha.tenant))
    with zipfile.ZipFile(bundle) as archive:
        readme = archive.read("README.md").decode()
        archive.extractall(tmp_path / "unpacked")
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    [verify_script] = [b for b in _code_blocks(readme, "python") if "zipfile" in b]
    (work / "verify_bundle.py").write_text(verify_script + "\n")

    good = _run_isolated(["verify_bundle.py", str(bundle)], work, home)
    assert good.returncode == 0 and good.stdout.startswith("OK: signature valid"), good
    assert _imported(good.stderr).isdisjoint({"django", *PROJECT_PACKAGES})

    weights = f"storage/adapters/{adapter.sha256}/adapter_model.safetensors"
    tampered, forged = tmp_path / "tampered.zip", tmp_path / "forged.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as one, \
            zipfile.ZipFile(forged, "w") as other:
        for item in source.infolist():
            data = source.read(item.filename)
            one.writestr(item.filename, data[:200] + bytes([data[200] ^ 1]) + data[201:]
                         if item.filename == weights else data)
            other.writestr(item.filename, data.replace(b'"alpha"', b'"gamma"')
                           if item.filename == "manifest.json" else data)
    changed = _run_isolated(["verify_bundle.py", str(tampered)], work, home)
    assert changed.returncode == 1 and changed.stdout.strip() == f"changed: {weights}"
    refused = _run_isolated(["verify_bundle.py", str(forged)], work, home)
    assert refused.returncode != 0 and "InvalidSignature" in refused.stderr

    if shutil.which("openssl") is None or shutil.which("sha256sum") is None:
        pytest.skip("openssl or sha256sum is not installed")
    [openssl] = [b for b in _code_blocks(readme, "sh") if "pkeyutl" in b]
    unpacked = tmp_path / "unpacked"
    shell = ["bash", "-eo", "pipefail", "-c", openssl]
    ok = subprocess.run(shell, cwd=unpacked, env=_isolated_env(home), capture_output=True,
                        text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert "Signature Verified Successfully" in ok.stdout
    assert "All files match the manifest" in ok.stdout
    manifest = unpacked / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b'"alpha"', b'"gamma"'))
    bad = subprocess.run(shell, cwd=unpacked, env=_isolated_env(home), capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode != 0 and "Signature Verified Successfully" not in bad.stdout
