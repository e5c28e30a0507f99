"""LoRA fine-tuning with peft: plain Python, no Django, so a GPU host needs only this file and
training/adapter_files.py.

Loss is taken on the assistant tokens of the chat template only (the question is context, not
something to learn to say). Deterministic for a seed; fp32 on CPU, bf16 on CUDA. The adapter
is written as safetensors only, into a temporary directory that is renamed into place; its
config names the base by its public id, never by the local directory it was trained from.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from training.adapter_files import CONFIG_FILE, SERVING_FILES, WEIGHTS_FILE, portable_config

TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class TrainingCancelled(Exception):
    """should_cancel() said stop; nothing was written."""


class InvalidTrainingData(ValueError):
    """The examples or settings cannot be trained on; the message is safe to show."""


@dataclass(frozen=True)
class TrainConfig:
    rank: int = 8
    alpha: int = 16
    learning_rate: float = 1e-3
    epochs: int = 20
    max_steps: int = 200
    max_seq_len: int = 256
    batch_size: int = 4
    seed: int = 1234
    eval_fraction: float = 0.1
    eval_every: int = 10

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclass(frozen=True)
class Progress:
    step: int
    total: int
    loss: float
    eval_loss: float | None
    tokens_per_s: float


@dataclass
class TrainResult:
    steps: int
    train_examples: int
    eval_examples: int
    final_loss: float
    eval_loss: float | None
    seconds: float
    tokens: int
    device: str
    metrics: dict[str, Any] = field(default_factory=dict)


def eval_count(examples: int, eval_fraction: float) -> int:
    """How many examples are held out for evaluation (none below ten examples)."""
    return int(examples * eval_fraction) if examples >= 10 else 0


def _encode(tokenizer: Any, example: dict[str, Any], max_len: int) -> tuple[list[int], list[int]]:
    """Token ids and labels (-100 outside the final assistant turn)."""
    messages = example.get("messages") if isinstance(example, dict) else None
    if (not isinstance(messages, list) or len(messages) < 2
            or messages[-1].get("role") != "assistant"
            or not all(isinstance(m.get("content"), str) and m["content"].strip()
                       for m in messages)):
        raise InvalidTrainingData("Each example needs chat messages ending in an assistant turn.")
    prompt = tokenizer.apply_chat_template(messages[:-1], add_generation_prompt=True,
                                           tokenize=True)
    full = tokenizer.apply_chat_template(messages, tokenize=True)
    prompt, full = _ids(prompt), _ids(full)
    if full[:len(prompt)] != prompt:
        raise InvalidTrainingData("The chat template does not extend the prompt; cannot mask.")
    full = full[:max_len]
    labels = [-100] * min(len(prompt), len(full)) + full[len(prompt):]
    if all(label == -100 for label in labels):
        raise InvalidTrainingData(f"An answer falls outside max_seq_len={max_len}.")
    return full, labels


def _versions() -> dict[str, str]:
    """The libraries that trained the adapter (for its model card)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("torch", "transformers", "peft"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def _ids(value: Any) -> list[int]:
    if isinstance(value, dict) or hasattr(value, "input_ids"):
        value = value["input_ids"]
    return [int(v) for v in value]


def _batches(items: Sequence[tuple[list[int], list[int]]], size: int,
             rng: random.Random) -> list[list[tuple[list[int], list[int]]]]:
    order = list(items)
    rng.shuffle(order)
    return [order[i:i + size] for i in range(0, len(order), size)]


def _collate(batch: Sequence[tuple[list[int], list[int]]], pad_id: int, device: Any) -> Any:
    import torch

    width = max(len(ids) for ids, _ in batch)
    input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, (ids, labs) in enumerate(batch):
        input_ids[row, :len(ids)] = torch.tensor(ids)
        labels[row, :len(labs)] = torch.tensor(labs)
        mask[row, :len(ids)] = 1
    return input_ids.to(device), labels.to(device), mask.to(device)


def train_lora(
    *,
    base_dir: Path,
    examples: Sequence[dict[str, Any]],
    out_dir: Path,
    config: TrainConfig,
    max_lora_rank: int,
    progress: Callable[[Progress], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    base_model_id: str | None = None,
) -> TrainResult:
    """Train a LoRA adapter on chat examples and write it to `out_dir` (which must not exist).

    `base_model_id` is the public id written into the adapter config (null when None)."""
    if not 1 <= config.rank <= max_lora_rank:
        raise InvalidTrainingData(f"LoRA rank must be between 1 and {max_lora_rank}.")
    if not examples:
        raise InvalidTrainingData("There are no examples to train on.")
    if out_dir.exists():
        raise FileExistsError(out_dir)

    import torch
    from peft import LoraConfig, get_peft_model, get_peft_model_state_dict
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.perf_counter()
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    dtype = torch.bfloat16 if cuda else torch.float32

    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    encoded = [_encode(tokenizer, e, config.max_seq_len) for e in examples]
    rng = random.Random(config.seed)
    indices = list(range(len(encoded)))
    rng.shuffle(indices)
    n_eval = eval_count(len(encoded), config.eval_fraction)
    eval_set = [encoded[i] for i in indices[:n_eval]]
    train_set = [encoded[i] for i in indices[n_eval:]]

    # transformers' decorator on PreTrainedModel.to drops the bound self from its type
    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=dtype).to(device)  # type: ignore[arg-type]
    model = get_peft_model(model, LoraConfig(
        r=config.rank, lora_alpha=config.alpha, lora_dropout=0.0,
        target_modules=list(TARGET_MODULES), task_type="CAUSAL_LM"))
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad],
                                  lr=config.learning_rate)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (
        tokenizer.eos_token_id or 0)
    per_epoch = math.ceil(len(train_set) / config.batch_size)
    total = max(1, min(config.max_steps, config.epochs * per_epoch))

    def evaluate() -> float | None:
        if not eval_set:
            return None
        model.eval()
        with torch.no_grad():
            losses = [float(model(input_ids=i, labels=labels, attention_mask=m).loss)
                      for i, labels, m in (_collate(b, pad_id, device)
                                           for b in _batches(eval_set, config.batch_size,
                                                             random.Random(0)))]
        model.train()
        return sum(losses) / len(losses)

    model.train()
    step, tokens, loss_value, eval_loss = 0, 0, float("nan"), None
    while step < total:
        for batch in _batches(train_set, config.batch_size, rng):
            if should_cancel is not None and should_cancel():
                raise TrainingCancelled
            input_ids, labels, mask = _collate(batch, pad_id, device)
            loss = model(input_ids=input_ids, labels=labels, attention_mask=mask).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            tokens += int(mask.sum())
            loss_value = float(loss.detach())
            if step % config.eval_every == 0 or step == total:
                eval_loss = evaluate()
            if progress is not None:
                elapsed = max(time.perf_counter() - started, 1e-9)
                progress(Progress(step, total, loss_value,
                                  eval_loss if step % config.eval_every == 0 or step == total
                                  else None, tokens / elapsed))
            if step >= total:
                break

    tmp_dir = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp_dir, ignore_errors=True)
    tmp_dir.mkdir(parents=True)
    state = {k: v.detach().to(torch.bfloat16).contiguous().cpu()
             for k, v in get_peft_model_state_dict(model).items()}
    save_file(state, str(tmp_dir / WEIGHTS_FILE), metadata={"format": "pt"})
    model.peft_config["default"].save_pretrained(str(tmp_dir))
    config_path = tmp_dir / CONFIG_FILE  # peft wrote base_dir into it: a path on this host
    config_path.write_bytes(portable_config(config_path.read_bytes(), base_model_id))
    written = sorted(p.name for p in tmp_dir.iterdir())
    if written != sorted(SERVING_FILES):
        shutil.rmtree(tmp_dir, ignore_errors=True)
        raise RuntimeError(f"Unexpected adapter files: {written}")
    os.replace(tmp_dir, out_dir)
    seconds = time.perf_counter() - started
    return TrainResult(
        steps=step, train_examples=len(train_set), eval_examples=len(eval_set),
        final_loss=loss_value, eval_loss=eval_loss, seconds=seconds, tokens=tokens,
        device=str(device),
        metrics={"final_loss": round(loss_value, 5), "eval_loss": eval_loss,
                 "train_examples": len(train_set), "eval_examples": len(eval_set),
                 "seconds": round(seconds, 1), "tokens": tokens,
                 "tokens_per_s": round(tokens / seconds, 1),
                 "config": asdict(config), "versions": _versions()},
    )


def answer_losses(base_dir: Path, adapter_dir: Path | None,
                  examples: Sequence[dict[str, Any]],
                  max_seq_len: int = 1024) -> list[tuple[float, int]]:
    """Per example, the summed negative log-likelihood of its final assistant turn given the
    rest, and how many tokens it has: the training objective, teacher-forced, for the base
    alone or with the adapter in `adapter_dir` (the evaluation's eval loss)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    model: Any = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    if adapter_dir is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter_dir))
    model.eval()
    found = []
    with torch.no_grad():
        for example in examples:
            ids, labels = _encode(tokenizer, example, max_seq_len)
            logits = model(input_ids=torch.tensor([ids])).logits[0, :-1]
            targets = torch.tensor(labels[1:])
            scored = targets != -100
            nll = torch.nn.functional.cross_entropy(logits[scored], targets[scored],
                                                    reduction="sum")
            found.append((float(nll), int(scored.sum())))
    return found
