"""The ``adapters.discord`` section of ``warroom.yaml``.

Validation happens when the config loads, so a missing or pasted-placeholder
token stops Warroom at start with ``adapters.discord.token: …`` instead of a
login failure deep in the gateway client.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, field_validator

_PLACEHOLDERS = re.compile(
    r"(?i)^(?:|x+|token|bot[-_ ]?token|changeme|change[-_ ]me|secret|placeholder|todo|none|null)$"
)
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{10,}$")
_COMMAND_NAME = re.compile(r"^[a-z0-9_-]{1,32}$")


def _snowflake(value: object) -> object:
    """IDs are written quoted in YAML (they exceed what some tools keep exact as numbers); accept both."""
    return value.strip() if isinstance(value, str) else value


Snowflake = Annotated[int, BeforeValidator(_snowflake), Field(gt=0)]


class DiscordSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    token: SecretStr = Field(description="the bot token (Developer Portal → Bot → Reset Token); use ${DISCORD_TOKEN}")
    application_id: Snowflake | None = Field(default=None, description="the application id; read at login if unset")
    guild_id: Snowflake | None = Field(
        default=None, description="the server Warroom serves; slash commands are synced there (global when unset)"
    )
    incident_category: str = Field(
        default="Incidents", min_length=1, description="category for incident channels: its name or id"
    )
    command_name: str = Field(default="incident", description="the slash command: /incident <subcommand> …")
    sync_commands: bool = Field(
        default=False, description="push the slash command definitions to Discord when they changed since last push"
    )
    message_content_intent: bool = Field(
        default=False,
        description="privileged intent: capture chat in incident channels and read typed !incident commands",
    )
    key_reaction: str = Field(default="📌", min_length=1, description="reacting with this marks a message as key")
    shard_count: int | None = Field(default=None, ge=1, description="run this many shards (large deployments)")
    guild_ready_timeout: float = Field(
        default=2.0, gt=0, le=60, description="seconds to wait for servers to stream in before the session is ready"
    )

    @field_validator("token")
    @classmethod
    def _real_token(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip()
        if _PLACEHOLDERS.match(token) or token.startswith(("<", "${", "your")):
            raise ValueError("is missing or a placeholder; set it to the bot token, e.g. token: ${DISCORD_TOKEN}")
        if token.lower().startswith("bot "):
            raise ValueError("must be the bare token, without the “Bot ” prefix")
        if not _TOKEN_SHAPE.match(token):
            raise ValueError(
                "does not look like a Discord bot token (three dot-separated parts); "
                "copy it from Developer Portal → your app → Bot → Reset Token"
            )
        return SecretStr(token)

    @field_validator("command_name")
    @classmethod
    def _slash_name(cls, value: str) -> str:
        if not _COMMAND_NAME.match(value):
            raise ValueError("must be 1-32 lowercase letters, digits, - or _ (Discord's rule for command names)")
        return value

    @field_validator("incident_category")
    @classmethod
    def _category(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must be the name or id of a category, e.g. Incidents")
        return value.strip()
