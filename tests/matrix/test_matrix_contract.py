"""Matrix carries the scripted incident like every chat platform: the same timeline as the console."""

from __future__ import annotations

from contract.scenario import EXPECTED, run_scripted_incident
from matrix.driver import MatrixDriver
from warroom.core.app import Warroom


async def test_the_scripted_incident_on_matrix(driver: MatrixDriver, app: Warroom) -> None:
    await driver.start(app)
    assert await run_scripted_incident(driver, app) == EXPECTED
