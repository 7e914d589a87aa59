"""A fresh fake Discord per test, and a Warroom bot connected to it that tests can restart like a process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from warroom.core.app import Warroom

from tests.adapters.discord.bot import Bot
from tests.adapters.discord.driver import DiscordDriver
from tests.adapters.discord.fake import FakeDiscord
from tests.contract.scenario import make_app


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def driver(fake: FakeDiscord) -> AsyncIterator[DiscordDriver]:
    found = DiscordDriver(fake)
    yield found
    await found.stop()


@pytest.fixture
async def bot(tmp_path: Path, driver: DiscordDriver) -> AsyncIterator[Bot]:
    """The bot, started (confirmations and post-mortem plugins loaded, as in the contract)."""
    running = Bot(tmp_path, driver)
    await running.start()
    yield running
    await running.close()


@pytest.fixture
async def app(tmp_path: Path, driver: DiscordDriver) -> AsyncIterator[Warroom]:
    """A Warroom as the contract runs it, not yet connected (the test starts the driver with it)."""
    made = make_app(tmp_path)
    yield made
    await driver.stop_bot()
    await made.close()
