"""State changes of the tenancy app; each writes its audit entry in the same transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from . import audit
from .models import Membership, Role, Tenant


@dataclass(frozen=True)
class NewUser:
    user: AbstractBaseUser
    password: str | None  # set only when the user was created here


def get_or_create_user(email: str, password: str | None = None) -> NewUser:
    """Users are keyed by e-mail (username = e-mail)."""
    User = get_user_model()
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(username=email).first()
    if user is not None:
        return NewUser(user, None)
    password = password or secrets.token_urlsafe(12)
    user = User.objects.create_user(username=email, email=email, password=password)
    return NewUser(user, password)


@transaction.atomic
def create_tenant(
    slug: str, name: str, admin_email: str, *, actor: str = "system", password: str | None = None
) -> tuple[Tenant, NewUser]:
    """Create a tenant, its chain head, its first tenant admin and its first audit entries."""
    tenant = Tenant.objects.create(slug=slug, name=name)
    # The first append creates the chain head (the runtime role cannot write it directly).
    audit.append(tenant, audit.Action.TENANT_CREATED, actor=actor, target=f"tenant:{tenant.pk}",
                 payload={"slug": slug})
    admin = get_or_create_user(admin_email, password)
    add_member(tenant, admin.user, Role.TENANT_ADMIN, actor=actor)
    return tenant, admin


@transaction.atomic
def add_member(tenant: Tenant, user: AbstractBaseUser, role: str, *, actor: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, tenant=tenant, defaults={"role": role}
    )
    audit.append(tenant, audit.Action.MEMBER_ADDED, actor=actor, target=f"user:{user.pk}",
                 payload={"role": role})
    return membership
