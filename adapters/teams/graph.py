"""Creating an incident channel through Microsoft Graph.

The Bot Framework cannot create channels; Graph can, with the application
permission ``Channel.Create`` (or, per team, the resource-specific consent
permission ``Channel.Create.Group`` in the app manifest), granted by an admin.
``POST /teams/{team-id}/channels`` creates it; a private channel also needs
its first owner, here the person who declared the incident.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from warroom.adapters.teams.retry import with_retries

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
_NAME_MAX = 50
_DESCRIPTION_MAX = 1024
_FORBIDDEN = re.compile(r"[~#%&*{}+/\\:<>?|'\"]|^[_.]+|\.+$")

TokenSource = Callable[[], Awaitable[str]]


class GraphError(RuntimeError):
    """Graph refused; the message says what to grant or fix."""


@dataclass(frozen=True, slots=True)
class CreatedChannel:
    id: str
    name: str


class Graph:
    def __init__(self, base_url: str, team_id: str, token: TokenSource, session: aiohttp.ClientSession) -> None:
        self._url = f"{base_url.rstrip('/')}/teams/{team_id}/channels"
        self._token = token
        self._session = session

    async def create_channel(self, name: str, description: str, owner_aad_id: str | None) -> CreatedChannel:
        """A standard channel, or a private one owned by ``owner_aad_id`` (which a private channel requires)."""
        body: dict[str, Any] = {
            "displayName": channel_name(name),
            "description": description[:_DESCRIPTION_MAX],
            "membershipType": "private" if owner_aad_id else "standard",
        }
        if owner_aad_id:
            body["members"] = [
                {
                    "@odata.type": "#microsoft.graph.aadUserConversationMember",
                    "user@odata.bind": f"https://graph.microsoft.com/v1.0/users('{owner_aad_id}')",
                    "roles": ["owner"],
                }
            ]
        created = await with_retries(lambda: self._post(body), "creating a Teams channel through Graph")
        return CreatedChannel(str(created["id"]), str(created.get("displayName") or body["displayName"]))

    async def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {await self._token()}"}
        async with self._session.post(self._url, json=body, headers=headers) as response:
            if response.status in (200, 201):
                data: dict[str, Any] = await response.json()
                return data
            text = await response.text()
            if response.status in (401, 403):
                raise GraphError(
                    f"Graph refused to create the channel ({response.status}): grant the app Channel.Create "
                    f"(or Channel.Create.Group by resource-specific consent) and admin-consent it. {text[:200]}"
                )
            if response.status in (412, 429, 502, 504):
                raise aiohttp.ClientResponseError(
                    response.request_info, response.history, status=response.status, headers=response.headers
                )
            raise GraphError(f"Graph could not create the channel ({response.status}): {text[:300]}")


def channel_name(name: str) -> str:
    """A display name Teams accepts: at most 50 characters, none of ~#%&*{}+/\\:<>?|'\" ."""
    cleaned = _FORBIDDEN.sub("", name).strip()
    return cleaned[:_NAME_MAX].rstrip(" .") or "incident"
