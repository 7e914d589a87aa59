"""Autocompletion for slash command options whose values Warroom knows: roles, statuses, kinds, severities."""

from __future__ import annotations

from collections.abc import Sequence

from warroom.core.commands.parse import Registry
from warroom.core.config.loader import Config

SUGGESTED = frozenset({"role", "status", "kind", "severity", "level", "command"})


def suggestions(option: str, config: Config, registry: Registry) -> Sequence[tuple[str, str | int]]:
    """``(label, value)`` candidates for an option, by its name (see :data:`SUGGESTED`)."""
    if option == "role":
        return [(_label(name, text), name) for name, text in config.role_descriptions().items()]
    if option == "status":
        return [(_label(s.name, s.description), s.name) for s in config.statuses]
    if option == "kind":
        return [(_label(name, text), name) for name, text in config.kinds.items()]
    if option in ("severity", "level"):
        return [(_label(f"{s.level} · {s.name}", s.description), s.level) for s in config.severities]
    if option == "command":
        return [(name, name) for name in registry.names()]
    return []


def _label(name: str, text: str) -> str:
    return f"{name} — {text}" if text else name
