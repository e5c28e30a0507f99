"""What an authentication other than the session found: kept apart from tenants.api, because
DRF imports the authentication classes while its own views module is still loading."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Membership


@dataclass(frozen=True)
class TenantGrant:
    """The member a request acts as (a tenant API key, inference.api_auth); the scoped
    viewsets enter that member's tenant scope for the request, as the middleware does for a
    session."""

    membership: Membership
    actor: str
