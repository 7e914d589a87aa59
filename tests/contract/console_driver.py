"""The console as a contract platform: people type lines, as in a terminal (no peer needed)."""

from __future__ import annotations

import io

from warroom.adapters.console import ConsoleAdapter, ConsoleSettings
from warroom.core.app import Warroom


class ConsoleDriver:
    platform = "console"

    def __init__(self) -> None:
        self.output = io.StringIO()
        self._app: Warroom | None = None
        self._adapter: ConsoleAdapter | None = None

    async def start(self, app: Warroom) -> None:
        self._app = app
        self._adapter = ConsoleAdapter(
            ConsoleSettings(user="alice", channel="general"), app, stdin=io.StringIO(), stdout=self.output
        )
        app.add_adapter(self._adapter)
        await app.start()

    async def post(self, user: str, text: str, *, channel: str | None = None) -> None:
        adapter, app = self._require()
        await adapter.handle_line(f":as {user}", app.inbound)
        await adapter.handle_line(f":join {channel or 'general'}", app.inbound)
        await adapter.handle_line(text, app.inbound)

    async def settle(self) -> None:
        await self._require()[1].settle()

    def channel_of(self, reference: str) -> str:
        found = self._require()[1].channels_of(reference, self.platform)
        assert found, f"{reference} has no console channel"
        return found[0].id

    def bot_texts(self, channel: str | None = None) -> list[str]:
        prefix = f"[#{channel or 'general'}] Warroom: "
        texts: list[str] = []
        for line in self.output.getvalue().splitlines():
            if line.startswith(prefix):
                texts.append(line.removeprefix(prefix))
            elif line.startswith("    ") and texts:
                texts[-1] += "\n" + line.removeprefix("    ")
        return texts

    async def approve_last_confirmation(self, user: str, channel: str) -> None:
        prompt = next(text for text in reversed(self.bot_texts(channel)) if "/incident approve " in text)
        number = prompt.split("/incident approve ")[1].split("”")[0].split()[0]
        await self.post(user, f"/incident approve {number}", channel=channel)

    async def stop(self) -> None:
        return None

    def _require(self) -> tuple[ConsoleAdapter, Warroom]:
        assert self._adapter is not None and self._app is not None, "start() first"
        return self._adapter, self._app
