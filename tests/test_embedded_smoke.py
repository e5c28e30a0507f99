"""`make run` on a machine with nothing but Python: the whole main job, end to end.

The script runs in a network namespace of its own (only loopback, nothing listening on 5432
or 6379), so a code path that needs Redis or PostgreSQL again fails here.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PORT = 8500 + int(hashlib.sha256(str(ROOT).encode()).hexdigest(), 16) % 300


@pytest.mark.slow
@pytest.mark.engine
@pytest.mark.worker
def test_make_run_gives_each_demo_team_its_own_model_with_only_python(tmp_path):
    assert shutil.which("unshare") and shutil.which("ip"), "needs util-linux and iproute2"
    script = (f"ip link set lo up && exec {sys.executable} tests/embedded_smoke.py "
              f"{tmp_path} {PORT}")
    done = subprocess.run(["unshare", "--net", "bash", "-c", script], cwd=ROOT,
                          capture_output=True, text=True, timeout=40 * 60,
                          env={"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
                               "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:] + (
        (tmp_path / "run.log").read_text()[-3000:] if (tmp_path / "run.log").exists() else "")
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["vllm_left"] == []
    for slug in ("northwind", "riverside"):
        assert seen[slug]["chat"] and seen[slug]["api"]
