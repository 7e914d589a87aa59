"""The console adapter: a whole incident in a terminal, with no chat credentials."""

from warroom.adapters.console.adapter import ConsoleAdapter, ConsoleSettings

__all__ = ["ConsoleAdapter", "ConsoleSettings"]
