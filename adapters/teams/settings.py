"""The ``adapters.teams`` section of ``warroom.yaml``, checked before anything listens.

Teams authenticates both ways with the bot's Entra app registration: inbound
requests carry a JWT for it, outbound calls need its token. Without the three
credentials Warroom would accept requests from anyone, so such a section is
refused at load time with the missing keys named. The only exception is
``anonymous_for_tests``, honoured only when the environment marks a test run.
"""

from __future__ import annotations

import os
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, model_validator

TEST_RUN_ENV = "WARROOM_TEST_RUN"
"""Set to ``1`` by Warroom's own test suite; only then may ``anonymous_for_tests`` be used."""

DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams/"
GRAPH_URL = "https://graph.microsoft.com/v1.0"
_PLACEHOLDER = re.compile(r"(?i)^(?:x+|changeme|change[-_ ]me|secret|placeholder|todo|none|null|<.*>|\$\{.*\})$")
_CHANNEL_ID = re.compile(r"19:[^\s;/]+@thread\.[a-z0-9]+")


def _channel_id(value: str) -> str:
    value = value.strip()
    if not _CHANNEL_ID.fullmatch(value):
        raise ValueError(
            f"must be a Teams channel id like 19:abc…@thread.tacv2 (from the channel's “Get link”), not “{value}”"
        )
    return value


def _path(value: str) -> str:
    if not value.startswith("/") or any(c.isspace() for c in value):
        raise ValueError("must be a URL path starting with /, like /api/messages")
    return value


def _prefix(value: str) -> str:
    if value[:1] not in ("/", "!") or len(value) < 2 or any(c.isspace() for c in value):
        raise ValueError("must be one word starting with / or !, like /incident (and be listed in commands.prefixes)")
    return value


def _url(value: str) -> str:
    value = value.strip()
    if not value.startswith(("https://", "http://")):
        raise ValueError(f"must be an http(s) URL, not “{value}”")
    return value


ChannelId = Annotated[str, AfterValidator(_channel_id)]
Url = Annotated[str, AfterValidator(_url)]


class GraphSettings(BaseModel):
    """Microsoft Graph access for creating a channel per incident; credentials default to the bot's own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    client_id: str = Field(default="", description="app registration with Channel.Create (default: the bot's)")
    client_secret: SecretStr | None = Field(default=None, description="its secret (default: the bot's)")
    tenant_id: str = Field(default="", description="its tenant (default: the bot's)")
    base_url: Url = Field(default=GRAPH_URL, description="Graph endpoint; change only for a national cloud")


class TeamsSettings(BaseModel):
    """How Warroom answers Teams on its HTTP endpoint and where it opens incident threads or channels."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    client_id: str = Field(default="", description="the bot's Microsoft App ID (Entra app registration)")
    client_secret: SecretStr | None = Field(default=None, description="a client secret of that app; ${VAR}")
    tenant_id: str = Field(default="", description="the Entra tenant (directory) id of that app")
    anonymous_for_tests: bool = Field(
        default=False, description=f"no authentication at all; refused unless {TEST_RUN_ENV}=1 (test suites only)"
    )
    incidents_channel: ChannelId = Field(description="the channel where each incident gets a new thread")
    team_id: str = Field(default="", description="the team's group id (a GUID); needed with graph")
    service_url: Url = Field(
        default=DEFAULT_SERVICE_URL, description="Bot Connector URL used before Teams has told us its regional one"
    )
    graph: GraphSettings | None = Field(default=None, description="set to create a channel per incident via Graph")
    host: str = Field(default="127.0.0.1", min_length=1, description="address the endpoint listens on")
    port: int = Field(default=3978, ge=0, le=65535, description="port the endpoint listens on (0: any free one)")
    path: Annotated[str, AfterValidator(_path)] = Field(default="/api/messages", description="the messaging endpoint")
    command_prefix: Annotated[str, AfterValidator(_prefix)] = Field(
        default="/incident", description="“@Warroom incident …” is handed over as this; must be in commands.prefixes"
    )
    bot_name: str = Field(
        default="Warroom", min_length=1, description="the bot's name in Teams, as command hints mention it"
    )
    key_reaction: str = Field(
        default="1f4cc_pushpin", min_length=1, description="Teams reaction id that marks a key event (📌)"
    )
    invoke_wait_seconds: float = Field(
        default=5.0, ge=0.5, le=10.0, description="how long a card button waits for the updated card (Teams: 15 s)"
    )

    @model_validator(mode="after")
    def _credentials(self) -> TeamsSettings:
        if self.graph is not None and not self.team_id.strip():
            raise ValueError("team_id is required with graph: the team's group id (groupId=… in the team's link)")
        if self.anonymous_for_tests:
            if os.environ.get(TEST_RUN_ENV) != "1":
                raise ValueError(
                    "anonymous_for_tests turns off request authentication and is only for Warroom's test suite; "
                    "remove it and set client_id, client_secret and tenant_id from the bot's app registration"
                )
            return self
        values = {"client_id": self.client_id, "client_secret": self.client_secret_value(), "tenant_id": self.tenant_id}
        missing = [key for key, value in values.items() if not value.strip() or _PLACEHOLDER.match(value.strip())]
        if missing:
            raise ValueError(
                f"missing {', '.join(missing)}: Teams never runs without the bot's credentials "
                "(Azure Bot → Configuration: Microsoft App ID, a client secret, the App Tenant ID), "
                "e.g. client_secret: ${TEAMS_CLIENT_SECRET}"
            )
        return self

    def command_form(self) -> str:
        """How people type a command in Teams, before its words: ``@Warroom incident``."""
        return f"@{self.bot_name} {self.command_prefix[1:]}"

    def client_secret_value(self) -> str:
        return self.client_secret.get_secret_value() if self.client_secret else ""

    def graph_credentials(self) -> tuple[str, str, str]:
        """Graph's (client id, secret, tenant), each falling back to the bot's own."""
        graph = self.graph or GraphSettings()
        secret = graph.client_secret or self.client_secret
        return (
            graph.client_id or self.client_id,
            secret.get_secret_value() if secret else "",
            graph.tenant_id or self.tenant_id,
        )
