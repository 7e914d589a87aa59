"""A Warroom for the Teams tests: SQLite in a temporary folder, and a plugin that asks for approvals."""

from __future__ import annotations

from pathlib import Path

from warroom.core.app import Warroom
from warroom.core.config.loader import load_config
from warroom.core.plugin import Call, Plugin, TextArg, command


class Approvals(Plugin):
    """A step that needs the commander's approval, to exercise confirmation cards."""

    @command("risky", examples=["/incident risky restart db-1"])
    def risky(self, call: Call, what: TextArg) -> None:
        """Ask the commander to approve a destructive step."""
        call.confirm(what)


async def open_app(database: Path) -> Warroom:
    """A started Warroom on ``database`` (a restart opens the same file again) with :class:`Approvals`."""
    app = Warroom(load_config(None, environ={"WARROOM_DATABASE_URL": f"sqlite:///{database}"}))
    await app.start(plugins=False)
    assert await app.plugins.load_class("approvals", Approvals)
    return app
