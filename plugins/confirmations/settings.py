"""The confirmations section of the config: who approves, for how long, and what sounds destructive.

Everything is checked when the config loads, so a typo in a pattern is reported
with the other config problems, not the first time someone types "restart".
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from warroom.core.plugin import Duration, Pattern

MIN_EXPIRY = timedelta(minutes=1)
# An approval is for the situation as it is now; after two hours of an incident, ask again.
MAX_EXPIRY = timedelta(hours=2)

# Present and future forms only: "db-1 restarted" reports what already happened (often by itself),
# and a hint would come too late anyway.
DEFAULT_PATTERNS = (
    r"\brestart(ing)?\b",
    r"\breboot(ing)?\b",
    r"\broll(ing)?[ -]?back\b",
    r"\bdrop(ping)?\b",
    r"\bdelet(e|ing)\b",
    r"\btruncat(e|ing)\b",
    r"\bfail(ing)?[ -]?over\b",
    r"\bkill(ing)?\b",
    r"\bscal(e|ing) down\b",
    r"\bpurg(e|ing)\b",
    r"\brm\s+-(rf|fr)\b",
)


def _expiry(value: timedelta) -> timedelta:
    if not MIN_EXPIRY <= value <= MAX_EXPIRY:
        raise ValueError("must be between 1m and 2h, e.g. 10m")
    return value


def _role(value: str) -> str:
    if value != value.strip().lower() or not value:
        raise ValueError("must be a role name in lowercase, e.g. commander")
    return value


Role = Annotated[str, AfterValidator(_role)]


class ConfirmationsSettings(BaseModel):
    """``plugins.confirmations``; every field has a default, so an empty section works."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    approver_roles: tuple[Role, ...] = Field(default=("commander",), min_length=1)
    """Whoever holds one of these roles may approve or reject an announced action."""
    stand_in_roles: tuple[Role, ...] = ()
    """Who also decides when the requester holds an approver role and self-approval is off (e.g. deputy)."""
    allow_self: bool = False
    """Whether an approver may approve their own request."""
    expires: Annotated[Duration, AfterValidator(_expiry)] = timedelta(minutes=10)
    """How long a request waits for a decision, unless ``--expires`` says otherwise."""
    hint_patterns: tuple[Pattern, ...] = DEFAULT_PATTERNS
    """Case-insensitive regular expressions for chat that sounds destructive; empty turns the hints off."""
    hint_every: Duration = timedelta(minutes=10)
    """At most one hint per person per incident in this long."""
