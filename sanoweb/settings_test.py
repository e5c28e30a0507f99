"""Test settings: the real PostgreSQL and Redis on 127.0.0.1 (scripts/services.sh starts them)."""

import hashlib
import os
import tempfile
from pathlib import Path

# Two checkouts on one machine (a CI clone beside a working tree) must not share a test
# database or a Redis database.
_ROOT = str(Path(__file__).resolve().parent.parent)
_CHECKOUT = int(hashlib.sha256(_ROOT.encode()).hexdigest(), 16)
os.environ.setdefault("DATABASE_URL", "postgres://sanoweb_app@127.0.0.1:5432/sanoweb")
os.environ.setdefault("DATABASE_OWNER_URL", "postgres://sanoweb_owner@127.0.0.1:5432/sanoweb")
os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:6379/{8 + _CHECKOUT % 8}")
# tests/engines.py starts its engines with this context window; the router fits requests to it.
os.environ.setdefault("VLLM_MAX_MODEL_LEN", "1024")
os.environ.setdefault("SANOWEB_VAR_DIR", tempfile.mkdtemp(prefix="sanoweb-test-"))

from .settings import *  # noqa: E402, F403

# Hashing passwords slowly is a production property, not something the tests check.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# An empty STATIC_ROOT: WhiteNoise warns about a missing one at every test client it starts.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
DATABASES["default"]["TEST"] = {"NAME": f"test_sanoweb_{_CHECKOUT % 10**8}"}  # noqa: F405
# Most tests read the chain right after an action, inside pytest-django's transaction (where
# on-commit sequencing never runs), so the suite appends inline unless told otherwise;
# tests/test_audit_batched.py runs the batched path (accept, sequencer, crash, tampering).
AUDIT_SEQUENCING = os.environ.get("AUDIT_SEQUENCING", "inline")

# Most tests freeze a handful of approvals and train on all of them: no held-out split unless a
# test asks for one (tests/test_eval_split.py sets the production rule).
EVAL_FRACTION = env.float("EVAL_FRACTION", default=0.0)  # noqa: F405
EVAL_MIN = env.int("EVAL_MIN", default=0)  # noqa: F405
# Off unless a test (and the worker it starts, through the environment) turns it on: most
# tests train on a stand-in trainer with no engine to evaluate on.
EVALUATE_AFTER_TRAINING = env.bool("EVALUATE_AFTER_TRAINING", default=False)  # noqa: F405
