"""The Teams side of the shared contract tests: the real Agents SDK host, spoken to over HTTP.

The adapter runs its real aiohttp endpoint on 127.0.0.1 (anonymous, as only a
test run may) and posts through a :class:`FakeConnector` that records what it
sent. People "type" by POSTing Teams activities to ``/api/messages``; a
command ``/incident …`` is typed the Teams way, ``@Warroom incident …``, and
``@name`` becomes a real Teams mention.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import Iterator
from typing import Any

import aiohttp
from warroom.adapters.teams import TeamsAdapter, TeamsSettings
from warroom.adapters.teams.settings import TEST_RUN_ENV
from warroom.core.app import Warroom

from tests.adapters.teams.activities import GENERAL, INCIDENTS, card_action, channel_of, message, next_id
from tests.adapters.teams.connector import FakeConnector, Recorded, card_of, text_of

_MENTION = re.compile(r"(?<![\w@<])@([A-Za-z][\w.-]*)")
_COMMAND = re.compile(r"^[/!]incident\b", re.IGNORECASE)
TEAM_GROUP_ID = "00000000-0000-4000-8000-000000000001"


@contextlib.contextmanager
def marked_as_test_run() -> Iterator[None]:
    """Mark this as a test run while the settings are validated, as ``anonymous_for_tests`` requires."""
    before = os.environ.get(TEST_RUN_ENV)
    os.environ[TEST_RUN_ENV] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[TEST_RUN_ENV]
        else:
            os.environ[TEST_RUN_ENV] = before


def teams_settings(connector: FakeConnector, *, graph: bool = False, **options: Any) -> TeamsSettings:
    values: dict[str, Any] = {
        "anonymous_for_tests": True,
        "incidents_channel": INCIDENTS,
        "service_url": connector.url,
        "port": 0,
        **options,
    }
    if graph:
        values.update(team_id=TEAM_GROUP_ID, graph={"base_url": connector.graph_url})
    with marked_as_test_run():
        return TeamsSettings.model_validate(values)


class TeamsDriver:
    platform = "teams"

    def __init__(self, *, graph: bool = False, connector: FakeConnector | None = None, **options: Any) -> None:
        """``connector``: one shared with an earlier driver (a restart keeps talking to the same Teams)."""
        self._graph = graph
        self._options = options
        self._owns_connector = connector is None
        self.connector = connector or FakeConnector()
        self._task: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None
        self._app: Warroom | None = None
        self._adapter: TeamsAdapter | None = None

    @property
    def app(self) -> Warroom:
        assert self._app is not None, "start the driver first"
        return self._app

    @property
    def adapter(self) -> TeamsAdapter:
        assert self._adapter is not None, "start the driver first"
        return self._adapter

    async def start(self, app: Warroom) -> None:
        if self._owns_connector:
            await self.connector.start()
        self._app = app
        self._adapter = TeamsAdapter(teams_settings(self.connector, graph=self._graph, **self._options), app)
        app.add_adapter(self._adapter)
        await app.start()
        self._task = asyncio.create_task(self._adapter.start(app.inbound))
        await asyncio.wait_for(self._adapter.ready.wait(), timeout=10)
        self._http = aiohttp.ClientSession()

    async def post(self, user: str, text: str, *, channel: str | None = None) -> None:
        response = await self.deliver(self.message(user, text, channel=channel))
        assert response.status == 202, f"Teams endpoint answered {response.status}"

    def message(self, user: str, text: str, *, channel: str | None = None, **options: Any) -> dict[str, Any]:
        """The activity Teams sends when ``user`` posts ``text`` (a new post in General when no channel)."""
        activity_id = options.pop("activity_id", None) or next_id()
        conversation = channel or f"{GENERAL};messageid={activity_id}"
        command = _COMMAND.match(text)
        mention_bot = command is not None or text.startswith("@Warroom ")
        if command:
            text = "incident" + text[command.end() :]
        text = text.removeprefix("@Warroom ")
        names = tuple(dict.fromkeys(_MENTION.findall(text)))
        text = _MENTION.sub(lambda m: f"<at>{m.group(1)}</at>", text)
        return message(
            text,
            user=user,
            conversation=conversation,
            service_url=self.connector.url,
            activity_id=activity_id,
            mention_bot=mention_bot,
            mentions=names,
            **options,
        )

    async def deliver(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> aiohttp.ClientResponse:
        """POST an activity to the bot's endpoint, as Teams does; the response is read."""
        assert self._http is not None
        async with self._http.post(self.adapter.endpoint, json=activity, headers=headers) as response:
            await response.read()
            return response

    async def click(self, user: str, posted: Recorded, action: str, **options: Any) -> dict[str, Any]:
        """``user`` presses the button carrying ``action`` on a card the bot posted; returns the invoke response."""
        activity = card_action(
            action,
            user=user,
            conversation=posted.conversation,
            reply_to=posted.activity_id,
            service_url=self.connector.url,
            **options,
        )
        assert self._http is not None
        async with self._http.post(self.adapter.endpoint, json=activity) as response:
            assert response.status == 200, f"invoke answered {response.status}"
            answer: dict[str, Any] = await response.json()
            return answer

    async def settle(self) -> None:
        while True:
            await self.adapter.drain()
            await self.app.settle()
            if not self.adapter.health().report()["in_flight"] and not self.app.writer.busy():
                return

    def channel_of(self, reference: str) -> str:
        found = self.app.channels_of(reference, self.platform)
        assert found, f"{reference} has no Teams thread or channel"
        return found[0].id

    def bot_texts(self, channel: str | None = None) -> list[str]:
        if channel is None:
            posted = [r for r in self.connector.messages() if channel_of(r.conversation) == GENERAL]
        else:
            posted = self.connector.messages_in(channel)
        return [text_of(r) for r in posted]

    def prompts(self, channel: str) -> list[tuple[Recorded, str]]:
        """Cards in ``channel`` with an approve button, and that button's action."""
        found = []
        for posted in self.connector.messages_in(channel):
            for button in card_of(posted).get("actions", []):
                action = str(button.get("data", {}).get("action", ""))
                if action.endswith(":approve"):
                    found.append((posted, action))
        return found

    async def approve_last_confirmation(self, user: str, channel: str) -> None:
        prompts = self.prompts(channel)
        assert prompts, f"no confirmation prompt in {channel}"
        posted, action = prompts[-1]
        await self.click(user, posted, action)

    async def stop(self) -> None:
        if self._adapter is not None:
            await self._adapter.stop()
        if self._task is not None:
            await asyncio.wait_for(self._task, timeout=10)
            self._task = None
        if self._http is not None:
            await self._http.close()
            self._http = None
        if self._owns_connector:
            await self.connector.stop()
