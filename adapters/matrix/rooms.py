"""Incident rooms: created with the right visibility, the responders invited, filed in a space.

A public incident is a ``public_chat`` room published in the room directory,
so anyone on the server can find and join it; a private one is an
invite-only ``private_chat`` room that is never listed. People brought in
later (a role, ``invite``) are invited to either kind: on a public room the
invitation is what puts the room in front of them.
"""

from __future__ import annotations

import logging
from typing import Any

from nio import (
    AsyncClient,
    JoinResponse,
    RoomCreateResponse,
    RoomGetVisibilityResponse,
    RoomInviteResponse,
    RoomPreset,
    RoomPutStateResponse,
    RoomVisibility,
)
from warroom.adapters.matrix.render import PLATFORM
from warroom.adapters.matrix.settings import MatrixSettings
from warroom.core.adapter import ChannelSpec, ConversationRef

log = logging.getLogger(__name__)


class RoomError(RuntimeError):
    """The homeserver refused to create or change a room."""


class Rooms:
    def __init__(self, client: AsyncClient, settings: MatrixSettings) -> None:
        self._client = client
        self._settings = settings

    async def create(self, spec: ChannelSpec) -> ConversationRef:
        settings = self._settings
        private = spec.private or settings.incident_rooms == "private"
        invite = self._invitees(spec)
        initial_state: list[dict[str, Any]] = []
        if settings.space_id:
            initial_state.append(
                {
                    "type": "m.space.parent",
                    "state_key": settings.space_id,
                    "content": {"via": [settings.server_name], "canonical": True},
                }
            )
        if settings.encrypt_incident_rooms:
            initial_state.append(
                {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
            )
        response = await self._client.room_create(
            visibility=RoomVisibility.private if private else RoomVisibility.public,
            preset=RoomPreset.private_chat if private else RoomPreset.public_chat,
            name=spec.name,
            topic=spec.topic,
            invite=invite,
            initial_state=initial_state,
        )
        if not isinstance(response, RoomCreateResponse):
            raise RoomError(f"the homeserver did not create the room {spec.name}: {response}")
        room_id = str(response.room_id)
        log.info(
            "matrix: opened %s room %s (%s), invited %s",
            "private" if private else "public",
            spec.name,
            room_id,
            ", ".join(invite) or "nobody",
        )
        if not private:
            await self._check_listed(room_id)
        if settings.space_id:
            await self._add_to_space(settings.space_id, room_id)
        return ConversationRef(PLATFORM, room_id, spec.name)

    async def join(self, room_id: str, inviter: str) -> None:
        """Accept an invite (from someone ``accept_invites_from`` allows); a failure is logged, not raised."""
        try:
            response = await self._client.join(room_id)
        except Exception:
            log.exception("matrix: joining %s failed", room_id)
            return
        if isinstance(response, JoinResponse):
            log.info("matrix: joined %s, invited by %s", room_id, inviter)
        else:
            log.warning("matrix: could not join %s (invited by %s): %s", room_id, inviter, response)

    async def invite(self, room_id: str, user_id: str) -> None:
        """Invite ``user_id``; someone already in the room or invited is left alone."""
        room = self._client.rooms.get(room_id)
        if user_id == self._settings.user_id or (
            room is not None and (user_id in room.users or user_id in room.invited_users)
        ):
            return
        response = await self._client.room_invite(room_id, user_id)
        if isinstance(response, RoomInviteResponse):
            log.info("matrix: invited %s to %s", user_id, room_id)
        elif "already in the room" in str(getattr(response, "message", "")):
            log.info("matrix: %s is already in %s", user_id, room_id)
        else:
            raise RoomError(f"the homeserver did not invite {user_id} to {room_id}: {response}")

    def _invitees(self, spec: ChannelSpec) -> list[str]:
        found = [member.id for member in spec.members if member.platform == PLATFORM]
        found.extend(self._settings.invite)
        return [user for user in dict.fromkeys(found) if user != self._settings.user_id]

    async def _check_listed(self, room_id: str) -> None:
        """Servers create a public room even when their rules forbid listing it: say so, once per room."""
        response = await self._client.room_get_visibility(room_id)
        if isinstance(response, RoomGetVisibilityResponse) and response.visibility != "public":
            log.warning(
                "matrix: %s is public but not in the room directory: the homeserver's "
                "room_list_publication_rules do not let %s publish rooms",
                room_id,
                self._settings.user_id,
            )

    async def _add_to_space(self, space_id: str, room_id: str) -> None:
        """List the room in the space; the room stays usable if the bot may not change the space."""
        response = await self._client.room_put_state(
            space_id, "m.space.child", {"via": [self._settings.server_name]}, state_key=room_id
        )
        if not isinstance(response, RoomPutStateResponse):
            log.warning("matrix: could not add %s to the space %s: %s", room_id, space_id, response)
