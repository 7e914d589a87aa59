"""Shared fixtures: a real Warroom on a temporary SQLite file, driven through the test harness."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from warroom.core.testing import Harness

from tests.adapters.matrix.synapse_server import synapse  # noqa: F401  (a session fixture: Matrix and the contract)
from tests.postgres import postgres_url  # noqa: F401  (a session fixture, shared by the storage tests)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    h = Harness(tmp_path / "w.db")
    yield h
    await h.close()


@pytest.fixture
async def declared(harness: Harness) -> Harness:
    """The harness with INC-1 (“Checkout is down”, SEV1) declared by alice from the lobby."""
    await harness.say('/incident declare "Checkout is down" -s 1', user="alice")
    return harness
