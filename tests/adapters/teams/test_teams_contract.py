"""Teams carries the shared scripted incident to the same timeline as every other platform."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.teams.driver import TeamsDriver
from tests.contract.scenario import EXPECTED, make_app, run_scripted_incident

pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web.NotAppKeyWarning")  # raised inside the SDK


async def test_the_scripted_incident_on_teams(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    driver = TeamsDriver()
    await driver.start(app)
    try:
        assert await run_scripted_incident(driver, app) == EXPECTED
    finally:
        await driver.stop()
        await app.close()
