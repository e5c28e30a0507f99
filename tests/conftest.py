"""Shared fixtures: the test database built by the owner role, and two tenants of users.

Like healthchecks' alice/bob/charlie, every tenant has a named admin, reviewer and clinician;
a test that needs an outsider uses the other tenant's users.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test import Client
from django.test.utils import setup_databases, teardown_databases

from tenants import sequencer
from tenants.dbroles import owner_credentials
from tenants.models import Role, Tenant
from tenants.services import add_member, create_tenant, get_or_create_user

from . import tiers

PASSWORD = "correct-horse-battery-staple"


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test using a real engine's fixture is in the engine tier, marked or not."""
    for item in items:
        if tiers.ENGINE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.engine)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture starts: the helpers that start engines and workers check it.
    tiers.current = {marker.name for marker in item.iter_markers()}


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment: None, django_db_blocker: Any) -> Iterator[None]:
    """Create and migrate the test database as the owner, then run every test as the
    runtime role, so that row-level security is really in force (a superuser or owner
    connection would make the RLS tests pass vacuously)."""
    with django_db_blocker.unblock(), owner_credentials():
        config = setup_databases(verbosity=0, interactive=False)
    yield
    sequencer.stop_thread()  # batched runs: before its connection is cut below
    with django_db_blocker.unblock():
        connections.close_all()
        _end_other_sessions(connection.settings_dict["NAME"])
        with owner_credentials():
            teardown_databases(config, verbosity=0)
    if Path(settings.VAR_DIR).name.startswith("sanoweb-test-"):  # settings_test's temp dir
        shutil.rmtree(settings.VAR_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def _no_sequencer_left_running() -> Iterator[None]:
    """A batched test's sequencer thread ends with its test, not while the next one (or the
    test database's teardown) runs."""
    yield
    sequencer.stop_thread()


def _end_other_sessions(database: str) -> None:
    """Live-server and worker threads may still hold connections; the test DB must drop."""
    with psycopg.connect(host="127.0.0.1", port=5432, user="sanoweb_owner", dbname="postgres",
                         autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", [database])


@pytest.fixture(scope="session")
def base_model_dir() -> Path:
    """SmolLM2-135M-Instruct converted once from the wheel's GGUF, cached in var/ (~25 s)."""
    from training.base_model import convert_gguf_to_hf, locate_smollm2_gguf

    target = Path(settings.BASE_DIR) / "var" / "test-cache" / "smollm2-135m-instruct"
    if not target.exists():
        convert_gguf_to_hf(locate_smollm2_gguf(), target)
    return target


@pytest.fixture(scope="session")
def engine(base_model_dir: Path) -> Iterator[Any]:
    """One real vLLM (patched, LoRA on) for every module that needs one, started on first use."""
    from .engines import vllm_engine

    with vllm_engine(base_model_dir) as running:
        yield running


@pytest.fixture
def served(engine: Any, settings: Any, base_model: Any, tmp_path: Path) -> Any:
    """The engine as this test's router sees it: freshly started (no adapters resident) and
    in rotation, as after a passing canary."""
    from inference import health

    settings.VLLM_URL = engine.config.url
    settings.VLLM_MAX_LORAS = engine.config.max_loras
    settings.VLLM_ADAPTER_CACHE = tmp_path / "adapter-cache"
    health.record_engine_start(engine.config.url)
    in_rotation(engine.config.url)
    return engine


def in_rotation(url: str) -> None:
    """The engine state as after a passing canary: in rotation, base traffic allowed. The
    canary itself runs for real in the tests about it (test_inference_e2e, test_engine_*)."""
    from datetime import timedelta

    from django.utils import timezone

    from inference.models import EngineState

    now = timezone.now()
    EngineState.objects.update_or_create(url=url, defaults={
        "healthy": True, "quarantined": False, "canary_passed_at": now,
        "started_at": now - timedelta(seconds=1)})


@pytest.fixture
def api(served: Any, live_server: Any) -> Any:
    served.live_url = live_server.url
    return served


@pytest.fixture
def base_model(base_model_dir: Path, db: None) -> Any:
    from training.base_model import PUBLIC_ID, model_revision
    from training.services import register_base_model

    return register_base_model("SmolLM2-135M-Instruct", base_model_dir,
                               model_revision(base_model_dir), public_id=PUBLIC_ID,
                               converted_from=_shipped_gguf_source())


@functools.cache
def _shipped_gguf_source() -> dict[str, str]:
    from training.base_model import gguf_source, locate_smollm2_gguf

    return gguf_source(locate_smollm2_gguf())  # hashes 98 MB: once per session


@dataclass
class TenantUsers:
    tenant: Tenant
    admin: User
    reviewer: User
    clinician: User

    def client_for(self, user: User) -> Client:
        from .mfa import force_login_verified

        return force_login_verified(Client(), user)


def make_tenant(slug: str) -> TenantUsers:
    tenant, admin = create_tenant(slug, slug.title(), f"admin@{slug}.test", password=PASSWORD)
    users: dict[str, Any] = {}
    for role in (Role.REVIEWER, Role.CLINICIAN):
        user = get_or_create_user(f"{role}@{slug}.test", PASSWORD).user
        add_member(tenant, user, role, actor="system:test")
        users[role] = user
    return TenantUsers(tenant, admin.user, users[Role.REVIEWER], users[Role.CLINICIAN])


@pytest.fixture
def alpha(db: None) -> TenantUsers:
    return make_tenant("alpha")


@pytest.fixture
def beta(db: None) -> TenantUsers:
    return make_tenant("beta")
