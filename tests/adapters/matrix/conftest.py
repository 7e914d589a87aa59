"""One real Synapse for the whole Matrix test session, and a fresh Warroom plus driver for each test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from warroom.core.app import Warroom

from tests.adapters.matrix.driver import MatrixDriver
from tests.adapters.matrix.synapse_server import Synapse, running_synapse
from tests.contract.scenario import make_app


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    with running_synapse(tmp_path_factory.mktemp("synapse")) as server:
        yield server


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
