"""The console adapter: a whole incident in a terminal, with no chat credentials."""

from typing import TYPE_CHECKING

from warroom.adapters.console.adapter import ConsoleAdapter, ConsoleSettings

__all__ = ["ConsoleAdapter", "ConsoleSettings"]

if TYPE_CHECKING:
    from warroom.core.adapter import AdapterFactory

    _factory: AdapterFactory = ConsoleAdapter  # mypy checks that it fulfils the adapter contract
