"""The ``adapters.matrix`` section of warroom.yaml, checked before anything connects.

Credentials come from ``${VAR}`` references; a section that could only run
open or leak a password (no credentials, plain HTTP to another host) is
refused at load time with the offending key named.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, model_validator

_USER_ID = re.compile(r"@[^:\s]+:[^\s]+")
_ROOM_ID = re.compile(r"![^\s]+")
_SERVER = re.compile(r":?[A-Za-z0-9.-]+(:\d+)?")


def _user_id(value: str) -> str:
    if not _USER_ID.fullmatch(value):
        raise ValueError(f"must be a Matrix user id like @warroom:example.org, not “{value}”")
    return value


def _room_id(value: str) -> str:
    if not _ROOM_ID.fullmatch(value):
        raise ValueError(f"must be a room id like !abc123:example.org, not “{value}”")
    return value


def _inviter(value: str) -> str:
    if not (_USER_ID.fullmatch(value) or _SERVER.fullmatch(value)):
        raise ValueError(f"must be a user id (@ops:example.org) or a server name (example.org), not “{value}”")
    return value


def _prefix(value: str) -> str:
    if not value or any(c.isspace() for c in value):
        raise ValueError("must be one word, like !incident")
    if value.startswith("/"):
        raise ValueError("must not start with “/”: Element treats /words as its own commands (use !incident)")
    return value


UserId = Annotated[str, AfterValidator(_user_id)]


class MatrixSettings(BaseModel):
    """How Warroom logs in to Matrix and how it opens incident rooms."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    homeserver: str = Field(description="client-server API base URL, e.g. https://matrix.example.org")
    user_id: UserId = Field(description="the bot's full user id, e.g. @warroom:example.org")
    password: SecretStr | None = Field(default=None, description="logs in once; the session is then reused")
    access_token: SecretStr | None = Field(default=None, description="instead of a password")
    device_id: str | None = Field(default=None, description="the access token's device (else asked from the server)")
    device_name: str = Field(default="Warroom", description="shown in the account's session list")
    store_path: Path | None = Field(default=None, description="end-to-end encryption store; needs matrix-nio[e2e]")
    command_prefix: Annotated[str, AfterValidator(_prefix)] = Field(
        default="!incident", description="what people type; must also be in commands.prefixes"
    )
    incident_rooms: Literal["public", "private"] = Field(
        default="public", description="public: joinable and listed in the room directory; private incidents never are"
    )
    space_id: Annotated[str, AfterValidator(_room_id)] | None = Field(
        default=None, description="a space every incident room is added to"
    )
    invite: tuple[UserId, ...] = Field(default=(), description="always invited to incident rooms (e.g. the on-call)")
    accept_invites_from: tuple[Annotated[str, AfterValidator(_inviter)], ...] = Field(
        default=(), description="whose room invites the bot accepts; empty: anyone on the bot's own server"
    )
    key_reaction: str = Field(default="📌", min_length=1, description="reacting with this marks a key event")
    encrypt_incident_rooms: bool = Field(default=False, description="turn on encryption in new rooms (store_path)")
    max_limit_exceeded: int = Field(default=5, ge=0, description="429 answers tolerated per request")
    max_timeouts: int = Field(default=5, ge=0, description="timeouts tolerated per request")
    request_timeout: float = Field(default=30, gt=0, description="seconds per request (syncs add their own wait)")
    send_retries: int = Field(default=3, ge=0, description="resends of a failed message (same transaction id)")
    sync_timeout: int = Field(default=30_000, ge=0, description="long-poll wait of each sync, milliseconds")
    timeline_limit: int = Field(default=50, ge=1, description="events per room per sync; gaps are backfilled")
    backoff_initial: float = Field(default=1.0, gt=0, description="first wait before reconnecting, seconds")
    backoff_max: float = Field(default=60.0, gt=0, description="longest wait between reconnects, seconds")
    allow_insecure_http: bool = Field(default=False, description="permit http:// to a host other than this one")

    @model_validator(mode="after")
    def _safe(self) -> MatrixSettings:
        """Checks across options; the config loader reports them under ``adapters.matrix``."""
        if self.password is None and self.access_token is None:
            raise ValueError("set password or access_token (e.g. password: ${MATRIX_PASSWORD})")
        for name, secret in (("password", self.password), ("access_token", self.access_token)):
            if secret is not None and not secret.get_secret_value().strip():
                raise ValueError(f"{name} is empty (is its environment variable set?)")
        url = urlsplit(self.homeserver)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"homeserver must be an http(s) URL, not “{self.homeserver}”")
        if url.scheme == "http" and not _loopback(url.hostname) and not self.allow_insecure_http:
            raise ValueError(
                "homeserver uses plain http to another host, which would expose the credentials; "
                "use https (or set allow_insecure_http: true on a trusted network)"
            )
        if self.encrypt_incident_rooms and self.store_path is None:
            raise ValueError("encrypt_incident_rooms needs store_path")
        if self.backoff_max < self.backoff_initial:
            raise ValueError("backoff_max must be at least backoff_initial")
        return self

    @property
    def server_name(self) -> str:
        return self.user_id.split(":", 1)[1]

    def accepts_invite_from(self, user_id: str) -> bool:
        allowed = self.accept_invites_from or (self.server_name,)
        server = user_id.split(":", 1)[1] if ":" in user_id else ""
        return any(user_id == entry or server == entry.removeprefix(":") for entry in allowed)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
