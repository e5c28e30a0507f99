"""`python manage.py demo_ready`: wait until the demo teams' own models answer, then say where.

`make run` calls it after starting the worker, vLLM and the web server, so a new user sees
how long the first adapters took and which pages to open.
"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.models import EngineState
from tenants.models import Tenant
from tenants.scoping import tenant_scope
from training.models import PinnedAdapter, TrainingRun

from .seed_demo import DEMO


def _status() -> tuple[bool, list[str]]:
    lines, ready = [], True
    state = EngineState.objects.filter(url=settings.VLLM_URL).first()
    engine_ok = bool(state and state.healthy and state.canary_passed_since_start)
    ready &= engine_ok
    lines.append("engine: " + ("ready, isolation canary passed" if engine_ok else "starting"))
    for slug in DEMO:
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            return False, [f"{slug}: not seeded"]
        with tenant_scope(tenant):
            pinned = PinnedAdapter.objects.exists()
            run = TrainingRun.objects.order_by("-created_at").first()
        ready &= pinned
        if pinned:
            lines.append(f"{slug}: its own adapter is serving")
        elif run is not None:
            progress = f" step {run.step}/{run.total_steps}" if run.total_steps else ""
            lines.append(f"{slug}: training {run.state}{progress}")
            if run.state in ("failed_user", "failed_system", "cancelled"):
                raise CommandError(f"{slug}: the demo training run {run.state}: "
                                   f"{run.error_message}")
        else:
            lines.append(f"{slug}: no training run (seeded with --empty?)")
            ready = False
    return ready, lines


class Command(BaseCommand):
    help = "Wait until both demo tenants' adapters serve, then print the pages to open."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=float, default=time.time())
        parser.add_argument("--url", default="http://127.0.0.1:8000/")
        parser.add_argument("--timeout", type=float, default=30 * 60)

    def handle(self, *args: Any, **options: Any) -> None:
        deadline, last = time.monotonic() + options["timeout"], ""
        while True:
            ready, lines = _status()
            text = "; ".join(lines)
            if text != last:
                self.stdout.write(text)
                self.stdout.flush()
                last = text
            if ready:
                break
            if time.monotonic() > deadline:
                raise CommandError("The demo models were not ready in time; see var/*.log.")
            time.sleep(5)
        minutes = (time.time() - options["since"]) / 60
        url = options["url"]
        self.stdout.write(self.style.SUCCESS(
            f"Both demo teams' own models are serving, {minutes:.1f} min after `make run`."))
        self.stdout.write(f"Open {url} and sign in as clinician@northwind.example "
                          f"(demo-northwind-pass), then Conversations -> New conversation;")
        self.stdout.write("compare clinician@riverside.example (demo-riverside-pass). "
                          f"Reviewers: {url}curation/review/, admins: {url}training/runs/, "
                          f"operators: {url}admin/.")
