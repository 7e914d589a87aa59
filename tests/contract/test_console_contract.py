"""The console carries the scripted incident like every chat platform."""

from __future__ import annotations

from pathlib import Path

from tests.contract.console_driver import ConsoleDriver
from tests.contract.scenario import EXPECTED, make_app, run_scripted_incident


async def test_the_scripted_incident_on_the_console(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    driver = ConsoleDriver()
    await driver.start(app)
    try:
        assert await run_scripted_incident(driver, app) == EXPECTED
    finally:
        await driver.stop()
        await app.close()
