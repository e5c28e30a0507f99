"""/v1/fine_tuning/jobs… as OpenAI serves them, for the tenant of the API key
(inference.fine_tuning has the objects; this module only speaks HTTP)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import fine_tuning, validation
from .fine_tuning import Caller, FineTuningRefused
from .openai_api import error, key_or_refusal, wrong_method
from .router import BadInferenceRequest

Handler = Callable[..., HttpResponse]  # (request, caller, **path arguments)


def _authorised(methods: tuple[str, ...]) -> Callable[[Handler], Callable[..., HttpResponse]]:
    """API key → its tenant and tenant admin; OpenAI-shaped errors for everything refused."""

    def wrap(handler: Handler) -> Callable[..., HttpResponse]:
        @csrf_exempt
        def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            if (refused := wrong_method(request, *methods)) is not None:
                return refused
            if isinstance(key := key_or_refusal(request), JsonResponse):
                return key
            try:
                return handler(request, fine_tuning.caller(key), **kwargs)
            except FineTuningRefused as exc:
                return error(exc.status, exc.code, str(exc), param=exc.param,
                             kind="invalid_request_error")

        return view

    return wrap


def _body(request: HttpRequest) -> Any:
    try:
        return validation.parse_body(request.body)
    except BadInferenceRequest as exc:
        raise FineTuningRefused(400, exc.code, str(exc)) from exc


@_authorised(("GET", "POST"))
def jobs(request: HttpRequest, who: Caller) -> HttpResponse:
    if request.method == "POST":
        run = fine_tuning.create_job(who, _body(request))
        return JsonResponse(fine_tuning.job_object(run))
    listed = fine_tuning.list_jobs(who)
    return JsonResponse(fine_tuning.page(listed, request.GET.get("after"),
                                         request.GET.get("limit")))


@_authorised(("GET",))
def job(request: HttpRequest, who: Caller, job_id: str) -> HttpResponse:
    return JsonResponse(fine_tuning.job_object(fine_tuning.run_for(who, job_id)))


@_authorised(("POST",))
def cancel(request: HttpRequest, who: Caller, job_id: str) -> HttpResponse:
    run = fine_tuning.cancel_job(who, fine_tuning.run_for(who, job_id))
    return JsonResponse(fine_tuning.job_object(run))


@_authorised(("GET",))
def events(request: HttpRequest, who: Caller, job_id: str) -> HttpResponse:
    listed = fine_tuning.events(fine_tuning.run_for(who, job_id))
    return JsonResponse(fine_tuning.page(listed, request.GET.get("after"),
                                         request.GET.get("limit")))


@_authorised(("GET",))
def checkpoints(request: HttpRequest, who: Caller, job_id: str) -> HttpResponse:
    listed = fine_tuning.checkpoints(fine_tuning.run_for(who, job_id))
    return JsonResponse(fine_tuning.page(listed, request.GET.get("after"),
                                         request.GET.get("limit")))


@_authorised(("GET", "POST"))
def training_sets(request: HttpRequest, who: Caller) -> HttpResponse:
    """A platform extension (OpenAI's files endpoint uploads; here the file is what reviewers
    approved): POST freezes the approved examples, GET lists the frozen sets."""
    if request.method == "POST":
        return JsonResponse(fine_tuning.training_set_object(fine_tuning.freeze(who)))
    return JsonResponse(fine_tuning.page(fine_tuning.list_training_sets(who),
                                         request.GET.get("after"), request.GET.get("limit")))
