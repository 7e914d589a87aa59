"""Fixtures for the Teams tests: a real Warroom on SQLite, and the real Agents SDK host on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from warroom.core.app import Warroom

from tests.adapters.teams.connector import FakeConnector
from tests.adapters.teams.driver import TeamsDriver
from tests.adapters.teams.support import open_app


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Warroom]:
    warroom = await open_app(tmp_path / "w.db")
    yield warroom
    await warroom.close()


@pytest.fixture
async def teams(app: Warroom) -> AsyncIterator[TeamsDriver]:
    driver = TeamsDriver()
    await driver.start(app)
    yield driver
    await driver.stop()


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    peer = FakeConnector()
    await peer.start()
    yield peer
    await peer.stop()
