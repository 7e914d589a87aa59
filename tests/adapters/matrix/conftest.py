"""A fresh Warroom plus driver for each Matrix test, on the session's one real Synapse (``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from warroom.core.app import Warroom

from tests.adapters.matrix.driver import MatrixDriver
from tests.adapters.matrix.synapse_server import Synapse
from tests.contract.scenario import make_app


@pytest.fixture
async def driver(synapse: Synapse) -> AsyncIterator[MatrixDriver]:
    found = MatrixDriver(synapse)
    yield found
    await found.stop()


@pytest.fixture
async def app(tmp_path: Path, driver: MatrixDriver) -> AsyncIterator[Warroom]:
    """Warroom on a fresh database, with the confirmations and post-mortem plugins (as the contract runs it).

    The bot stops before the app closes, so nothing reaches a core that is shutting down.
    """
    made = make_app(tmp_path)
    yield made
    await driver.stop_bot()
    await made.close()
