"""Warroom's pytest plugin, registered by installing Warroom: fixtures for testing plugins without a chat platform.

    async def test_ping(warroom):
        h = warroom(plugins={"example": ExamplePlugin})
        await h.say('/incident declare "db down"')
        assert await h.say("/incident ping", channel=h.channel("INC-1")) == ["pong"]

Each harness runs a real Warroom on a SQLite file in the test's temporary
directory and is closed when the test ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest_asyncio
from warroom.core.testing.harness import Harness

HarnessFactory = Callable[..., Harness]


@pytest_asyncio.fixture
async def warroom(tmp_path: Path) -> AsyncIterator[HarnessFactory]:
    """Make harnesses: ``warroom(plugins=..., plugin_config=..., adapter=FakeAdapter(...))``."""
    made: list[Harness] = []

    def make(**options: Any) -> Harness:
        harness = Harness(tmp_path / f"warroom-{len(made)}.db", **options)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        await harness.close()
