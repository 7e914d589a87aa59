"""Autocompletion for slash command options whose values Warroom knows: roles, statuses, kinds, severities."""

from __future__ import annotations

from collections.abc import Sequence

from warroom.core.adapter import Catalogue

SUGGESTED = frozenset({"role", "status", "kind", "severity", "level", "command"})


def suggestions(option: str, catalogue: Catalogue) -> Sequence[tuple[str, str | int]]:
    """``(label, value)`` candidates for an option, by its name (see :data:`SUGGESTED`)."""
    if option == "role":
        return [(_label(term.name, term.description), term.name) for term in catalogue.roles]
    if option == "status":
        return [(_label(term.name, term.description), term.name) for term in catalogue.statuses]
    if option == "kind":
        return [(_label(term.name, term.description), term.name) for term in catalogue.kinds]
    if option in ("severity", "level"):
        return [(_label(f"{s.level} · {s.name}", s.description), s.level) for s in catalogue.severities]
    if option == "command":
        return [(name, name) for name in catalogue.names()]
    return []


def _label(name: str, text: str) -> str:
    return f"{name} — {text}" if text else name
