"""The load-time check against a real vLLM: a peft adapter that changes nothing (its target
modules match nothing in SmolLM2, or its LoRA was never trained away from zero) loads without
a word from vLLM and would answer as the base model, token for token and log-probability for
log-probability (measured); the check refuses it. A trained adapter passes and serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from inference import residency, router
from tenants.models import AuditEntry
from tenants.scoping import tenant_scope
from training.adapter_files import CONFIG_FILE, WEIGHTS_FILE
from training.models import AdapterVersion, LoadCheck

from .test_inference_e2e import CANARY, give_adapter

pytestmark = [pytest.mark.slow, pytest.mark.engine, pytest.mark.django_db(transaction=True)]
BODY = {"messages": [{"role": "user", "content": "What is the formulary code for propranolol?"}],
        "max_tokens": 16, "temperature": 0}


def matching_nothing(out: Path, base_dir: Path) -> Path:
    """A real peft LoRA, its B weights far from zero, whose module paths exist nowhere in
    SmolLM2: it was made on a one-layer model whose only module is a top-level `q_proj`. vLLM
    accepts it (the name `q_proj` is one it knows) and applies it to nothing."""
    import torch
    from peft import LoraConfig, get_peft_model

    class OneLayer(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.q_proj = torch.nn.Linear(16, 16)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            result: torch.Tensor = self.q_proj(x)
            return result

    torch.manual_seed(0)
    model = get_peft_model(OneLayer(), LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj"]))
    for name, weights in model.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(weights, std=1.0)
    model.save_pretrained(str(out))
    return out


def never_trained(out: Path, base_dir: Path) -> Path:
    """A real peft LoRA on SmolLM2's q_proj, saved as initialised: B is zero, so no delta."""
    import torch
    from peft import LoraConfig, get_peft_model, get_peft_model_state_dict
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM

    model = get_peft_model(AutoModelForCausalLM.from_pretrained(base_dir), LoraConfig(
        r=4, lora_alpha=8, target_modules=["q_proj"], task_type="CAUSAL_LM"))
    out.mkdir(parents=True)
    state = {k: v.detach().to(torch.bfloat16).contiguous()
             for k, v in get_peft_model_state_dict(model).items()}
    save_file(state, str(out / WEIGHTS_FILE), metadata={"format": "pt"})
    model.peft_config["default"].save_pretrained(str(out))
    return out


def reread(adapter: AdapterVersion) -> AdapterVersion:
    with tenant_scope(adapter.tenant):
        return AdapterVersion.objects.get(pk=adapter.pk)


@pytest.mark.parametrize("build", [matching_nothing, never_trained])
def test_an_adapter_that_changes_nothing_is_refused_at_load(served, alpha, tmp_path,
                                                            base_model_dir, build):
    folder = build(tmp_path / "adapter", base_model_dir)
    assert (folder / CONFIG_FILE).exists()
    adapter = give_adapter(alpha, folder)
    with pytest.raises(router.TenantModelUnavailable, match=r"^adapter_refused$"):
        router.infer(alpha.tenant, "user:1", BODY)
    refused = reread(adapter)
    assert refused.load_check == LoadCheck.REFUSED and refused.load_check_reason == "no_effect"
    assert adapter.serving_name not in residency.served_roots()  # unloaded again
    with tenant_scope(alpha.tenant):
        assert AuditEntry.objects.filter(action="inference.adapter_load_refused",
                                         target=f"adapter:{adapter.pk}").exists()


def test_a_trained_adapter_passes_the_check_and_serves(served, alpha):
    adapter = give_adapter(alpha, CANARY / "canary_a")
    reply = router.infer(alpha.tenant, "user:1", BODY)
    assert "CN-1846" in reply.body["choices"][0]["message"]["content"]
    assert reread(adapter).load_check == LoadCheck.PASSED
    assert adapter.serving_name in residency.served_roots()
