"""The leakage report at full size (issue 16): five repetition counts {1, 2, 4, 8, 16}, six
canaries at each, 499 reference secrets, 100 trained and 100 held-out examples of A, two
canaries per count for B (the symmetric set), eight sampled completions per canary.

    .venv/bin/python bench/leakage_bench.py [--inline] [--seed N]

Runs against the platform this environment configures (DATABASE_URL, REDIS_URL, VLLM_URL:
an engine in rotation with LoRA on, and a worker on the `gpu` queue unless --inline), like
`manage.py leakage_report --size full --out bench/results/leakage`. It creates two
throwaway tenants (leak-a-*, leak-b-*) and leaves them for inspection; purge them after.
About 3 x 300 training steps and ~18,000 scoring requests per arm: meant for a GPU host, hours
on the 2-core CPU. Exits 1 when B's route fails a criterion, 2 when the control has no power.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanoweb.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.management.base import CommandError  # noqa: E402

if __name__ == "__main__":
    try:
        call_command("leakage_report", "--size", "full", "--out",
                     str(ROOT / "bench" / "results" / "leakage"), *sys.argv[1:])
    except CommandError as exc:
        print(exc, file=sys.stderr)
        sys.exit(exc.returncode)
