"""State changes of the tenancy app; each writes its audit entry in the same transaction."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from . import audit
from .models import Membership, Role, Tenant


@dataclass(frozen=True)
class NewUser:
    user: User
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


class MembershipRefused(PermissionDenied):
    """A membership change the rules forbid; the message says which rule, for the page."""


def refuse_operator(user: User) -> None:
    """Platform operators are never members: their access to a tenant would be silent."""
    if getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
        raise MembershipRefused(
            "Platform operators (superusers and staff) cannot be members of a tenant; "
            "use a separate, non-staff account.")


def member_tenants(user: User) -> list[Tenant]:
    """The tenants whose chains record what happens to this member's account (not those being
    purged, whose chain is about to go)."""
    return list(Tenant.objects.filter(memberships__user=user, status__in=[
        Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED]).order_by("slug"))


def audit_member_event(user: User, action: str, *, actor: str,
                       payload: dict[str, object] | None = None) -> None:
    """One entry in each of the member's tenants' chains; nothing for a non-member."""
    with transaction.atomic():
        for tenant in member_tenants(user):
            audit.append(tenant, action, actor=actor, target=f"user:{user.pk}",
                         payload=payload or {})


@transaction.atomic
def add_member(tenant: Tenant, user: User, role: str, *, actor: str) -> Membership:
    """Make `user` a member; an existing member keeps their row and gets `role` (audited as a
    role change when it differs)."""
    refuse_operator(user)
    existing = Membership.objects.filter(user=user, tenant=tenant).first()
    if existing is not None:
        return change_role(existing, role, actor=actor)
    membership = Membership.objects.create(user=user, tenant=tenant, role=role)
    audit.append(tenant, audit.Action.MEMBER_ADDED, actor=actor, target=f"user:{user.pk}",
                 payload={"role": role})
    return membership


def _lock_admins(tenant_id: uuid.UUID) -> list[int]:
    """The tenant's admin memberships, locked: two admins demoting each other at once must not
    leave the tenant with none."""
    return list(Membership.objects.select_for_update().filter(
        tenant_id=tenant_id, role=Role.TENANT_ADMIN).values_list("pk", flat=True))


def _refuse_losing_the_last_admin(membership: Membership) -> None:
    if membership.role == Role.TENANT_ADMIN and _lock_admins(membership.tenant_id) == \
            [membership.pk]:
        raise MembershipRefused("A tenant must keep at least one tenant admin: make someone "
                                "else an admin first.")


@transaction.atomic
def change_role(membership: Membership, role: str, *, actor: str) -> Membership:
    if role not in Role.values:
        raise MembershipRefused(f"Unknown role {role!r}.")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    refuse_operator(membership.user)
    if role != Role.TENANT_ADMIN:
        _refuse_losing_the_last_admin(membership)
    previous, membership.role = membership.role, role
    membership.save(update_fields=["role"])
    audit.append(membership.tenant, audit.Action.MEMBER_ROLE_CHANGED, actor=actor,
                 target=f"user:{membership.user_id}", payload={"from": previous, "to": role})
    return membership


@transaction.atomic
def remove_member(membership: Membership, *, actor: str) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _refuse_losing_the_last_admin(membership)
    tenant, user_id, role = membership.tenant, membership.user_id, membership.role
    membership.delete()
    audit.append(tenant, audit.Action.MEMBER_REMOVED, actor=actor, target=f"user:{user_id}",
                 payload={"role": role})


@transaction.atomic
def set_mfa_for_clinicians(tenant: Tenant, required: bool, *, actor: str) -> None:
    """The tenant's choice whether clinicians need a second factor too; audited when changed."""
    locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if locked.mfa_for_clinicians == required:
        return
    Tenant.objects.filter(pk=tenant.pk).update(mfa_for_clinicians=required)
    tenant.mfa_for_clinicians = required
    audit.append(tenant, audit.Action.MFA_POLICY_CHANGED, actor=actor,
                 payload={"mfa_for_clinicians": required})
