"""`python manage.py seed_demo`: two demo tenants with one user per role, passwords printed."""

from typing import Any

from django.core.management.base import BaseCommand

from tenants.models import Role, Tenant
from tenants.services import add_member, create_tenant, get_or_create_user

DEMO = {
    "northwind": ("Northwind Cardiology", "demo-northwind-pass"),
    "riverside": ("Riverside Oncology", "demo-riverside-pass"),
}


class Command(BaseCommand):
    help = "Create demo tenants and users (idempotent) and print their logins."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = []
        for slug, (name, password) in DEMO.items():
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant is None:
                tenant, _ = create_tenant(slug, name, f"admin@{slug}.example",
                                          actor="system:seed_demo", password=password)
            rows.append((slug, f"admin@{slug}.example", "tenant_admin", password))
            for role in (Role.CLINICIAN, Role.REVIEWER):
                email = f"{role}@{slug}.example"
                user = get_or_create_user(email, password).user
                if not tenant.memberships.filter(user=user).exists():
                    add_member(tenant, user, role, actor="system:seed_demo")
                rows.append((slug, email, str(role), password))
        operator = get_or_create_user("operator@sanoweb.example", "demo-operator-pass").user
        if not operator.is_superuser:  # type: ignore[attr-defined]
            operator.is_superuser = operator.is_staff = True  # type: ignore[attr-defined]
            operator.save()
        rows.append(("(platform)", "operator@sanoweb.example", "superuser", "demo-operator-pass"))
        self.stdout.write("Demo logins:")
        for slug, email, role, password in rows:
            self.stdout.write(f"  {slug:<12} {email:<32} {role:<13} {password}")
