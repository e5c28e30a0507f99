"""What the team's model is doing, for the home page of every role ("your model is ready")."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tenants.scoping import tenant_scope

from .models import PinnedAdapter, TrainingRun


def team_model(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    if tenant is None or request.resolver_match is None \
            or request.resolver_match.url_name != "home":
        return {}
    with tenant_scope(tenant):
        pin = PinnedAdapter.objects.select_related("adapter__run__training_set").first()
        run = TrainingRun.objects.order_by("-created_at").first()
    return {"team_pin": pin, "team_run": run}
