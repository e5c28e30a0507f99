"""Which approved examples are held out for evaluation: decided once, at the first approval.

The first approvals fill a tenant's held-out split up to `EVAL_MIN`; after that an example is
held out when a keyed hash of its id falls below `EVAL_FRACTION`. So the choice is stable (an
id always lands on the same side), reproducible from `EVAL_SEED`, and not something the order
or timing of approvals can steer once the minimum is met. A held-out example never trains:
freezing writes it to the snapshot's separate evaluation file, never to the training file.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings

from tenants import audit
from tenants.scoping import current_tenant

from .models import CurationSettings, Example, Split


def hash_fraction(example_id: Any, seed: str) -> float:
    """A number in [0, 1) that depends only on the seed and the example's id."""
    key = b"sanoweb.eval-split\0" + seed.encode()
    digest = hmac.new(key, str(example_id).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def choose_split(example_id: Any, held_out: int, *, fraction: float, minimum: int,
                 seed: str) -> str:
    """The split for an example approved while `held_out` approved examples are held out."""
    if held_out < minimum:
        return Split.EVAL
    return Split.EVAL if hash_fraction(example_id, seed) < fraction else Split.TRAIN


def rule() -> dict[str, Any]:
    """The rule in force, as a snapshot's manifest records it (the seed only by a digest)."""
    return {"fraction": settings.EVAL_FRACTION, "minimum": settings.EVAL_MIN,
            "seed_sha256": hashlib.sha256(settings.EVAL_SEED.encode()).hexdigest()[:16]}


def assign(example: Example, actor: str) -> str:
    """Give a newly approved example its split, once; call inside the approving transaction."""
    if example.split:
        return example.split
    tenant = current_tenant()
    # One approval at a time per tenant counts the held-out examples, so two concurrent
    # approvals cannot both see the split one short of its minimum.
    CurationSettings.objects.get_or_create(tenant=tenant)
    CurationSettings.objects.select_for_update().filter(tenant=tenant).first()
    held_out = Example.objects.filter(split=Split.EVAL, status=Example.Status.APPROVED).exclude(
        pk=example.pk).count()
    example.split = choose_split(example.pk, held_out, fraction=settings.EVAL_FRACTION,
                                 minimum=settings.EVAL_MIN, seed=settings.EVAL_SEED)
    example.save(update_fields=["split"])
    if example.split == Split.EVAL:
        audit.append(tenant, "curation.example_held_out", actor=actor,
                     target=f"example:{example.pk}", payload={"held_out_before": held_out})
    return example.split
