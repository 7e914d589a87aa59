"""``warroom postmortem INC-<n>``: the whole draft as a file, to edit, when chat is too small for it.

It reads the database the bot uses, through the same plugin context the
running plugin has, and never creates one where a path was mistyped.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from warroom.core.config.loader import Config
from warroom.core.plugin.tools import plugin_context
from warroom.plugins.postmortem.draft import external_draft, internal_draft, read_record
from warroom.plugins.postmortem.plugin import Postmortem
from warroom.plugins.postmortem.render import DraftError
from warroom.plugins.postmortem.settings import PostmortemSettings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "postmortem",
        help="draft an incident's post-mortem (internal, or --external for customers)",
        description="Draft a post-mortem in Markdown from an incident's record. The external version leaves out "
        "people and internal details; it is a draft to review, never published by Warroom.",
    )
    parser.add_argument("incident", help="e.g. INC-3")
    parser.add_argument("--external", action="store_true", help="the customer version (a draft to review)")
    parser.add_argument("--out", type=Path, metavar="FILE", help="write it to FILE instead of standard output")
    parser.set_defaults(handler=run)


def run(config: Config, args: argparse.Namespace) -> int:
    number = str(args.incident).upper().removeprefix("INC-")
    if not number.isdigit():
        return _fail(f"“{args.incident}” is not an incident reference like INC-3.")
    missing = _missing_database(config.database_url)
    if missing:
        return _fail(missing)
    try:
        text = asyncio.run(_draft(config, int(number), external=args.external))
    except LookupError:
        return _fail(f"There is no incident INC-{int(number)} in this Warroom's database.")
    except DraftError as error:
        return _fail(str(error))
    except SQLAlchemyError as error:
        return _fail(f"I couldn't read the Warroom database: {error.__class__.__name__}. Check database.url.")
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as error:
        return _fail(f"I couldn't write {args.out}: {error.strerror or error}.")
    which = "external" if args.external else "internal"
    note = " It is a draft: review it before publishing." if args.external else ""
    print(f"Wrote the {which} post-mortem draft of INC-{int(number)} to {args.out}.{note}", file=sys.stderr)
    return 0


async def _draft(config: Config, incident_id: int, *, external: bool) -> str:
    async with plugin_context(config, "postmortem", Postmortem) as context:
        settings = context.config
        assert isinstance(settings, PostmortemSettings)
        record = read_record(context, incident_id)
        return (external_draft if external else internal_draft)(record, settings)


def _missing_database(url: str) -> str | None:
    """Why there is nothing to read, for a SQLite file that isn't there (opening it would create it)."""
    parsed = make_url(url)
    path = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and path not in ("", ":memory:") and not Path(path).is_file():
        return f"There is no Warroom database at {path}. Check --config or WARROOM_DATABASE_URL."
    return None


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1
