"""The console adapter: a whole incident in a terminal, with no chat credentials."""

from .adapter import ConsoleAdapter, ConsoleSettings

__all__ = ["ConsoleAdapter", "ConsoleSettings"]
