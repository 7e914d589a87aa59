"""Drafts come out of Jinja2 templates that run in the sandbox.

Autoescaping is off because the output is Markdown, not HTML; what keeps a
title like ``{{ 7*7 }}`` literal is that user text only ever reaches a template
as data, never as template source. Undefined names fail loudly, so a typo in an
operator's template is an error rather than a silently empty section.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

INTERNAL = "internal.md.j2"
EXTERNAL = "external.md.j2"


class DraftError(Exception):
    """A template could not be read or rendered; the message is for the person who asked."""


def inline_code(text: str) -> str:
    """Markdown inline code that survives backticks in the text."""
    text = " ".join(text.split())
    fence = "``" if "`" in text else "`"
    padding = " " if fence == "``" else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def list_item(text: str) -> str:
    """Text that stays inside its Markdown list item even when it spans lines."""
    return "\n  ".join(line.rstrip() for line in text.strip().splitlines())


def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["code"] = inline_code
    env.filters["item"] = list_item
    return env


def render(bundled: str, override: Path | None, context: dict[str, Any]) -> str:
    """Render the operator's template if configured, else the bundled one."""
    name = str(override) if override else bundled
    try:
        if override is None:
            source = (resources.files(__package__) / "templates" / bundled).read_text(encoding="utf-8")
        else:
            source = override.read_text(encoding="utf-8")
        text = environment().from_string(source).render(context)
    except (OSError, UnicodeDecodeError) as error:
        raise DraftError(f"I couldn't read the post-mortem template {name}: {error}") from None
    except TemplateError as error:
        raise DraftError(f"The post-mortem template {name} failed: {error}") from None
    return text.strip() + "\n"
