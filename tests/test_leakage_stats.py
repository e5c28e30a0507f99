"""The leakage report's statistics on numbers whose answers are known."""

from __future__ import annotations

import json
import math
import random
import zlib
from typing import Any

import numpy as np
import pytest

from leakage import data, report, stats


def test_exposure_is_log2_of_the_candidates_for_the_top_secret_and_zero_for_the_last():
    refs = [float(-i) for i in range(1, 64)]  # 63 references, 64 candidates
    assert stats.exposure(0.0, refs) == pytest.approx(6.0)
    assert stats.exposure(-100.0, refs) == pytest.approx(0.0)
    assert stats.exposure(-31.5, refs) == pytest.approx(6 - math.log2(32))


def test_reference_exposures_of_unmemorised_secrets_average_the_uniform_rank_baseline():
    refs = list(np.random.default_rng(1).normal(size=999))
    values = stats.reference_exposures(refs)
    # E[log2 N - log2 U{1..N}] = log2 N - log2(N!)/N ~ 1/ln 2 = 1.44 bits
    assert np.mean(values) == pytest.approx(1 / math.log(2), abs=0.05)


def test_ks_tells_memorised_exposures_from_references_and_not_random_ones():
    rng = np.random.default_rng(2)
    refs = stats.reference_exposures(list(rng.normal(size=200)))
    unmemorised = [stats.exposure(float(rng.normal()), list(rng.normal(size=199)))
                   for _ in range(30)]
    assert stats.ks_pvalue(unmemorised, refs) > 0.05
    assert stats.ks_pvalue([7.6] * 10 + unmemorised[:20], refs) < 0.05


def test_auc_and_tpr_at_low_fpr():
    assert stats.auc([3, 4, 5], [0, 1, 2]) == 1.0
    assert stats.auc([0, 1, 2], [3, 4, 5]) == 0.0
    assert stats.auc([1, 1], [1, 1]) == 0.5
    assert stats.tpr_at_fpr([5, 6, 1], [0, 2, 3, 4]) == pytest.approx(2 / 3)
    roc = stats.roc_curve([3, 4], [1, 2])
    assert roc[0] == (0.0, 0.0) and roc[-1] == (1.0, 1.0) and (0.0, 1.0) in roc


def test_bootstrap_interval_holds_half_for_chance_and_excludes_it_for_a_real_signal():
    rng = np.random.default_rng(3)
    chance = stats.bootstrap(list(rng.normal(size=40)), list(rng.normal(size=40)), "auc",
                             rounds=500, seed=1)
    assert chance.low < 0.5 < chance.high
    signal = stats.bootstrap(list(rng.normal(2, 1, size=40)), list(rng.normal(size=40)),
                             "auc", rounds=500, seed=1)
    assert signal.low > 0.75 and signal.contains(signal.value)
    tpr = stats.bootstrap(list(rng.normal(5, 1, size=40)), list(rng.normal(size=40)), "tpr",
                          rounds=200, seed=1)
    assert tpr.value > 0.8


def test_membership_scores():
    lps = [-0.1, -0.2, -3.0, -0.1, -5.0]
    assert stats.loss_score(lps) == pytest.approx(-8.4 / 5)
    assert stats.min_k_score(lps, 0.2) == -5.0  # one token of five
    assert stats.min_k_score(lps, 0.4) == pytest.approx(-4.0)
    text = "On the renal ward we give atenolol 25 mg every 12 hours."
    assert stats.zlib_score(lps, text) == pytest.approx(-8.4 / (8 * len(zlib.compress(
        text.encode()))))
    # a text the target finds likelier than the base did scores above one it does not
    assert stats.reference_score([-0.1] * 4, [-2.0] * 4) > stats.reference_score(
        [-1.0] * 4, [-1.0] * 4)


def test_secrets_come_from_a_space_of_1e8_and_survive_as_two_groups():
    rng = random.Random(0)
    assert data.SECRET_SPACE >= 10**8
    values = {data.secret(rng) for _ in range(1000)}
    assert len(values) == 1000 and all(len(v) == 9 and v[4] == " " for v in values)
    found = data.canaries(rng, list(data.DRUGS), (1, 4, 16), 2)
    assert [c.repetitions for c in found] == [1, 1, 4, 4, 16, 16]
    assert len({c.drug for c in found}) == 6
    assert found[0].answer().startswith(found[0].prefix) and found[0].secret in found[0].answer()


def _arm(name: str, exposures: list[float], refs: list[float], found: int,
         auc: list[float]) -> dict[str, Any]:
    counts = [1, 1, 4, 4, 16, 16]
    return {"arm": name, "exposure": exposures, "reference_exposures": refs,
            "mia": {"loss": {"auc": auc, "tpr_at_1pct_fpr": [0, 0, 0], "roc": []}},
            "extraction": [{"repetitions": c, "greedy": i >= 6 - found, "sampled": 0}
                           for i, c in enumerate(counts)]}


def test_verdict_passes_an_isolated_route_and_needs_a_leaking_control():
    rng = np.random.default_rng(4)
    refs = stats.reference_exposures(list(rng.normal(size=100)))
    quiet = [stats.exposure(float(rng.normal()), list(rng.normal(size=100))) for _ in range(6)]
    result: dict[str, Any] = {"canaries": [{"repetitions": c} for c in (1, 1, 4, 4, 16, 16)],
              "cache_probe": {"clean": True, "owner_first": 0, "owner_second": 256,
                              "other": 0},
              "injections": [{"ok": True}],
              "arms": [_arm("B_route_LoRA_B", quiet, refs, 0, [0.5, 0.4, 0.6]),
                       _arm("B_route_LoRA_shared", [0.5, 1.0, 4, 5, 6.6, 6.6], refs, 2,
                            [0.9, 0.8, 1.0])]}
    verdict = report.verdict(result)
    assert verdict["passed"] and verdict["has_power"], verdict
    # the same control without any leak: no power, and the report says so
    result["arms"][1] = _arm("B_route_LoRA_shared", quiet, refs, 0, [0.5, 0.4, 0.6])
    verdict = report.verdict(result)
    assert not verdict["has_power"] and "no power" in verdict["summary"]
    # an isolated arm that leaks fails
    result["arms"][0] = _arm("B_route_LoRA_B", quiet, refs, 1, [0.5, 0.4, 0.6])
    assert not report.verdict(result)["passed"]


def test_the_report_is_written_as_json_and_html_with_its_plots(tmp_path):
    rng = np.random.default_rng(5)
    refs = stats.reference_exposures(list(rng.normal(size=50)))
    arm = _arm("B_route_LoRA_B", [1.0, 2.0, 0.5, 1.5, 0.2, 3.0], refs, 0, [0.5, 0.4, 0.6])
    arm["mia"]["loss"]["roc"] = stats.roc_curve([1, 2], [0, 1.5])
    shared = _arm("B_route_LoRA_shared", [0.5, 1.0, 4, 5, 6.6, 6.6], refs, 2, [0.9, 0.8, 1.0])
    owner = {**_arm("A_route_LoRA_A", [], [], 0, [0.9, 0.8, 1.0])}
    del owner["exposure"], owner["reference_exposures"]
    result: dict[str, Any] = {
        "canaries": [{"repetitions": c} for c in (1, 1, 4, 4, 16, 16)],
        "cache_probe": {"clean": True, "owner_first": 0, "owner_second": 256, "other": 0},
        "injections": [{"ok": True}], "arms": [owner, arm, shared], "commit": "abc",
        "dirty": False, "base_model": {}, "adapters": {}, "snapshots": {}, "seed": 1,
        "hyperparameters": {}, "seconds": {}}
    written = report.write(result, tmp_path)
    assert written["verdict"]["passed"] and written["verdict"]["has_power"]
    page = (tmp_path / "leakage_report.html").read_text()
    assert page.count("<svg") == 3 * 2 + 3 and "PASS" in page
    assert json.loads((tmp_path / "leakage_report.json").read_text())["summary"][
        "B_route_LoRA_shared"]["extractions"] == {"1": 0, "4": 0, "16": 2}
