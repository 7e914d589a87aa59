"""Getting connected: the client, logging in with backoff, the connection's health, the slash command push.

discord.py reconnects an established session by itself; before that, login is
retried here while Discord cannot be reached. Discord's bulk overwrite of
commands replaces every command of the application in that scope and counts
against a daily limit (200 creations), so the definition's digest is kept in
the adapter's state and compared before pushing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime
from typing import Any

import aiohttp
import discord
from warroom.adapters.discord.settings import DiscordSettings
from warroom.adapters.discord.slash import SlashCommands
from warroom.core.adapter import AdapterState, ConfigError

log = logging.getLogger(__name__)

COMMANDS_DIGEST = "commands_digest"
LOGIN_BACKOFF = (1.0, 60.0)  # first and longest wait between attempts to reach Discord at start
Handler = Callable[..., Coroutine[Any, Any, None]]


class Health:
    """The connection's state as logs and the health endpoint tell it."""

    def __init__(self) -> None:
        self.state = "stopped"
        self.since = _now()
        self.reconnects = 0
        self.backfilled = 0
        self.last_error: str | None = None

    def set(self, state: str, *, error: str | None = None) -> None:
        self.state, self.since = state, _now()
        if error is not None:
            self.last_error = error

    def report(self, client: discord.Client | None) -> dict[str, Any]:
        """Everything but the state itself, which the adapter's health report carries."""
        latency = client.latency if client is not None else math.nan
        return {
            "since": self.since,
            "reconnects": self.reconnects,
            "backfilled": self.backfilled,
            "last_error": self.last_error,
            "latency_ms": round(latency * 1000) if math.isfinite(latency) else None,
            "guilds": len(client.guilds) if client is not None else 0,
        }


def new_client(settings: DiscordSettings, handlers: Mapping[str, Handler]) -> discord.Client:
    """A client with only the intents Warroom needs, mentions off for every message, ``handlers`` as its events."""
    intents = discord.Intents.none()
    intents.guilds = intents.guild_messages = intents.guild_reactions = True
    intents.message_content = settings.message_content_intent
    options: dict[str, Any] = {
        "intents": intents,
        "allowed_mentions": discord.AllowedMentions.none(),
        "application_id": settings.application_id,
        "guild_ready_timeout": settings.guild_ready_timeout,
    }
    shards = settings.shard_count
    client = discord.AutoShardedClient(shard_count=shards, **options) if shards else discord.Client(**options)
    for name, handler in handlers.items():
        setattr(client, name, handler)  # what @client.event does, under the event's own name
    return client


async def login(
    settings: DiscordSettings, make_client: Callable[[], discord.Client], health: Health, stopping: asyncio.Event
) -> discord.Client | None:
    """A logged-in client, retrying with bounded backoff while Discord cannot be reached; None once stopping."""
    delay, longest = LOGIN_BACKOFF
    while not stopping.is_set():
        client = make_client()
        health.set("logging in")
        try:
            await client.login(settings.token.get_secret_value())
        except discord.LoginFailure:
            await client.close()
            raise ConfigError([f"adapters.discord.token: {_TOKEN_REJECTED.format(why='401 on login')}"]) from None
        except (OSError, aiohttp.ClientError, discord.DiscordServerError) as error:
            await client.close()
            health.set("unreachable", error=str(error) or type(error).__name__)
            log.warning("cannot reach Discord (%s); trying again in %.0f s", error, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), delay)
            delay = min(delay * 2, longest)
            continue
        return client
    return None


_TOKEN_REJECTED = (
    "Discord rejected this token ({why}) — reset it in the Developer Portal (Bot tab) and update the config"
)
# Gateway close codes Discord documents as "do not reconnect": each is a setting to change, named here.
_REFUSALS = {
    4004: f"adapters.discord.token: {_TOKEN_REJECTED.format(why='4004, authentication failed')}",
    4010: "adapters.discord.shard_count: Discord refused the shard Warroom identified as (4010) — "
    "leave shard_count out, or set it to the number of shards Discord recommends",
    4011: "adapters.discord.shard_count: Discord requires sharding for a bot in this many servers (4011) — "
    "set shard_count (e.g. to 2)",
    4012: "adapters.discord: Discord refused the gateway API version (4012) — "
    "upgrade discord.py: pip install -U 'warroom[discord]'",
    4013: "adapters.discord.message_content_intent: Discord refused the intents Warroom asked for as invalid "
    "(4013) — turn the option off, or upgrade discord.py: pip install -U 'warroom[discord]'",
    4014: "adapters.discord.message_content_intent: Discord refused the Message Content intent (4014) — "
    "switch it on in the Developer Portal (your app → Bot → Privileged Gateway Intents), or set this option to false",
}


def refusal(error: discord.ClientException) -> ConfigError | None:
    """The setting to change when Discord closed the gateway for good; None for a close it may retry.

    discord.py stops reconnecting on these codes (4004, 4010–4014) and raises; without this they
    would end the adapter as a traceback that names no setting.
    """
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return ConfigError([_REFUSALS[4014]])
    if isinstance(error, discord.ConnectionClosed) and error.code in _REFUSALS:
        return ConfigError([_REFUSALS[error.code]])
    return None


async def sync_commands(
    client: discord.Client, slash: SlashCommands, settings: DiscordSettings, state: AdapterState
) -> None:
    """Push ``/incident`` when ``sync_commands`` is on and its definition changed since the last push."""
    guild_id = settings.guild_id
    app_id = client.application_id
    digest = slash.digest(f"{app_id}/{guild_id or 'global'}")
    if state.get(COMMANDS_DIGEST) == digest:
        log.info("the /%s slash command on Discord is up to date", slash.name)
        return
    if not settings.sync_commands:
        log.warning(
            "the /%s slash command changed since it was last pushed to Discord; "
            "set adapters.discord.sync_commands: true to push it",
            slash.name,
        )
        return
    assert app_id is not None  # known once logged in
    try:
        if guild_id is not None:
            await client.http.bulk_upsert_guild_commands(app_id, guild_id, [slash.definition])
        else:
            await client.http.bulk_upsert_global_commands(app_id, [slash.definition])
    except discord.HTTPException as error:
        log.error("pushing the /%s slash command to Discord failed: %s", slash.name, error)
        return
    await state.set(COMMANDS_DIGEST, digest)
    log.info("pushed the /%s slash command to Discord (%s)", slash.name, f"guild {guild_id}" if guild_id else "global")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
