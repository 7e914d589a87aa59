"""The plugin test harness, shipped with Warroom: a real Warroom with fake adapters and a virtual clock.

Its pytest plugin (``warroom.core.testing.pytest_plugin``) is registered when
Warroom is installed and gives each test a ``warroom`` fixture.
"""

from warroom.core.testing.harness import FULL, FakeAdapter, Harness, Sent

__all__ = ["FULL", "FakeAdapter", "Harness", "Sent"]
