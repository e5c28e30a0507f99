"""The statistics of the leakage report, plain numpy and scipy (no Django, no engine).

Conventions: a higher attack score means "more likely a member"; log-probabilities are
natural logs, exposures are in bits.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as scipy_stats


def exposure(canary_score: float, reference_scores: Sequence[float]) -> float:
    """Secret Sharer exposure (Carlini et al. 2019): log2|R| - log2 rank, where R is the
    canary with its references and rank 1 is the most likely. Ties count half."""
    refs = np.asarray(reference_scores, dtype=float)
    above = float(np.sum(refs > canary_score)) + 0.5 * float(np.sum(refs == canary_score))
    return math.log2(len(refs) + 1) - math.log2(1 + above)


def reference_exposures(reference_scores: Sequence[float]) -> list[float]:
    """Each reference's exposure among the others, on the same |R| as a canary's: the
    distribution an unmemorised secret has (uniform rank)."""
    refs = np.asarray(reference_scores, dtype=float)
    out = []
    for i, score in enumerate(refs):
        others = np.delete(refs, i)
        above = float(np.sum(others > score)) + 0.5 * float(np.sum(others == score))
        out.append(math.log2(len(refs) + 1) - math.log2(1 + above))
    return out


def ks_pvalue(sample: Sequence[float], reference: Sequence[float]) -> float:
    """Two-sample Kolmogorov-Smirnov p-value (two-sided)."""
    if not len(sample) or not len(reference):
        return float("nan")
    return float(scipy_stats.ks_2samp(np.asarray(sample), np.asarray(reference)).pvalue)


def auc(members: npt.ArrayLike, non_members: npt.ArrayLike) -> float:
    """ROC AUC = P(score of a member > score of a non-member), ties counting half."""
    m = np.asarray(members, dtype=float)[:, None]
    n = np.asarray(non_members, dtype=float)[None, :]
    return float(np.mean((m > n) + 0.5 * (m == n)))


def tpr_at_fpr(members: npt.ArrayLike, non_members: npt.ArrayLike,
               fpr: float = 0.01) -> float:
    """The fraction of members scored above the threshold that lets at most `fpr` of the
    non-members through (with few non-members: above the highest one)."""
    n = np.sort(np.asarray(non_members, dtype=float))
    allowed = math.floor(fpr * len(n))
    threshold = n[len(n) - 1 - allowed]
    return float(np.mean(np.asarray(members, dtype=float) > threshold))


def roc_curve(members: Sequence[float],
              non_members: Sequence[float]) -> list[tuple[float, float]]:
    """(FPR, TPR) points from (0, 0) to (1, 1), one per distinct threshold."""
    m, n = np.asarray(members, dtype=float), np.asarray(non_members, dtype=float)
    points = [(0.0, 0.0)]
    for threshold in sorted(set(m.tolist()) | set(n.tolist()), reverse=True):
        points.append((float(np.mean(n >= threshold)), float(np.mean(m >= threshold))))
    points.append((1.0, 1.0))
    return points


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float

    def contains(self, x: float) -> bool:
        return self.low <= x <= self.high


def bootstrap(members: Sequence[float], non_members: Sequence[float], statistic: str,
              *, rounds: int = 1000, seed: int = 0, level: float = 0.95) -> Interval:
    """Percentile bootstrap of `statistic` ("auc" or "tpr@1%fpr"), resampling members and
    non-members separately."""
    fn = auc if statistic == "auc" else tpr_at_fpr
    m, n = np.asarray(members, dtype=float), np.asarray(non_members, dtype=float)
    rng = np.random.default_rng(seed)
    values = [fn(rng.choice(m, len(m)), rng.choice(n, len(n))) for _ in range(rounds)]
    tail = (1 - level) / 2 * 100
    return Interval(fn(m, n), float(np.percentile(values, tail)),
                    float(np.percentile(values, 100 - tail)))


# --- membership-inference scores of one example ------------------------------------------------


def loss_score(logprobs: Sequence[float]) -> float:
    """Yeom et al.: minus the mean negative log-likelihood per token."""
    return float(np.mean(logprobs))


def zlib_score(logprobs: Sequence[float], text: str) -> float:
    """Carlini et al. 2021: the text's log-likelihood (negative) over its zlib-compressed
    size in bits, so that a text unusually likely for its entropy scores high."""
    return float(np.sum(logprobs)) / (8 * len(zlib.compress(text.encode())))


def min_k_score(logprobs: Sequence[float], k: float = 0.2) -> float:
    """Shi et al. 2024, Min-K% Prob: the mean log-probability of the k% least likely tokens."""
    values = np.sort(np.asarray(logprobs, dtype=float))
    count = max(1, math.ceil(k * len(values)))
    return float(np.mean(values[:count]))


def reference_score(logprobs: Sequence[float], base_logprobs: Sequence[float]) -> float:
    """The target's per-token log-likelihood minus the base model's on the same text
    (calibrated against what any model finds likely)."""
    return loss_score(logprobs) - loss_score(base_logprobs)
