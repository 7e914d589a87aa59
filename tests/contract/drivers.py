"""The platforms the shared contract runs on: one entry each, and a new adapter's driver joins by adding its own.

An entry builds the platform's :class:`~tests.contract.driver.PlatformDriver`
for one test; it may ask pytest for a shared peer (Matrix's one Synapse per
session). The driver owns whatever else it starts and stops it in ``stop()``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.adapters.discord.driver import DiscordDriver
from tests.adapters.matrix.driver import MatrixDriver
from tests.adapters.teams.driver import TeamsDriver
from tests.contract.console_driver import ConsoleDriver
from tests.contract.driver import PlatformDriver

DRIVERS: dict[str, Callable[[pytest.FixtureRequest], PlatformDriver]] = {
    "console": lambda request: ConsoleDriver(),
    "discord": lambda request: DiscordDriver(),
    "teams": lambda request: TeamsDriver(),
    "matrix": lambda request: MatrixDriver(request.getfixturevalue("synapse")),
}
