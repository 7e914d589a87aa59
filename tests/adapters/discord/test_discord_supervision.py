"""discord.py's gateway loop failing unexpectedly: the supervisor starts the same adapter again, and it answers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import discord
import pytest
from warroom.adapters.discord import DiscordAdapter
from warroom.core import supervisor

from tests.adapters.discord.driver import DiscordDriver, until
from tests.adapters.discord.fake import FakeDiscord
from tests.contract.scenario import make_app


async def test_a_gateway_loop_that_raises_is_restarted_and_answers_afterwards(
    fake: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect = discord.Client.connect
    failures: list[str] = []

    async def fails_once(self: discord.Client, *args: Any, **kwargs: Any) -> None:
        if not failures:
            failures.append("raised")
            raise RuntimeError("unexpected payload in the gateway loop")
        await connect(self, *args, **kwargs)

    async def no_wait(seconds: float) -> None:
        return None

    monkeypatch.setattr(discord.Client, "connect", fails_once)
    monkeypatch.setattr(supervisor, "pause", no_wait)
    driver = DiscordDriver(fake)
    app = make_app(tmp_path)
    driver._endpoints.point()
    driver._app = app
    driver._adapter = DiscordAdapter(driver.settings(), app)
    app.add_adapter(driver._adapter)
    running = asyncio.create_task(app.run())
    try:
        await until(driver._ready, "the bot's Discord session to be ready after the restart")
        entry = app.health()["adapters"]["discord"]
        assert entry["restarts"] == 1
        assert entry["last_error"] == "RuntimeError: unexpected payload in the gateway loop"
        await driver.post("alice", "/incident declare after the restart")
        await driver.settle()
        assert driver.channel_of("INC-1")
        assert app.health()["ok"] is True
    finally:
        app.request_stop()
        await asyncio.wait_for(running, 30)
        driver._endpoints.restore()
