"""Matrix carries the scripted incident like every chat platform: the same timeline as the console."""

from __future__ import annotations

from warroom.core.app import Warroom

from tests.adapters.matrix.driver import MatrixDriver
from tests.contract.scenario import EXPECTED, run_scripted_incident


async def test_the_scripted_incident_on_matrix(driver: MatrixDriver, app: Warroom) -> None:
    await driver.start(app)
    assert await run_scripted_incident(driver, app) == EXPECTED
