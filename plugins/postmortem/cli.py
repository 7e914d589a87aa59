"""``warroom postmortem INC-<n>``: the whole draft as a file, to edit, when chat is too small for it.

It reads the database the bot uses, through the same plugin context the
running plugin has; ``warroom`` opens it, and never creates one where a path
was mistyped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from warroom.core.plugin import Tool, ToolRun
from warroom.plugins.postmortem.draft import external_draft, internal_draft, read_record
from warroom.plugins.postmortem.plugin import Postmortem
from warroom.plugins.postmortem.render import DraftError
from warroom.plugins.postmortem.settings import PostmortemSettings


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("incident", help="e.g. INC-3")
    parser.add_argument("--external", action="store_true", help="the customer version (a draft to review)")
    parser.add_argument("--out", type=Path, metavar="FILE", help="write it to FILE instead of standard output")


async def run(tool_run: ToolRun[PostmortemSettings]) -> int:
    """Write the internal or external draft of one incident to standard output or a file."""
    args = tool_run.args
    number = str(args.incident).upper().removeprefix("INC-")
    if not number.isdigit():
        return _fail(f"“{args.incident}” is not an incident reference like INC-3.")
    try:
        async with tool_run.context() as context:
            record = read_record(context, int(number))
            text = (external_draft if args.external else internal_draft)(record, context.config)
    except LookupError:
        return _fail(f"There is no incident INC-{int(number)} in this Warroom's database.")
    except DraftError as error:
        return _fail(str(error))
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


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


tool = Tool(
    "postmortem",
    Postmortem,
    run,
    arguments=_arguments,
    help="draft an incident's post-mortem (internal, or --external for customers)",
    description="Draft a post-mortem in Markdown from an incident's record. The external version leaves out "
    "people and internal details; it is a draft to review, never published by Warroom.",
)
"""``warroom postmortem``, named by the ``warroom.cli`` entry point of the same name."""
