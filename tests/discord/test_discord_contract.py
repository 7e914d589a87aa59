"""Discord carries the scripted incident like every chat platform: the same timeline as the console."""

from __future__ import annotations

from contract.scenario import EXPECTED, run_scripted_incident
from discord_driver import DiscordDriver
from warroom.core.app import Warroom


async def test_the_scripted_incident_on_discord(driver: DiscordDriver, app: Warroom) -> None:
    await driver.start(app)
    assert await run_scripted_incident(driver, app) == EXPECTED
