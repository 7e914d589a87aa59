"""The fake Discord's gateway: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, dispatches, RESUME.

One bot connection at a time. Every dispatch gets the session's next ``s``
and is kept, so a RESUME replays what the client missed; tests can also hold
dispatches back (as if the connection were lost) or replay from an earlier
``s`` (as Discord may, which is what the core's deduplication is for).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from tests.adapters.discord.fake import FakeDiscord

HEARTBEAT_MS = 41_250
EVERYTHING = str((1 << 50) - 1)  # every permission bit, as Discord sends them (a string)
MESSAGE_CONTENT = 1 << 15


@dataclass
class _Session:
    id: str
    shard: list[int] | None
    seq: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)


class Gateway:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.session: _Session | None = None
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.replayed: list[dict[str, Any]] = []  # frames sent again on RESUME
        self._out: asyncio.Queue[dict[str, Any] | None] | None = None
        self._ws: web.WebSocketResponse | None = None
        self._held = False
        self._replay_from: int | None = None
        self.privileged_intents = True  # False: refuse Message Content (close 4014), like an unticked portal switch
        self.refuse_identify: int | None = None  # close with this code on IDENTIFY (4004 bad token, 4010–4013)
        self.close_after_ready: int | None = None  # close with this code once READY was sent (a token reset later)

    @property
    def connected(self) -> bool:
        return self._out is not None

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        out: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._ws, self._out = ws, out
        writer = asyncio.create_task(self._write(ws, out))
        out.put_nowait({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_MS}, "s": None, "t": None})
        try:
            async for frame in ws:
                if frame.type is WSMsgType.TEXT:
                    await self._receive(ws, json.loads(frame.data), out)
        finally:
            if self._out is out:
                self._ws, self._out = None, None
            out.put_nowait(None)
            await writer
        return ws

    def dispatch(self, event: str, data: Any) -> None:
        """Send an event with the session's next ``s`` (kept for RESUME; held back while :meth:`hold` is on)."""
        session = self.session
        if session is None:
            raise AssertionError("nobody is connected to the gateway")
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.sent.append(frame)
        if self._out is not None and not self._held:
            self._out.put_nowait(frame)

    def hold(self) -> None:
        """Stop delivering dispatches, as when a connection silently dies; a RESUME gets them."""
        self._held = True

    def reconnect(self, *, replay_from: int | None = None) -> None:
        """Ask the client to reconnect (op 7); on RESUME, replay from ``replay_from`` instead of its ``seq``."""
        self._replay_from = replay_from
        if self._out is not None:
            self._out.put_nowait({"op": 7, "d": None, "s": None, "t": None})

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    async def _receive(
        self, ws: web.WebSocketResponse, payload: dict[str, Any], out: asyncio.Queue[dict[str, Any] | None]
    ) -> None:
        op, data = payload["op"], payload.get("d")
        if op == 1:
            out.put_nowait({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            self.identifies.append(data)
            if data.get("intents", 0) & MESSAGE_CONTENT and not self.privileged_intents:
                await ws.close(code=4014, message=b"Disallowed intent(s).")
                return
            if self.refuse_identify is not None:
                await ws.close(code=self.refuse_identify, message=b"Refused.")
                return
            self._held = False
            self.session = _Session(self.fake.snowflake(), data.get("shard"))
            self.dispatch("READY", self._ready())
            self.dispatch("GUILD_CREATE", guild_create(self.fake))
            if self.close_after_ready is not None:
                await asyncio.sleep(0.2)  # the bot is up and running by then
                await ws.close(code=self.close_after_ready, message=b"Authentication failed.")
        elif op == 6:
            self.resumes.append(data)
            self._resume(data, out)

    def _resume(self, data: dict[str, Any], out: asyncio.Queue[dict[str, Any] | None]) -> None:
        session = self.session
        if session is None or session.id != data["session_id"]:
            out.put_nowait({"op": 9, "d": False, "s": None, "t": None})
            return
        start = self._replay_from if self._replay_from is not None else data["seq"] + 1
        self._held, self._replay_from = False, None
        for frame in session.sent:
            if frame["s"] >= start:
                self.replayed.append(frame)
                out.put_nowait(frame)
        self.dispatch("RESUMED", {})

    def _ready(self) -> dict[str, Any]:
        assert self.session is not None
        ready = {
            "v": 10,
            "user": self.fake.bot,
            "session_id": self.session.id,
            "resume_gateway_url": self.fake.gateway_url,
            "guilds": [{"id": self.fake.guild_id, "unavailable": True}],
            "application": {"id": self.fake.app_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        if self.session.shard is not None:
            ready["shard"] = self.session.shard
        return ready

    @staticmethod
    async def _write(ws: web.WebSocketResponse, out: asyncio.Queue[dict[str, Any] | None]) -> None:
        while (frame := await out.get()) is not None:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.send_str(json.dumps(frame))


def guild_create(fake: FakeDiscord) -> dict[str, Any]:
    """The GUILD_CREATE payload: @everyone's role id is the guild's id, as on Discord."""
    everyone = {"id": fake.guild_id, "name": "@everyone", "permissions": EVERYTHING, "position": 0}
    everyone |= {"color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
    return {
        "id": fake.guild_id,
        "name": "Ops",
        "icon": None,
        "owner_id": fake.user("owner")["id"],
        "roles": [everyone],
        "channels": list(fake.channels.values()),
        "members": [fake.member(fake.bot)],
        "member_count": 2,
        "emojis": [],
        "stickers": [],
        "features": [],
        "threads": [],
        "presences": [],
        "voice_states": [],
        "large": False,
        "unavailable": False,
        "joined_at": iso(),
        "premium_tier": 0,
        "preferred_locale": "en-US",
    }


def iso() -> str:
    return datetime.now(UTC).isoformat()
