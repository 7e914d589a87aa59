"""The postmortem section of the config: templates, redaction for the external draft, review timing.

Everything is checked when the config loads, so a typo in a pattern or a
template path is reported next to the other config problems, not on the day
someone needs a post-mortem.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from jinja2 import TemplateSyntaxError
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from warroom.core.plugin import Pattern
from warroom.plugins.postmortem.render import environment

_DURATION = re.compile(r"(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?", re.IGNORECASE)
MAX_REVIEW_DELAY = timedelta(days=30)  # what a command's duration can say


def parse_duration(value: Any) -> Any:
    """``3d``, ``36h``, ``1d12h`` as people write them; anything else goes on to pydantic as is."""
    if isinstance(value, str):
        found = _DURATION.fullmatch(value.strip())
        if found and any(found.groups()):
            days, hours, minutes = (int(part or 0) for part in found.groups())
            return timedelta(days=days, hours=hours, minutes=minutes)
    return value


def _review_delay(value: timedelta) -> timedelta:
    if not timedelta(minutes=1) <= value <= MAX_REVIEW_DELAY:
        raise ValueError("must be between 1m and 30d, e.g. 3d")
    return value


def _template(value: Path) -> Path:
    if not value.is_file():
        raise ValueError(f"file not found: {value.absolute()}")
    try:
        environment().parse(value.read_text(encoding="utf-8"))
    except TemplateSyntaxError as error:
        raise ValueError(f"template error on line {error.lineno}: {error.message}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read it: {error}") from None
    return value.absolute()


TemplatePath = Annotated[Path, AfterValidator(_template)]
ReviewDelay = Annotated[timedelta, BeforeValidator(parse_duration), AfterValidator(_review_delay)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Redaction(_Model):
    """One operator rule for the external draft: ``pattern`` (a regular expression) becomes ``replacement``."""

    pattern: Pattern
    replacement: str = "[redacted]"


class PostmortemSettings(_Model):
    """``plugins.postmortem`` in warroom.yaml; every option has a working default."""

    internal_template: TemplatePath | None = None  # a copy of templates/internal.md.j2 to change
    external_template: TemplatePath | None = None
    redact: tuple[Redaction, ...] = ()  # applied to the external draft before the built-in rules
    internal_services: tuple[str, ...] = ()  # names customers shouldn't see, replaced by service_wording
    service_wording: str = "one of our internal services"
    public_domains: tuple[str, ...] = ()  # hosts, links and emails under these stay in the external draft
    blame_phrases: tuple[Pattern, ...] = ()  # more patterns for the language review (other languages, jargon)
    review_after: ReviewDelay = timedelta(days=3)  # the default for "postmortem review", e.g. 3d
    chat_limit: int = Field(default=1800, ge=300)  # longer drafts are cut in chat; the CLI gives the whole
