"""Value types for config files that people write by hand: durations like ``30m``, regular expressions."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

MAX_DURATION = timedelta(days=30)
_DURATION = re.compile(r"(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?", re.IGNORECASE)
_UNIT_SECONDS = (86400, 3600, 60, 1)


def parse_duration(raw: str) -> timedelta:
    """Read a duration; a bare number means minutes ("remind 45" is what people type)."""
    match = _DURATION.fullmatch(f"{raw}m" if raw.isascii() and raw.isdigit() else raw)
    parts = match.groups() if match else ()
    if not any(parts):
        shown = raw if len(raw) <= 40 else raw[:39] + "…"
        raise ValueError(f"must be a duration like 30m, 1h30m or 2d, not “{shown}”.")
    if any(part and len(part) > 9 for part in parts):
        raise ValueError("can be at most 30 days.")
    seconds = sum(int(part) * unit for part, unit in zip(parts, _UNIT_SECONDS, strict=True) if part)
    if seconds <= 0:
        raise ValueError("must be longer than zero.")
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError("can be at most 30 days.")
    return timedelta(seconds=seconds)


def _from_config(value: Any) -> Any:
    return parse_duration(value.strip()) if isinstance(value, str) else value


Duration = Annotated[timedelta, BeforeValidator(_from_config)]
"""A config field holding a duration written like ``30m`` (or a number of seconds)."""


def _pattern(value: str) -> str:
    try:
        re.compile(value)
    except re.error as error:
        raise ValueError(f"is not a valid regular expression: {error}") from None
    return value


Pattern = Annotated[str, AfterValidator(_pattern)]
"""A config field holding a regular expression, checked when the config loads."""
