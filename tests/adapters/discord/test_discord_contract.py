"""Discord carries the scripted incident like every chat platform: the same timeline as the console."""

from __future__ import annotations

from warroom.core.app import Warroom

from tests.adapters.discord.driver import DiscordDriver
from tests.contract.scenario import EXPECTED, run_scripted_incident


async def test_the_scripted_incident_on_discord(driver: DiscordDriver, app: Warroom) -> None:
    await driver.start(app)
    assert await run_scripted_incident(driver, app) == EXPECTED
