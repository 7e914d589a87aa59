"""Every adapter carries the scripted incident the same way: one test, run once per platform in ``DRIVERS``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contract.drivers import DRIVERS
from tests.contract.scenario import EXPECTED, make_app, run_scripted_incident

pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web.NotAppKeyWarning")  # raised inside the Teams SDK


@pytest.mark.parametrize("platform", sorted(DRIVERS))
async def test_the_scripted_incident_gives_the_same_timeline(
    platform: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    app = make_app(tmp_path)
    driver = DRIVERS[platform](request)
    assert driver.platform == platform
    try:
        await driver.start(app)
        assert await run_scripted_incident(driver, app) == EXPECTED
    finally:
        await driver.stop()
        await app.close()
