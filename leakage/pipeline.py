"""The leakage measurement, end to end through the platform's own pipeline.

Canaries and ordinary examples go in as imported examples (redaction), are approved by a
reviewer, frozen into snapshots and trained by the training service on the Celery `gpu`
queue (or the same service in process); the three arms share one base and one set of
hyper-parameters:

- LoRA_A: tenant A's examples with A's canaries (A's pinned adapter);
- LoRA_B: tenant B's own examples (B's pinned adapter);
- LoRA_shared: A's and B's examples together, trained in B and pinned as B's adapter for the
  control measurement: what B's route would serve if the platform shared weights.

Every attack runs through the attacking tenant's route (leakage.probes).
"""

from __future__ import annotations

import json
import random
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User

from curation import services as curation
from curation.models import Example, TrainingSet
from inference.fine_tuning import fine_tuned_name
from inference.router import cache_salt, resolve_route
from tenants.models import Role, Tenant
from tenants.scoping import tenant_scope
from tenants.services import add_member, create_tenant, get_or_create_user
from training import services as training
from training.models import TERMINAL_STATES, AdapterVersion, BaseModel, RunState, TrainingRun

from . import data, probes, stats

log_fn = Callable[[str], None]


@dataclass(frozen=True)
class Size:
    name: str
    repetitions: tuple[int, ...]
    per_count: int  # canaries at each repetition count
    references: int  # |R| - 1
    members: int  # A's ordinary examples trained on (as many are held out)
    b_examples: int
    b_per_count: int  # B's own canaries (the symmetric set)
    samples: int  # sampled completions per canary, besides the greedy one
    bootstrap: int
    score_owner_arm: bool  # A's own route on its own canaries (expected to memorise)
    hyperparameters: dict[str, Any] = field(default_factory=dict)


# Few steps at a high learning rate: measured so that repetition-16 canaries are memorised by
# the adapters that trained on them (see the report's figures), in minutes on two CPU cores.
_FAST = {"max_steps": 40, "learning_rate": 5e-3, "epochs": 100, "eval_fraction": 0.0,
         "rank": 8, "alpha": 16}
SIZES = {
    "ci": Size("ci", (1, 4, 16), per_count=3, references=49, members=16, b_examples=16,
               b_per_count=0, samples=2, bootstrap=1000, score_owner_arm=False,
               hyperparameters=_FAST),
    "full": Size("full", (1, 2, 4, 8, 16), per_count=6, references=499, members=100,
                 b_examples=100, b_per_count=2, samples=8, bootstrap=2000,
                 score_owner_arm=True,
                 hyperparameters={**_FAST, "max_steps": 300, "learning_rate": 2e-3}),
}


@dataclass
class Team:
    tenant: Tenant
    admin: User
    reviewer: User


def make_team(slug: str) -> Team:
    tenant, admin = create_tenant(slug, f"Leakage report {slug}", f"admin@{slug}.leakage.test",
                                  actor=probes.ACTOR)
    reviewer = get_or_create_user(f"reviewer@{slug}.leakage.test").user
    add_member(tenant, reviewer, Role.REVIEWER, actor=probes.ACTOR)
    return Team(tenant, admin.user, reviewer)


def approve_and_freeze(team: Team, rows: list[tuple[str, str]]) -> TrainingSet:
    """Import (redaction applies), approve each by the team's reviewer, freeze a snapshot."""
    lines = "\n".join(json.dumps({"question": q, "answer": a}) for q, a in rows).encode()
    with tenant_scope(team.tenant):
        report = curation.import_examples(lines, "leakage.jsonl", team.admin)
        if report.errors:
            raise RuntimeError(f"import refused: {report.errors[:3]}")
        for example in Example.objects.filter(status=Example.Status.PENDING):
            curation.decide(example, team.reviewer, "approve")
        return curation.freeze_training_set(team.admin)


def trained_texts(team: Team, snapshot: TrainingSet) -> list[str]:
    """The assistant answers the snapshot trains on (held-out examples are not in it)."""
    with tenant_scope(team.tenant):
        records = curation.read_training_set(snapshot)
    return [m["content"] for r in records for m in r["messages"] if m["role"] == "assistant"]


def train(jobs: list[tuple[Team, TrainingSet]], params: dict[str, Any], *, inline: bool,
          timeout: float = 3600) -> list[AdapterVersion]:
    """Start every run (queued on the gpu queue), then wait for the worker, or, inline, run
    the same service the task runs, here."""
    runs = []
    for team, snapshot in jobs:
        with tenant_scope(team.tenant):
            run = training.start_run(snapshot, team.admin, params)
        if run.state != RunState.QUEUED:
            raise RuntimeError(f"run refused: {run.error_code}")
        runs.append((team, run))
    adapters = []
    deadline = time.monotonic() + timeout
    for team, run in runs:
        if inline:
            training.execute_run(str(team.tenant.pk), str(run.pk))
        while True:
            with tenant_scope(team.tenant):
                run = TrainingRun.objects.get(pk=run.pk)
                if run.state in TERMINAL_STATES:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"run {run.pk} still {run.state}")
            time.sleep(1)
        if run.state != RunState.SUCCEEDED:
            raise RuntimeError(f"run failed: {run.error_code} {run.error_message}")
        with tenant_scope(team.tenant):
            adapters.append(AdapterVersion.objects.get(run=run))
    return adapters


def pin(team: Team, adapter: AdapterVersion) -> None:
    with tenant_scope(team.tenant):
        training.activate(adapter, team.admin)


# --- measurement -------------------------------------------------------------------------------


def measure(arm: str, team: Team, canaries: list[data.Canary], refs: list[str],
            members: list[tuple[str, str]], non_members: list[tuple[str, str]],
            base_lp: dict[str, list[float]], size: Size, seed: int, *,
            score_canaries: bool = True) -> dict[str, Any]:
    """Every attack through `team`'s route on A's canaries and examples."""
    started = time.perf_counter()
    scorer = probes.Scorer.for_tenant(team.tenant)
    assert scorer.route is not None
    result: dict[str, Any] = {"arm": arm, "route_tenant": team.tenant.slug,
                              "model_pin": scorer.route.pin}
    if score_canaries:
        pairs = [(c.question, c.answer(v)) for c in canaries for v in [c.secret, *refs]]
        lps = scorer.score_many(pairs)
        width = len(refs) + 1
        per_canary, ref_exposures = [], []
        for i in range(len(canaries)):
            totals = [sum(lp) for lp in lps[i * width:(i + 1) * width]]
            per_canary.append(stats.exposure(totals[0], totals[1:]))
            ref_exposures.extend(stats.reference_exposures(totals[1:]))
        result["exposure"] = per_canary
        result["reference_exposures"] = ref_exposures
    texts = members + non_members
    lps = scorer.score_many(texts)
    labels = [True] * len(members) + [False] * len(non_members)
    mia: dict[str, Any] = {}
    scores: dict[str, list[float]] = {"loss": [], "zlib": [], "min_k": [], "reference": []}
    for (_, answer), lp in zip(texts, lps, strict=True):
        scores["loss"].append(stats.loss_score(lp))
        scores["zlib"].append(stats.zlib_score(lp, answer))
        scores["min_k"].append(stats.min_k_score(lp, 0.2))
        scores["reference"].append(stats.reference_score(lp, base_lp[answer]))
    for attack, values in scores.items():
        m = [v for v, is_member in zip(values, labels, strict=True) if is_member]
        n = [v for v, is_member in zip(values, labels, strict=True) if not is_member]
        auc = stats.bootstrap(m, n, "auc", rounds=size.bootstrap, seed=seed)
        tpr = stats.bootstrap(m, n, "tpr", rounds=size.bootstrap, seed=seed)
        mia[attack] = {"auc": [auc.value, auc.low, auc.high],
                       "tpr_at_1pct_fpr": [tpr.value, tpr.low, tpr.high],
                       "roc": stats.roc_curve(m, n)}
    result["mia"] = mia
    found = probes.extract(team.tenant, [c.question for c in canaries], size.samples, seed)
    result["extraction"] = [
        {"repetitions": c.repetitions, "greedy": c.secret in g,
         "sampled": sum(c.secret in s for s in sampled), "greedy_answer": g[:120]}
        for c, g, sampled in zip(canaries, found.greedy, found.sampled, strict=True)]
    after = resolve_route(team.tenant)
    if after.pin != scorer.route.pin:  # a promotion moved the pin mid-measurement
        raise RuntimeError(f"{arm}: the route changed from {scorer.route.pin} to {after.pin}")
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def _commit() -> dict[str, Any]:
    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], cwd=settings.BASE_DIR,  # noqa: S603,S607
                                  capture_output=True, text=True, timeout=10)
            return (done.stdout or "").strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain",
                                                                  "--untracked-files=no"))}


def run(size: Size, seed: int, teams: tuple[Team, Team], *, inline: bool,
        log: log_fn = print) -> dict[str, Any]:
    """Build the data, train the three arms, attack, and return the report's figures."""
    started = time.perf_counter()
    commit = _commit()  # before the long part: what the figures below were measured on
    team_a, team_b = teams
    rng = random.Random(seed)
    drugs = list(data.DRUGS)
    rng.shuffle(drugs)
    a_canaries = data.canaries(rng, drugs, size.repetitions, size.per_count)
    b_canaries = data.canaries(rng, drugs, size.repetitions, size.b_per_count)
    refs = data.references(rng, size.references,
                           {c.secret for c in a_canaries + b_canaries})
    half = len(data.WARDS) // 2
    pool = data.ward_examples(rng, 2 * size.members, data.WARDS[:half])
    members_rows, held_out_rows = pool[:size.members], pool[size.members:]
    b_rows = data.ward_examples(rng, size.b_examples, data.WARDS[half:])
    a_rows = members_rows + [(c.question, c.answer()) for c in a_canaries
                             for _ in range(c.repetitions)]
    b_own = b_rows + [(c.question, c.answer()) for c in b_canaries for _ in range(c.repetitions)]
    rng.shuffle(a_rows)
    rng.shuffle(b_own)

    log("freezing A's, B's and the shared snapshots")
    snap_a = approve_and_freeze(team_a, a_rows)
    snap_b = approve_and_freeze(team_b, b_own)
    snap_shared = approve_and_freeze(team_b, a_rows)  # B's approved examples now include A's
    params = {**size.hyperparameters, "seed": seed % 2**31}
    log(f"training three arms with {params}")
    t0 = time.perf_counter()
    lora_a, lora_b, lora_shared = train(
        [(team_a, snap_a), (team_b, snap_b), (team_b, snap_shared)], params, inline=inline)
    train_seconds = time.perf_counter() - t0
    pin(team_b, lora_b)  # whichever of B's two runs registered first: B's route serves LoRA_B
    texts = {"A": trained_texts(team_a, snap_a), "shared": trained_texts(team_b, snap_shared)}
    effective = {arm: {c.secret: sum(c.secret in t for t in found) for c in a_canaries}
                 for arm, found in texts.items()}
    # members: trained by LoRA_A and by LoRA_shared; non-members: never imported anywhere
    members = [(q, a) for q, a in members_rows if a in texts["A"] and a in texts["shared"]]
    base = probes.Scorer.base()
    base_lp = dict(zip([a for _, a in members + held_out_rows],
                       base.score_many(members + held_out_rows), strict=True))

    arms = []
    log("A's route (LoRA_A) on A's canaries")  # its own data: memorising it is no leak
    arms.append(measure("A_route_LoRA_A", team_a, a_canaries, refs, members, held_out_rows,
                        base_lp, size, seed, score_canaries=size.score_owner_arm))
    log("B's route (LoRA_B) on A's canaries and examples")
    arms.append(measure("B_route_LoRA_B", team_b, a_canaries, refs, members, held_out_rows,
                        base_lp, size, seed))
    cache = probes.cache_probe(team_a.tenant, team_b.tenant, seed)
    with tenant_scope(team_a.tenant):
        names = {"fine_tuned": fine_tuned_name(lora_a), "serving": lora_a.serving_name}
    injected = probes.try_injections(team_b.tenant, probes.injections(names,
                                                                       cache_salt(team_a.tenant)))
    log("B's route serving LoRA_shared (the control)")
    pin(team_b, lora_shared)
    try:
        arms.append(measure("B_route_LoRA_shared", team_b, a_canaries, refs, members,
                            held_out_rows, base_lp, size, seed))
    finally:
        pin(team_b, lora_b)  # B's route serves B's own adapter again
    b_on_a = None
    if b_canaries:
        log("A's route (LoRA_A) on B's canaries (the symmetric set)")
        b_on_a = measure("A_route_LoRA_A_on_B_canaries", team_a, b_canaries, refs, members,
                         held_out_rows, base_lp, size, seed)
    base_model = BaseModel.objects.get(revision=lora_a.base_revision)
    return {
        "size": asdict(size), "seed": seed, **commit,
        "base_model": {"name": base_model.name, "revision": base_model.revision,
                       "public_id": base_model.public_id},
        "hyperparameters": params,
        "adapters": {"LoRA_A": lora_a.sha256, "LoRA_B": lora_b.sha256,
                     "LoRA_shared": lora_shared.sha256},
        "snapshots": {"A": snap_a.sha256, "B": snap_b.sha256, "shared": snap_shared.sha256},
        "secret_space": data.SECRET_SPACE,
        "canaries": [{**asdict(c), "effective": {arm: effective[arm][c.secret]
                                                 for arm in effective}} for c in a_canaries],
        "b_canaries": [asdict(c) for c in b_canaries],
        "references": len(refs),
        "mia_examples": {"members": len(members), "non_members": len(held_out_rows)},
        "arms": arms, "symmetric": b_on_a, "cache_probe": cache, "injections": injected,
        "seconds": {"training": round(train_seconds, 1),
                    "total": round(time.perf_counter() - started, 1)},
    }
