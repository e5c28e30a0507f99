"""Test tiers: a test that starts an engine, a worker or a browser says so with a marker, so
that `make test-fast` can leave it out. The helpers that start them check the marker (a test
that forgot it fails at once, rather than slowing the fast tier down unnoticed)."""

from __future__ import annotations

import pytest

# Markers of the test being set up now (conftest's pytest_runtest_setup fills it).
current: set[str] = set()
# Fixtures that bring a real vLLM: a test using one is marked engine automatically.
ENGINE_FIXTURES = frozenset({"engine", "served", "api"})


def require(marker: str, what: str) -> None:
    if marker not in current:
        pytest.fail(f"This test starts {what}: mark it @pytest.mark.{marker} "
                    "(make test-fast leaves such tests out).", pytrace=False)
