"""The Discord platform driver: the real adapter and discord.py against the local fake Discord.

People act the way the Discord client does: ``/incident …`` becomes a slash
command interaction built from the command definition the bot synced (options
filled from what was typed, ``@name`` as a user option), anything else is a
chat message with ``<@id>`` mentions, and approving presses the prompt's
button. :meth:`settle` polls until the bot has read every dispatch, the core
is idle and no request reached the fake for a whole round.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import discord
import yarl
from warroom.adapters.discord import DiscordAdapter, DiscordSettings
from warroom.core.app import Warroom
from warroom.core.commands.parse import parse
from warroom.core.commands.spec import CommandSpec, ParsedCommand, PersonToken, UsageError

from tests.adapters.discord.fake import FakeDiscord

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDe.abcdefghijklmnopqrstuvwxyz0123"
WAIT = 15.0
_MENTION = re.compile(r"(?<![\w@<])@([A-Za-z][\w.-]*)")
_NOT_PEOPLE = {"everyone", "here"}


async def until(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Poll ``condition()`` until it holds; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


class Endpoints:
    """Point discord.py at the fake (process-wide class attributes), and put them back."""

    def __init__(self, fake: FakeDiscord) -> None:
        self._fake = fake
        self._saved: tuple[str, yarl.URL] | None = None

    def point(self) -> None:
        if self._saved is None:
            self._saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = self._fake.api
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self._fake.gateway_url)

    def restore(self) -> None:
        if self._saved is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self._saved = None


class DiscordDriver:
    platform = "discord"

    def __init__(self, fake: FakeDiscord | None = None, **settings: Any) -> None:
        self.fake = fake or FakeDiscord()
        self._own_fake = fake is None
        self._settings = settings
        self._endpoints = Endpoints(self.fake)
        self._app: Warroom | None = None
        self._adapter: DiscordAdapter | None = None
        self._task: asyncio.Task[None] | None = None
        self._probes = 0

    def settings(self) -> DiscordSettings:
        values = {
            "token": TOKEN,
            "guild_id": self.fake.guild_id,
            "sync_commands": True,
            "message_content_intent": True,
            "guild_ready_timeout": 0.01,
            **self._settings,
        }
        return DiscordSettings.model_validate(values)

    @property
    def adapter(self) -> DiscordAdapter:
        assert self._adapter is not None, "start() first"
        return self._adapter

    @property
    def app(self) -> Warroom:
        assert self._app is not None, "start() first"
        return self._app

    # --- PlatformDriver ------------------------------------------------------------------------

    async def start(self, app: Warroom) -> None:
        if not self.fake.port:
            await self.fake.start()
        self._endpoints.point()
        self._app = app
        self._adapter = DiscordAdapter(self.settings(), app)
        app.add_adapter(self._adapter)
        await app.start()
        self._task = asyncio.create_task(self._adapter.start(app.inbound))
        await until(self._ready, "the bot's Discord session to be ready")
        await self.settle()

    async def post(self, user: str, text: str, *, channel: str | None = None) -> None:
        channel_id = channel or self.fake.general_id
        author = self.fake.user(user)
        prefix = "/" + self.adapter.settings.command_name
        if text == prefix or text.startswith(prefix + " "):
            self.slash(author, channel_id, text[len(prefix) :].strip())
            return
        content, mentions = self.compose(text)
        self.fake.post(channel_id, author, content, mentions=mentions)

    async def settle(self) -> None:
        """Until a whole round passes in which the bot read everything and nothing new reached the fake."""
        deadline = time.monotonic() + WAIT
        quiet = 0
        while quiet < 2:
            seen = len(self.fake.requests)
            await self.probe()
            await self.adapter.drain()
            await self.app.settle()
            busy = self.adapter.health().details["in_flight"]
            quiet = quiet + 1 if len(self.fake.requests) == seen and not busy else 0
            if time.monotonic() > deadline:
                raise AssertionError("the Discord bot did not settle")

    def channel_of(self, reference: str) -> str:
        found = self.app.channels_of(reference, self.platform)
        assert found, f"{reference} has no Discord channel"
        return found[0].id

    def bot_texts(self, channel: str | None = None) -> list[str]:
        names = {user["id"]: user["global_name"] for user in self.fake.users.values()}
        texts = (plain_text(m, names) for m in self.fake.bot_messages(channel or self.fake.general_id))
        return [text for text in texts if text]

    async def approve_last_confirmation(self, user: str, channel: str) -> None:
        for message in reversed(self.fake.bot_messages(channel)):
            for custom_id in custom_ids(message):
                if custom_id.endswith(":approve"):
                    self.click(self.fake.user(user), channel, message, custom_id)
                    # discord.py runs a button's callback a task later than other events are dispatched;
                    # a person reads the outcome before typing on, so the next post comes after it.
                    await self.settle()
                    return
        raise AssertionError(f"no confirmation prompt with buttons in {channel}")

    async def stop(self) -> None:
        await self.stop_bot()
        if self._own_fake:
            await self.fake.stop()

    # --- more than the contract ----------------------------------------------------------------

    async def stop_bot(self) -> None:
        """Stop the adapter (the fake keeps running), as a process restart would; the app stays open."""
        if self._adapter is not None:
            await self._adapter.stop()
        task, self._task = self._task, None
        if task is not None and not task.done():  # a task that ended early already raised in start()
            await task
        self._endpoints.restore()

    async def probe(self) -> None:
        """A gateway round trip: once it is back, the bot has read every earlier dispatch."""
        self._probes += 1
        name = f"WARROOM_PROBE_{self._probes}"
        client = self.adapter.client
        seen = client.wait_for("socket_event_type", check=lambda event: event == name, timeout=WAIT)
        self.fake.gateway.dispatch(name, {})
        await seen

    def slash(self, user: dict[str, Any], channel_id: str, line: str) -> str:
        """Run ``/incident <line>`` the way the Discord client sends it, from the synced definition."""
        data = self.command_data(line)
        if data is None:  # nothing the slash command can express: type it instead
            content, mentions = self.compose("!incident " + line)
            return self.fake.post(channel_id, user, content, mentions=mentions)["id"]
        return self.fake.interaction(2, channel_id, user, data)

    def command_data(self, line: str) -> dict[str, Any] | None:
        """The ``data`` of a slash command interaction for ``line``; None when it cannot be expressed."""
        (command,) = self.fake.commands
        try:
            parsed: ParsedCommand | None = parse(line, self.app.commands.registry)
        except UsageError:
            parsed = None
        resolved: dict[str, dict[str, Any]] = {"users": {}, "members": {}}
        path = _subcommand(command, parsed.spec) if parsed else None
        if parsed is not None and path is not None:
            values = self._values(parsed, path[-1], resolved)
        else:
            more = next((o for o in command["options"] if o["name"] == "more"), None)
            if more is None:
                return None
            path, values = [more], [{"type": 3, "name": "command", "value": line}]
        leaf = {"type": 1, "name": path[-1]["name"], "options": values}
        top = leaf if len(path) == 1 else {"type": 2, "name": path[0]["name"], "options": [leaf]}
        return {"id": command["id"], "name": command["name"], "type": 1, "options": [top], "resolved": resolved}

    def click(self, user: dict[str, Any], channel_id: str, message: dict[str, Any], custom_id: str) -> str:
        return self.fake.interaction(
            3, channel_id, user, {"custom_id": custom_id, "component_type": 2}, message=message
        )

    def compose(self, text: str) -> tuple[str, list[dict[str, Any]]]:
        """Chat text as Discord sends it: ``@name`` as ``<@id>``, with the people in ``mentions``."""
        mentions: list[dict[str, Any]] = []

        def mention(match: re.Match[str]) -> str:
            if match[1].lower() in _NOT_PEOPLE:
                return match[0]
            user = self.fake.user(match[1])
            mentions.append({**user, "member": self.fake.member(user)})
            return f"<@{user['id']}>"

        return _MENTION.sub(mention, text), mentions

    def _values(
        self, parsed: ParsedCommand, sub: dict[str, Any], resolved: dict[str, dict[str, Any]]
    ) -> list[dict[str, Any]]:
        args = dict(parsed.args)
        if parsed.incident is not None:
            args["incident"] = f"INC-{parsed.incident}"
        values = []
        for option in sub.get("options", []):
            value = args.get(option["name"])
            if value is None or value is False:
                continue
            if isinstance(value, PersonToken):
                user = self.fake.user(value.name)
                resolved["users"][user["id"]] = user
                resolved["members"][user["id"]] = {k: v for k, v in self.fake.member(user).items() if k != "user"}
                value = user["id"]
            elif isinstance(value, timedelta):
                value = f"{int(value.total_seconds())}s"
            elif isinstance(value, tuple):
                value = ",".join(self._typed(word) for word in value)
            values.append({"type": option["type"], "name": option["name"], "value": value})
        return values

    def _typed(self, word: str) -> str:
        """A word in a text option: Discord's client writes an ``@mention`` picked there as ``<@id>``."""
        if not _MENTION.fullmatch(word) or word[1:].lower() in _NOT_PEOPLE:
            return word
        return f"<@{self.fake.user(word[1:])['id']}>"

    def _ready(self) -> bool:
        if self._task is not None and self._task.done():
            self._task.result()  # raises why the adapter stopped
            raise AssertionError("the Discord adapter stopped before it was ready")
        return self.adapter.health().report()["state"] == "ready"


def _subcommand(command: dict[str, Any], spec: CommandSpec) -> list[dict[str, Any]] | None:
    """The synced definition's subcommand (with its group) for ``spec``, as the bot generated it."""
    words = [word.lower() for word in spec.path]
    for option in command["options"]:
        if option["type"] == 1 and option["name"] == "-".join(words):
            return [option]
        if option["type"] == 2 and len(words) == 2 and option["name"] == words[0]:
            sub = next((o for o in option["options"] if o["name"] == words[1]), None)
            if sub is not None:
                return [option, sub]
    return None


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [c.get("custom_id", "") for row in message.get("components") or [] for c in row.get("components", [])]


def plain_text(message: dict[str, Any], names: dict[str, str]) -> str:
    """Roughly what ``Message.plain_text()`` was: title, body, fields and buttons, markdown undone."""
    lines: list[str] = []
    for embed in message.get("embeds") or []:
        lines += [embed.get("title") or "", embed.get("description") or ""]
        lines += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
    if message.get("content"):
        lines.insert(0, message["content"].removeprefix("⚠️ "))
    labels = [c.get("label", "") for row in message.get("components") or [] for c in row.get("components", [])]
    if labels:
        lines.append("  ".join(f"[{label}]" for label in labels))
    text = "\n".join(line for line in lines if line).replace("**", "")
    text = re.sub(r"<@!?(\d+)>", lambda m: "@" + names.get(m[1], m[1]), text)
    return re.sub(r"\\(.)", r"\1", text)
