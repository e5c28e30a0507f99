"""`python manage.py seed_demo`: two demo tenants whose first adapters are already training.

Each tenant gets one user per role (and a second reviewer), then its own reviewed dataset,
passed through the real pipeline: import (redaction) → two reviewers' approvals → a frozen
snapshot → a training run on the `gpu` queue. Idempotent: a second run changes nothing.
`--empty` creates the tenants and users only. Refused under production settings
(DEMO_SEED_ALLOWED): its passwords, and a superuser's, are published in this file.
"""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from curation import services as curation
from curation.models import Example, TrainingSet
from demo.data import DATASETS, HYPERPARAMETERS
from knowledge import ingest
from knowledge.models import Document
from tenants.models import Role, Tenant
from tenants.scoping import tenant_scope
from tenants.services import add_member, create_tenant, get_or_create_user
from training import services as training
from training.models import TrainingRun

DEMO = {
    "northwind": ("Northwind Cardiology", "demo-northwind-pass"),
    "riverside": ("Riverside Oncology", "demo-riverside-pass"),
}
ACTOR = "system:seed_demo"


class Command(BaseCommand):
    help = "Create demo tenants, users and reviewed data (idempotent); queue their training."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--empty", action="store_true",
                            help="only the tenants and users, no data and no training")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_SEED_ALLOWED:
            raise CommandError("seed_demo is refused with these settings (DEMO_SEED_ALLOWED "
                               "is off): it creates users, a superuser among them, with "
                               "published passwords.")
        rows: list[tuple[str, str, str, str]] = []
        for slug, (name, password) in DEMO.items():
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant is None:
                tenant, _ = create_tenant(slug, name, f"admin@{slug}.example", actor=ACTOR,
                                          password=password)
            rows.append((slug, f"admin@{slug}.example", "tenant_admin", password))
            for role, email in ((Role.CLINICIAN, f"clinician@{slug}.example"),
                                (Role.REVIEWER, f"reviewer@{slug}.example"),
                                (Role.REVIEWER, f"reviewer2@{slug}.example")):
                user = get_or_create_user(email, password).user
                if not tenant.memberships.filter(user=user).exists():
                    add_member(tenant, user, role, actor=ACTOR)
                rows.append((slug, email, str(role), password))
            if not options["empty"]:
                # the formulary first: one worker serves both queues, and indexing it takes
                # seconds where training takes minutes
                self.stdout.write(f"{slug}: {seed_documents(tenant)}")
                self.stdout.write(f"{slug}: {seed_dataset(tenant)}")
        operator = get_or_create_user("operator@sanoweb.example", "demo-operator-pass").user
        if not operator.is_superuser:
            operator.is_superuser = operator.is_staff = True
            operator.save()
        rows.append(("(platform)", "operator@sanoweb.example", "superuser", "demo-operator-pass"))
        self.stdout.write("Demo logins:")
        for slug, email, role_name, password in rows:
            self.stdout.write(f"  {slug:<12} {email:<32} {role_name:<13} {password}")
        self.stdout.write("Tenant admins, reviewers and the operator set up an authenticator app "
                          "(any TOTP app) at their first sign-in; clinicians need only the "
                          "password.")


def seed_dataset(tenant: Tenant) -> str:
    """Import, approve twice, freeze and queue training, each step only if not yet done."""
    members = {m.user.get_username(): m.user for m in tenant.memberships.select_related("user")}
    admin = members[f"admin@{tenant.slug}.example"]
    reviewers = [members[f"reviewer@{tenant.slug}.example"],
                 members[f"reviewer2@{tenant.slug}.example"]]
    with tenant_scope(tenant):
        if not Example.objects.exists():
            curation.update_settings(admin, required_approvals=2, guideline_version="demo-1")
            lines = "\n".join(json.dumps(row) for row in DATASETS[tenant.slug])
            report = curation.import_examples(lines.encode(), "demo.jsonl", admin)
            if report.errors:
                raise RuntimeError(f"demo data refused: {report.errors}")
        for example in Example.objects.filter(status=Example.Status.PENDING):
            for reviewer in reviewers:
                if not curation.live_reviews().filter(example=example,
                                                      reviewer=reviewer).exists():
                    curation.decide(example, reviewer, "approve")
        training_set = TrainingSet.objects.order_by("-version").first()
        if training_set is None:
            training_set = curation.freeze_training_set(admin)
        run = TrainingRun.objects.filter(training_set=training_set).order_by("-created_at").first()
        if run is None:
            run = training.start_run(training_set, admin, HYPERPARAMETERS)
        return (f"{training_set.example_count} approved examples frozen as v{training_set.version};"
                f" training run {run.state}")


DOCUMENTS = Path(__file__).resolve().parents[2] / "documents"


def seed_documents(tenant: Tenant) -> str:
    """The team's formulary (demo/documents/<slug>-formulary.md), uploaded once; the worker
    scans and indexes it. The two formularies disagree on purpose (anticoagulant, reversal),
    so each team's cited answer shows its own."""
    admin = tenant.memberships.get(user__email=f"admin@{tenant.slug}.example").user
    with tenant_scope(tenant):
        if Document.objects.filter(name="Formulary").exists():
            return "formulary already uploaded"
        data = (DOCUMENTS / f"{tenant.slug}-formulary.md").read_bytes()
        version = ingest.upload_version(admin, "Formulary", f"{tenant.slug}-formulary.md", data)
        return f"formulary v{version.number} queued for indexing"
