"""Warroom as a process with the Discord adapter, which tests can restart on the same database."""

from __future__ import annotations

from pathlib import Path

from warroom.core.app import Warroom

from tests.adapters.discord.driver import DiscordDriver
from tests.contract.scenario import make_app


class Bot:
    """Warroom with the Discord adapter on one database; :meth:`restart` is a new process on the same data."""

    def __init__(self, tmp_path: Path, driver: DiscordDriver) -> None:
        self._tmp_path = tmp_path
        self.driver = driver
        self._app: Warroom | None = None

    @property
    def app(self) -> Warroom:
        assert self._app is not None, "start() first"
        return self._app

    async def start(self) -> Warroom:
        self._app = make_app(self._tmp_path)
        await self.driver.start(self._app)
        return self._app

    async def restart(self) -> Warroom:
        await self.close()
        return await self.start()

    async def close(self) -> None:
        await self.driver.stop_bot()
        if self._app is not None:
            await self._app.close()
            self._app = None
