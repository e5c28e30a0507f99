"""Training pages (tenant admins): start a run, watch it live, cancel, and pin adapters."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from curation import phi_gate
from curation.errors import CurationError
from curation.models import TrainingSet
from tenants.access import MemberRequest, get_scoped_or_404, tenant_role_required
from tenants.models import Role

from . import promotion, services
from . import retrain as retrain_policy
from .models import (
    AdapterEvaluation,
    AdapterVersion,
    PinnedAdapter,
    RetrainPolicy,
    TrainingRun,
)

ADVANCED = ("rank", "alpha", "learning_rate", "epochs", "max_steps", "max_seq_len", "seed")


def _runs_page(request: HttpRequest, blocked: list[str] | None = None) -> HttpResponse:
    flagged = services.phi_flagged_snapshots()
    pin = PinnedAdapter.objects.first()
    runs = list(TrainingRun.objects.select_related("training_set")[:100])
    numbers = services.version_numbers()
    evaluations = {e.adapter_id: e for e in AdapterEvaluation.objects.all()}
    made = {a.run_id: a for a in AdapterVersion.objects.filter(run__in=runs)}
    for run in runs:  # what each run led to: freeze -> train -> evaluate -> promote or keep
        adapter = made.get(run.pk)
        run.outcome = adapter and {  # type: ignore[attr-defined]
            "adapter": adapter, "number": numbers[adapter.pk],
            "evaluation": evaluations.get(adapter.pk)}
    return render(request, "training/runs.html", {
        "runs": runs,
        "training_sets": TrainingSet.objects.all(),
        "defaults": services.DEFAULT_HYPERPARAMETERS,
        "flagged": flagged,
        "flagged_ids": {f["snapshot"].pk for f in flagged},
        "pinned_id": pin.adapter_id if pin else None,
        "blocked": blocked or [],
        "retrain_threshold": retrain_policy.threshold(),
        "retrain_waiting": retrain_policy.new_approved_count(),
        "retrain_policy": RetrainPolicy.objects.first(),
    })


@tenant_role_required(Role.TENANT_ADMIN)
@require_POST
def set_retrain_policy(request: MemberRequest) -> HttpResponse:
    raw = request.POST.get("retrain_after_approvals", "").strip()
    try:
        retrain_policy.set_policy(request.user, int(raw) if raw else None)
    except ValueError:
        messages.error(request, "Give a whole number of approvals, or leave it empty.")
    except services.TrainingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Retraining policy saved.")
    return redirect("training:runs")


@tenant_role_required(Role.TENANT_ADMIN)
def runs(request: MemberRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.POST.get("training_set"):  # e.g. every snapshot is flagged for PHI
            messages.error(request, "Choose a training set that can be trained.")
            return redirect("training:runs")
        snapshot = get_scoped_or_404(TrainingSet, pk=request.POST.get("training_set", ""))
        params = {k: request.POST.get(k, "") for k in ADVANCED if request.POST.get(k, "")}
        try:
            run = services.start_run(snapshot, request.user, params)
        except services.TrainingError as exc:
            messages.error(request, str(exc))
            return redirect("training:runs")
        if run.state == "failed_user":
            messages.error(request, f"The run was refused: {run.error_message}")
        return redirect("training:run_detail", pk=run.pk)
    return _runs_page(request)


@tenant_role_required(Role.TENANT_ADMIN)
def retrain(request: MemberRequest, pk: str) -> HttpResponse:
    """One click after a PHI report: freeze a corrected snapshot (the gate applies) and train it
    with the flagged snapshot's last hyperparameters."""
    flagged = get_scoped_or_404(TrainingSet, pk=pk)
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        run = services.retrain_corrected(flagged, request.user)
    except phi_gate.ResidualPhiBlocked as exc:
        messages.error(request, str(exc))
        return _runs_page(request, blocked=exc.example_ids)
    except (services.TrainingError, CurationError) as exc:
        messages.error(request, str(exc))
        return redirect("training:runs")
    if run.state == "failed_user":
        messages.error(request, f"The run was refused: {run.error_message}")
    else:
        messages.success(request, f"Froze training set v{run.training_set.version} and "
                                  "queued its training run.")
    return redirect("training:run_detail", pk=run.pk)


@tenant_role_required(Role.TENANT_ADMIN)
def run_detail(request: HttpRequest, pk: str) -> HttpResponse:
    run = get_scoped_or_404(TrainingRun, pk=pk)
    return render(request, "training/run_detail.html", {"run": run})


@tenant_role_required(Role.TENANT_ADMIN)
def run_status(request: HttpRequest, pk: str) -> JsonResponse:
    run = get_scoped_or_404(TrainingRun, pk=pk)
    return JsonResponse({
        "state": run.state, "step": run.step, "total": run.total_steps,
        "percent": run.progress_percent, "loss_history": run.loss_history,
        "metrics": run.metrics, "error": run.error_message, "finished": run.is_finished,
    })


@tenant_role_required(Role.TENANT_ADMIN)
def cancel(request: MemberRequest, pk: str) -> HttpResponse:
    run = get_scoped_or_404(TrainingRun, pk=pk)
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        services.request_cancel(run, request.user)
        messages.success(request, "Cancellation requested.")
    except services.TrainingError as exc:
        messages.error(request, str(exc))
    return redirect("training:run_detail", pk=run.pk)


@tenant_role_required(Role.TENANT_ADMIN)
def adapters(request: HttpRequest) -> HttpResponse:
    pin = PinnedAdapter.objects.first()
    numbers = services.version_numbers()
    versions = list(AdapterVersion.objects.select_related("run__training_set"))
    evaluations = {e.adapter_id: e for e in AdapterEvaluation.objects.all()}
    for adapter in versions:
        adapter.number = numbers[adapter.pk]  # type: ignore[attr-defined]
        adapter.latest_evaluation = evaluations.get(adapter.pk)  # type: ignore[attr-defined]
    return render(request, "training/adapters.html", {
        "adapters": versions,
        "pinned_id": pin.adapter_id if pin else None,
        "pinned_number": numbers.get(pin.adapter_id) if pin else None,
        "flagged_ids": set(AdapterVersion.objects.filter(
            run__training_set__phi_flags__isnull=False).values_list("pk", flat=True)),
    })


ROLES = (("candidate", "This version"), ("pinned", "Pinned when evaluated"), ("base", "Base model"))
METRICS = (("eval_loss", "Eval loss (lower is better)"),
           ("must_say_pass_rate", "Must-say checks passed"),
           ("similarity", "Similarity to approved answers (ROUGE-L F1)"),
           ("answer_words", "Answer length (words)"))


@tenant_role_required(Role.TENANT_ADMIN)
def adapter_detail(request: HttpRequest, pk: str) -> HttpResponse:
    adapter = get_scoped_or_404(AdapterVersion, pk=pk)
    numbers = services.version_numbers()
    evaluation = AdapterEvaluation.objects.filter(adapter=adapter).first()
    pin = PinnedAdapter.objects.first()
    columns = [(role, label) for role, label in ROLES
               if evaluation is not None and role in evaluation.results]
    rows = [(label, [evaluation.results[role].get(key) for role, _ in columns])
            for key, label in METRICS] if evaluation is not None else []
    return render(request, "training/adapter_detail.html", {
        "adapter": adapter, "number": numbers[adapter.pk], "evaluation": evaluation,
        "compared_number": numbers.get(evaluation.compared_to_id)
        if evaluation is not None and evaluation.compared_to_id else None,
        "columns": columns, "rows": rows, "is_pinned": pin is not None
        and pin.adapter_id == adapter.pk,
    })


@tenant_role_required(Role.TENANT_ADMIN)
@require_POST
def evaluate_again(request: MemberRequest, pk: str) -> HttpResponse:
    adapter = get_scoped_or_404(AdapterVersion, pk=pk)
    evaluation = AdapterEvaluation.objects.filter(adapter=adapter).first()
    if evaluation is not None and evaluation.state in ("queued", "running"):
        messages.error(request, "This version is being evaluated already.")
    else:
        promotion.evaluate_again(adapter, request.user)
        messages.success(request, "Evaluation queued.")
    return redirect("training:adapter_detail", pk=adapter.pk)


@tenant_role_required(Role.TENANT_ADMIN)
def activate(request: MemberRequest, pk: str) -> HttpResponse:
    """Promote a candidate, or roll back to an earlier version: one audited action."""
    adapter = get_scoped_or_404(AdapterVersion, pk=pk)
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        services.activate(adapter, request.user)
    except services.TrainingError as exc:
        messages.error(request, str(exc))
        return redirect("training:adapters")
    number = services.version_numbers()[adapter.pk]
    messages.success(request, f"v{number} is now the active adapter.")
    return redirect("training:adapters")
