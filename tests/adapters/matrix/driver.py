"""The Matrix platform driver: the real adapter against a real Synapse, people as real matrix-nio clients.

People type the way Element sends: ``!incident …`` for commands, and a
mention as a pill (the display name in ``body``, a matrix.to link in
``formatted_body``). Nothing sleeps to synchronise: :meth:`settle` polls
until the bot has taken every posted event, lets Warroom finish, then reads
what the bot posted back from the homeserver.
"""

from __future__ import annotations

import asyncio
import html
import re
import time
from collections.abc import Callable
from typing import Any

from nio import (
    AsyncClient,
    JoinedMembersResponse,
    JoinResponse,
    LoginResponse,
    RoomCreateResponse,
    RoomMessagesResponse,
    RoomPreset,
    RoomSendResponse,
    RoomVisibility,
)
from warroom.adapters.matrix import MatrixAdapter, MatrixSettings
from warroom.core.app import Warroom
from warroom.core.storage import queries

from tests.adapters.matrix.synapse_server import BOT, PASSWORD, PEOPLE, SERVER_NAME, Synapse

BOT_ID = f"@{BOT}:{SERVER_NAME}"
WAIT = 30.0
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z][\w.-]*)")


def user_id(name: str) -> str:
    return f"@{name}:{SERVER_NAME}"


async def until(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Poll ``condition`` until it holds; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


class Person:
    """Someone in the chat, with a matrix-nio client of their own."""

    def __init__(self, homeserver: str, name: str) -> None:
        self.name = name
        self.id = user_id(name)
        self.client = AsyncClient(homeserver, self.id)
        self.rooms: set[str] = set()

    async def login(self) -> None:
        response = await self.client.login(PASSWORD, device_name=f"{self.name}'s test client")
        assert isinstance(response, LoginResponse), response

    async def enter(self, room_id: str) -> None:
        if room_id not in self.rooms:
            response = await self.client.join(room_id)
            assert isinstance(response, JoinResponse), f"{self.name} cannot join {room_id}: {response}"
            self.rooms.add(room_id)

    async def send(self, room_id: str, content: dict[str, Any], event_type: str = "m.room.message") -> str:
        response = await self.client.room_send(room_id, event_type, content)
        assert isinstance(response, RoomSendResponse), response
        return str(response.event_id)

    async def say(self, room_id: str, body: str, formatted: str | None = None) -> str:
        content: dict[str, Any] = {"msgtype": "m.text", "body": body}
        if formatted is not None:
            content.update(format="org.matrix.custom.html", formatted_body=formatted)
        return await self.send(room_id, content)

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        relation = {"rel_type": "m.annotation", "event_id": event_id, "key": key}
        return await self.send(room_id, {"m.relates_to": relation}, "m.reaction")


class MatrixDriver:
    platform = "matrix"

    def __init__(self, synapse: Synapse, **settings: Any) -> None:
        self.synapse = synapse
        self.overrides = settings
        self.people: dict[str, Person] = {}
        self.lobby: str | None = None
        self.adapter: MatrixAdapter | None = None
        self.posted: list[str] = []
        self._app: Warroom | None = None
        self._task: asyncio.Task[None] | None = None
        self._reader: AsyncClient | None = None
        self._bot_events: dict[str, list[tuple[str, dict[str, Any]]]] = {}

    def settings(self) -> MatrixSettings:
        values: dict[str, Any] = {
            "homeserver": self.synapse.url,
            "user_id": BOT_ID,
            "password": PASSWORD,
            "backoff_initial": 0.1,
            "backoff_max": 1.0,
            **self.overrides,
        }
        return MatrixSettings.model_validate(values)

    # PlatformDriver

    async def start(self, app: Warroom) -> None:
        self._app = app
        self.adapter = MatrixAdapter(self.settings(), app)
        app.add_adapter(self.adapter)
        await app.start()
        adapter = self.adapter
        self._task = asyncio.create_task(adapter.start(app.inbound))
        await until(lambda: adapter.ready.is_set() or self._task is None or self._task.done(), "the bot to connect")
        if self._task.done():
            self._task.result()  # the reason it stopped
        self._reader = AsyncClient(self.synapse.url, BOT_ID)
        self._reader.restore_login(BOT_ID, adapter.client.device_id, adapter.client.access_token)
        if self.lobby is None:
            self.lobby = await self._open_lobby()

    async def post(self, user: str, text: str, *, channel: str | None = None) -> None:
        self.posted.append(await self.say(user, text, channel=channel))

    async def settle(self) -> None:
        adapter = self._require_adapter()
        posted = list(self.posted)
        await until(lambda: all(adapter.handled(event_id) for event_id in posted), "the bot to take every event")
        self.posted.clear()
        assert self._app is not None
        await self._app.settle()
        await self.refresh()

    def channel_of(self, reference: str) -> str:
        assert self._app is not None
        found = self._app.channels_of(reference, self.platform)
        assert found, f"{reference} has no Matrix room"
        return found[0].id

    def bot_texts(self, channel: str | None = None) -> list[str]:
        return [content.get("body", "") for _, content in self.bot_events(channel)]

    async def approve_last_confirmation(self, user: str, channel: str) -> None:
        prompt = next(
            (event_id for event_id, content in reversed(self.bot_events(channel)) if "React ✅" in content["body"]),
            None,
        )
        assert prompt is not None, f"no confirmation prompt in {channel}: {self.bot_texts(channel)}"
        self.posted.append(await self.react(user, channel, prompt, "✅"))

    async def stop(self) -> None:
        await self.stop_bot()
        for person in self.people.values():
            await person.client.close()
        self.people.clear()

    # Beyond the protocol, for the Matrix tests

    async def stop_bot(self) -> None:
        """Stop the adapter (the people and the homeserver stay)."""
        if self.adapter is not None:
            await self.adapter.stop()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._reader is not None:
            await self._reader.close()
            self._reader = None

    async def person(self, name: str) -> Person:
        if name not in self.people:
            person = Person(self.synapse.url, name)
            await person.login()
            self.people[name] = person
        return self.people[name]

    async def say(self, user: str, text: str, *, channel: str | None = None) -> str:
        """Post as ``user`` (joining the room first) and return the event id; :meth:`post` also awaits it."""
        room = self.room(channel)
        person = await self.person(user)
        await person.enter(room)
        body, formatted = self._compose(text)
        return await person.say(room, body, formatted)

    async def react(self, user: str, channel: str, event_id: str, key: str) -> str:
        person = await self.person(user)
        await person.enter(channel)
        return await person.react(channel, event_id, key)

    @property
    def reader(self) -> AsyncClient:
        """A client on the bot's own session, to read room state the way the bot sees it."""
        assert self._reader is not None, "start() first"
        return self._reader

    def room(self, channel: str | None) -> str:
        if channel is None:
            assert self.lobby is not None, "start() first"
            return self.lobby
        return channel

    def bot_events(self, channel: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """``(event id, content)`` of each message the bot posted in ``channel``, edits applied, oldest first."""
        return self._bot_events.get(self.room(channel), [])

    async def refresh(self) -> None:
        """Read what the bot posted in the lobby and every incident room from the homeserver."""
        assert self._app is not None and self._reader is not None
        rooms = {self.room(None)}
        for incident_id in queries.incident_ids(self._app.db):
            rooms.update(c.id for c in queries.channels(self._app.db, incident_id) if c.platform == self.platform)
        for room in rooms:
            self._bot_events[room] = await self._read(room)

    async def _read(self, room: str) -> list[tuple[str, dict[str, Any]]]:
        assert self._reader is not None
        events: list[dict[str, Any]] = []
        start: str | None = None
        while True:
            page = await self._reader.room_messages(room, start=start, limit=100)
            assert isinstance(page, RoomMessagesResponse), page
            events.extend(event.source for event in page.chunk)
            if not page.chunk or not page.end:
                break
            start = page.end
        messages: dict[str, dict[str, Any]] = {}
        for source in reversed(events):
            if source.get("sender") != BOT_ID or source.get("type") != "m.room.message":
                continue
            content = source.get("content", {})
            relation = content.get("m.relates_to") or {}
            if relation.get("rel_type") == "m.replace" and relation.get("event_id") in messages:
                messages[relation["event_id"]] = content["m.new_content"]
            else:
                messages[source["event_id"]] = content
        return list(messages.items())

    async def _open_lobby(self) -> str:
        """alice opens the general room and invites the bot, which accepts on its own."""
        alice = await self.person("alice")
        response = await alice.client.room_create(
            visibility=RoomVisibility.private, preset=RoomPreset.public_chat, name="general", invite=[BOT_ID]
        )
        assert isinstance(response, RoomCreateResponse), response
        room = str(response.room_id)
        alice.rooms.add(room)
        joined: set[str] = set()

        async def bot_joined() -> bool:
            members = await alice.client.joined_members(room)
            assert isinstance(members, JoinedMembersResponse), members
            joined.update(member.user_id for member in members.members)
            return BOT_ID in joined

        deadline = time.monotonic() + WAIT
        while not await bot_joined():
            assert time.monotonic() < deadline, "the bot did not accept the invitation to the lobby"
            await asyncio.sleep(0.05)
        return room

    def _compose(self, text: str) -> tuple[str, str | None]:
        """Commands with Matrix's prefix; ``@name`` as a pill, the way Element sends a mention."""
        if text.startswith("/incident"):
            text = "!incident" + text.removeprefix("/incident")
        pills = [match for match in _MENTION.finditer(text) if match.group(1) in PEOPLE]
        if not pills:
            return text, None
        body: list[str] = []
        rich: list[str] = []
        last = 0
        for match in pills:
            name = match.group(1)
            body.append(text[last : match.start()] + name)
            rich.append(html.escape(text[last : match.start()]))
            rich.append(f'<a href="https://matrix.to/#/{user_id(name)}">{html.escape(name)}</a>')
            last = match.end()
        body.append(text[last:])
        rich.append(html.escape(text[last:]))
        return "".join(body), "".join(rich)

    def _require_adapter(self) -> MatrixAdapter:
        assert self.adapter is not None, "start() first"
        return self.adapter
