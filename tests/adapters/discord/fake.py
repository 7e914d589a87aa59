"""A local Discord: the REST routes and the gateway Warroom's adapter uses, on 127.0.0.1.

The real discord.py client connects to it (tests point ``discord.http.Route.BASE``
and ``DiscordWebSocket.DEFAULT_GATEWAY`` here). It keeps what a server would
(channels, messages, synced commands, interaction responses), records every
request, and lets tests play people: post messages, run slash commands, click
buttons, inject 429s and force gateway reconnects.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.adapters.discord.gateway import EVERYTHING, Gateway, iso

DISCORD_EPOCH_MS = 1_420_070_400_000
JSON = {"Content-Type": "application/json"}  # exactly: discord.py reads anything else as text

Handler = Callable[[re.Match[str], Any, dict[str, str]], Awaitable[tuple[int, Any]]]


@dataclass
class Request:
    method: str
    path: str
    body: Any
    query: dict[str, str]


@dataclass
class _Limit:
    method: str
    pattern: re.Pattern[str]
    times: int
    retry_after: float
    via: bool


@dataclass
class _Interaction:
    id: str
    channel_id: str
    original: str | None = None  # the "thinking…" message a deferral left, until a follow-up fills it
    followups: list[str] = field(default_factory=list)


class FakeDiscord:
    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._last_id = 0
        self.app_id = self.snowflake()
        self.guild_id = self.snowflake()
        self.bot = self._user("Warroom", bot=True)
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.requests: list[Request] = []
        self.commands: list[dict[str, Any]] = []
        self.callbacks: list[dict[str, Any]] = []
        self.interactions: dict[str, _Interaction] = {}  # by token
        self.limits: list[_Limit] = []
        self.token: str | None = None  # when set, logging in with another token gets 401
        self.category_id = self._channel("Incidents", kind=4)["id"]
        self.general_id = self._channel("general")["id"]
        self.gateway = Gateway(self)
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._route("GET", r"/users/@me", self._me)
        self._route("GET", r"/oauth2/applications/@me", self._application)
        self._route("GET", r"/users/(\d+)", self._user_by_id)
        self._route("GET", r"/gateway(/bot)?", self._gateway_url)
        self._route("PUT", r"/applications/(\d+)(/guilds/\d+)?/commands", self._sync)
        self._route("POST", r"/channels/(\d+)/messages", self._create_message)
        self._route("PATCH", r"/channels/(\d+)/messages/(\d+)", self._edit_message)
        self._route("GET", r"/channels/(\d+)/messages", self._history)
        self._route("POST", r"/guilds/(\d+)/channels", self._create_channel)
        self._route("PUT", r"/channels/(\d+)/permissions/(\d+)", self._set_overwrite)
        self._route("POST", r"/interactions/(\d+)/([\w.-]+)/callback", self._callback)
        self._route("POST", r"/webhooks/(\d+)/([\w.-]+)", self._followup)
        self._route("PATCH", r"/webhooks/(\d+)/([\w.-]+)/messages/(\d+|@original)", self._edit_followup)
        self._route("DELETE", r"/webhooks/(\d+)/([\w.-]+)/messages/@original", self._delete_original)

    # --- running -------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # --- what tests do -------------------------------------------------------------------------

    def snowflake(self) -> str:
        """A new id, increasing and carrying the current time like Discord's."""
        now = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(self._ids) & 0xFFF)
        self._last_id = max(now, self._last_id + 1)
        return str(self._last_id)

    def user(self, name: str) -> dict[str, Any]:
        if name.lower() not in self.users:
            self.users[name.lower()] = self._user(name)
        return self.users[name.lower()]

    def member(self, user: dict[str, Any]) -> dict[str, Any]:
        return {"user": user, "roles": [], "joined_at": iso(), "nick": None, "deaf": False, "mute": False, "flags": 0}

    def message(
        self, channel_id: str, author: dict[str, Any], content: str, *, mentions: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """Store a message as Discord would (without telling the gateway); ``post`` also dispatches it."""
        message = {
            "id": self.snowflake(),
            "channel_id": channel_id,
            "guild_id": self.guild_id,
            "author": author,
            "content": content,
            "timestamp": iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": mentions or [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        if not author.get("bot"):
            message["member"] = self.member(author)
        self.messages.setdefault(channel_id, []).append(message)
        return message

    def post(self, channel_id: str, author: dict[str, Any], content: str, **options: Any) -> dict[str, Any]:
        message = self.message(channel_id, author, content, **options)
        self.gateway.dispatch("MESSAGE_CREATE", message)
        return message

    def interaction(self, kind: int, channel_id: str, user: dict[str, Any], data: dict[str, Any], **extra: Any) -> str:
        """Dispatch an INTERACTION_CREATE (2: slash command, 3: button, 4: autocomplete); returns its id."""
        interaction_id, token = self.snowflake(), f"tok-{self.snowflake()}"
        self.interactions[token] = _Interaction(interaction_id, channel_id)
        self.gateway.dispatch(
            "INTERACTION_CREATE",
            {
                "id": interaction_id,
                "application_id": self.app_id,
                "type": kind,
                "data": data,
                "guild_id": self.guild_id,
                "channel_id": channel_id,
                "channel": self.channels[channel_id],
                "member": {**self.member(user), "permissions": EVERYTHING},
                "token": token,
                "version": 1,
                "app_permissions": EVERYTHING,
                "locale": "en-US",
                "guild_locale": "en-US",
                "entitlements": [],
                "authorizing_integration_owners": {"0": self.guild_id},
                "context": 0,
                "attachment_size_limit": 10 << 20,
                **extra,
            },
        )
        return interaction_id

    def rate_limit(
        self, method: str, path: str, *, times: int = 1, retry_after: float = 0.01, via: bool = True
    ) -> None:
        """Answer the next ``times`` matching requests with 429 (``via``: as Discord does, not Cloudflare)."""
        self.limits.append(_Limit(method, re.compile(path), times, retry_after, via))

    def bot_messages(self, channel_id: str) -> list[dict[str, Any]]:
        return [m for m in self.messages.get(channel_id, []) if m["author"]["id"] == self.bot["id"]]

    def requests_to(self, method: str, pattern: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and re.fullmatch(pattern, r.path)]

    # --- REST ----------------------------------------------------------------------------------

    def _route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(pattern), handler))

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        body = await request.json() if request.can_read_body else None
        self.requests.append(Request(request.method, path, body, dict(request.query)))
        if path == "/users/@me" and self.token and request.headers.get("Authorization") != f"Bot {self.token}":
            return web.Response(status=401, body=json.dumps({"message": "401: Unauthorized", "code": 0}), headers=JSON)
        for limit in self.limits:
            if limit.times > 0 and limit.method == request.method and limit.pattern.fullmatch(path):
                limit.times -= 1
                headers = {**JSON, "Retry-After": str(limit.retry_after), "X-RateLimit-Scope": "user"}
                if limit.via:
                    headers["Via"] = "1.1 google"
                payload = {"message": "You are being rate limited.", "retry_after": limit.retry_after, "global": False}
                return web.Response(status=429, body=json.dumps(payload), headers=headers)
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match and method == request.method:
                status, payload = await handler(match, body, dict(request.query))
                if payload is None:
                    return web.Response(status=status)
                return web.Response(status=status, body=json.dumps(payload), headers=JSON)
        return web.Response(status=404, body=json.dumps({"message": "Unknown route", "code": 0}), headers=JSON)

    async def _me(self, match: re.Match[str], body: Any, query: dict[str, str]) -> tuple[int, Any]:
        return 200, self.bot

    async def _user_by_id(self, match: re.Match[str], body: Any, query: dict[str, str]) -> tuple[int, Any]:
        found = next((user for user in self.users.values() if user["id"] == match[1]), None)
        return (200, found) if found else (404, {"message": "Unknown User", "code": 10013})

    async def _application(self, match: re.Match[str], body: Any, query: dict[str, str]) -> tuple[int, Any]:
        owner = self.user("owner")
        return 200, {
            "id": self.app_id,
            "name": "Warroom",
            "description": "",
            "icon": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": owner,
            "verify_key": "0" * 64,
            "flags": 0,
            "bot": self.bot,
        }

    async def _gateway_url(self, match: re.Match[str], body: Any, query: dict[str, str]) -> tuple[int, Any]:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return 200, {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}

    async def _sync(self, match: re.Match[str], body: Any, query: dict[str, str]) -> tuple[int, Any]:
        guild = match[2]
        self.commands = [
            {**command, "id": self.snowflake(), "application_id": self.app_id, "version": self.snowflake()}
            | ({"guild_id": self.guild_id} if guild else {})
            for command in body
        ]
        return 200, self.commands

    async def _create_message(self, match: re.Match[str], body: Any, query: dict[str, str]) -> tuple[int, Any]:
        channel_id = match[1]
        if channel_id not in self.channels:
            return 404, {"message": "Unknown Channel", "code": 10003}
        nonce = body.get("nonce")
        earlier = [m for m in self.bot_messages(channel_id) if nonce and m.get("nonce") == nonce]
        if earlier and body.get("enforce_nonce"):
            return 200, earlier[0]
        message = self.message(channel_id, self.bot, "")
        message.update(_sent_fields(body), nonce=nonce)
        self.gateway.dispatch("MESSAGE_CREATE", message)
        return 200, message

    async def _edit_message(self, match: re.Match[str], body: Any, query: dict[str, str]) -> tuple[int, Any]:
        message = self._find(match[1], match[2])
        if message is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        message.update(_sent_fields(body), edited_timestamp=iso())
        return 200, message

    async def _history(self, match: re.Match[str], body: Any, query: dict[str, str]) -> tuple[int, Any]:
        after, limit = int(query.get("after", "0")), int(query.get("limit", "50"))
        newer = [m for m in self.messages.get(match[1], []) if int(m["id"]) > after][:limit]
        return 200, list(reversed(newer))  # Discord lists newest first

    async def _create_channel(self, match: re.Match[str], body: Any, query: dict[str, str]) -> tuple[int, Any]:
        channel = self._channel(body["name"], kind=body.get("type", 0), parent=body.get("parent_id"))
        channel.update(topic=body.get("topic"), permission_overwrites=body.get("permission_overwrites", []))
        self.gateway.dispatch("CHANNEL_CREATE", channel)
        return 201, channel

    async def _set_overwrite(self, match: re.Match[str], body: Any, query: dict[str, str]) -> tuple[int, Any]:
        channel = self.channels.get(match[1])
        if channel is None:
            return 404, {"message": "Unknown Channel", "code": 10003}
        overwrite = {"id": match[2], "type": body["type"], "allow": body["allow"], "deny": body["deny"]}
        kept = [o for o in channel["permission_overwrites"] if str(o["id"]) != match[2]]
        channel["permission_overwrites"] = [*kept, overwrite]
        self.gateway.dispatch("CHANNEL_UPDATE", channel)
        return 204, None

    async def _callback(self, match: re.Match[str], body: Any, query: dict[str, str]) -> tuple[int, Any]:
        interaction = self.interactions.get(match[2])
        if interaction is None or interaction.id != match[1]:
            return 404, {"message": "Unknown interaction", "code": 10062}
        if any(c["interaction_id"] == interaction.id for c in self.callbacks):
            return 400, {"message": "Interaction has already been acknowledged.", "code": 40060}
        self.callbacks.append({"interaction_id": interaction.id, **body})
        response: dict[str, Any] = {"id": interaction.id, "type": body["type"]}
        if body["type"] == 5:  # deferred with "thinking…": Discord posts a loading message
            loading = self.message(interaction.channel_id, self.bot, "")
            loading["flags"] = 128
            interaction.original = loading["id"]
            response.update(response_message_id=loading["id"], response_message_loading=True)
        elif body["type"] == 4:
            sent = self.message(interaction.channel_id, self.bot, "")
            sent.update(_sent_fields(body.get("data", {})))
            response["response_message_id"] = sent["id"]
        return 200, {"interaction": response}

    async def _followup(self, match: re.Match[str], body: Any, query: dict[str, str]) -> tuple[int, Any]:
        interaction = self.interactions.get(match[2])
        if interaction is None:
            return 404, {"message": "Unknown Webhook", "code": 10015}
        original = self._find(interaction.channel_id, interaction.original or "")
        if original is not None and original["flags"] & 128:  # the first follow-up fills the loading message
            message = original
            message["flags"] = 0
        else:
            message = self.message(interaction.channel_id, self.bot, "")
        message.update(_sent_fields(body), webhook_id=self.app_id)
        interaction.followups.append(message["id"])
        return 200, message

    async def _edit_followup(self, match: re.Match[str], body: Any, query: dict[str, str]) -> tuple[int, Any]:
        interaction = self.interactions.get(match[2])
        message_id = match[3] if match[3] != "@original" else (interaction.original if interaction else None)
        message = self._find(interaction.channel_id, message_id or "") if interaction else None
        if message is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        message.update(_sent_fields(body), edited_timestamp=iso())
        return 200, message

    async def _delete_original(self, match: re.Match[str], body: Any, query: dict[str, str]) -> tuple[int, Any]:
        interaction = self.interactions.get(match[2])
        if interaction is None or interaction.original is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        messages = self.messages[interaction.channel_id]
        messages[:] = [m for m in messages if m["id"] != interaction.original]
        return 204, None

    # --- state ---------------------------------------------------------------------------------

    def _user(self, name: str, *, bot: bool = False) -> dict[str, Any]:
        user = {"id": self.snowflake(), "username": name.lower(), "global_name": name, "discriminator": "0"}
        return {**user, "avatar": None, "bot": bot, "public_flags": 0}

    def _channel(self, name: str, *, kind: int = 0, parent: str | None = None) -> dict[str, Any]:
        channel = {
            "id": self.snowflake(),
            "type": kind,
            "guild_id": self.guild_id,
            "name": name,
            "position": len(self.channels),
            "permission_overwrites": [],
            "parent_id": parent,
            "nsfw": False,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        self.channels[channel["id"]] = channel
        return channel

    def _find(self, channel_id: str, message_id: str) -> dict[str, Any] | None:
        return next((m for m in self.messages.get(channel_id, []) if m["id"] == message_id), None)


def _sent_fields(body: dict[str, Any]) -> dict[str, Any]:
    """What a send or edit sets on a message (discord.py sends only what changed, and None to clear)."""
    fields = {key: body[key] for key in ("content", "embeds", "components", "allowed_mentions") if key in body}
    if fields.get("content") is None and "content" in fields:
        fields["content"] = ""
    return fields
