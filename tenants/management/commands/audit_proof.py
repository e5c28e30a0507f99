"""`manage.py audit_proof <slug> <seq>`: the inclusion proof of one entry (tenants.audit_proofs)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants import audit_proofs, signing
from tenants.models import AuditEntry, Tenant


class Command(BaseCommand):
    help = ("Print, as JSON, the proof that one audit entry is in the tenant's signed log: the "
            "entry, its Merkle audit path and the signed checkpoint; nothing of other entries.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("seq", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["slug"]).first()
        if tenant is None:
            raise CommandError(f"No tenant {options['slug']!r}.")
        try:
            proof = audit_proofs.prove(tenant, options["seq"])
        except ValueError as exc:
            raise CommandError(f"{exc} (run audit_checkpoint first).") from exc
        except AuditEntry.DoesNotExist as exc:
            raise CommandError(f"No entry #{options['seq']} in {tenant.slug}'s chain.") from exc
        problem = audit_proofs.check_proof(proof, signing.public_key_pem())
        if problem:  # never hand out a proof that does not hold
            raise CommandError(f"The proof does not hold: {problem}.")
        self.stdout.write(json.dumps(proof, indent=2, sort_keys=True))
