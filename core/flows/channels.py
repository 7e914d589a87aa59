"""Opening an incident's own channel, the first action of every incident, and letting people in later.

Channel creation is a network call on real platforms, so it runs after the
declaration is committed, and the binding is written by a second job.
A channel admits only who was there when it opened (on a private incident,
the declarer); :func:`invite_to_channels` brings in a person given a role or
invited later, on every platform where they have an identity.
"""

from __future__ import annotations

import logging
import re
from functools import partial

from warroom.core.adapter.protocol import ChannelSpec
from warroom.core.adapter.refs import ConversationRef, UserRef
from warroom.core.engine.transaction import Transaction
from warroom.core.engine.writer import Writer
from warroom.core.incident.render import declared_message
from warroom.core.storage import queries

log = logging.getLogger(__name__)


def channel_name(prefix: str, incident_id: int, title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40].rstrip("-")
    return f"{prefix}-{incident_id}" + (f"-{slug}" if slug else "")


def invite_to_channels(
    tx: Transaction, incident_id: int, person_id: int, *, present_in: ConversationRef | None = None
) -> list[ConversationRef]:
    """Queue invitations for ``person_id`` to each of the incident's channels on the platforms they use
    (after commit, where the platform can invite); ``present_in`` is a channel they are known to be in.
    Returns the channels an invitation was queued for."""
    users = tx.service.people.refs(person_id)
    invited = []
    for channel in queries.channels(tx.service.db, incident_id):
        if channel == present_in:
            continue
        if any([tx.invite(channel, user) for user in users if user.platform == channel.platform]):
            invited.append(channel)
    return invited


def channel_list(channels: list[ConversationRef]) -> str:
    """``#inc-1-a, #inc-1-b``: channels as people see them, for replies."""
    return ", ".join(f"#{channel.name or channel.id}" for channel in channels)


class ChannelOpener:
    def __init__(self, writer: Writer, channel_prefix: str) -> None:
        self._writer = writer
        self._prefix = channel_prefix

    async def open(self, incident_id: int, origin: ConversationRef, declared_by: UserRef) -> None:
        writer = self._writer
        incident = writer.service.get(incident_id)
        adapter = writer.adapter(origin.platform)
        channel: ConversationRef | None = None
        if adapter is not None and adapter.capabilities.create_channel:
            spec = ChannelSpec(
                name=channel_name(self._prefix, incident.id, incident.title),
                topic=f"{incident.reference}: {incident.title}",
                private=incident.private,
                members=(declared_by,),
                requested_in=origin,
            )
            try:
                channel = await adapter.create_channel(spec)
            except Exception:
                log.exception("opening a channel for %s failed", incident.reference)
        job = partial(self._bind, incident_id, channel, origin)
        await writer.submit(job, key=f"channel:{incident.reference}:{origin.platform}", reply_to=origin)

    @staticmethod
    def _bind(incident_id: int, channel: ConversationRef | None, origin: ConversationRef, tx: Transaction) -> None:
        service = tx.service
        incident = service.get(incident_id)
        name = ""
        if channel is not None:
            service.bind_channel(incident, channel, tx.at)
            name = channel.name or channel.id
            tx.reply(channel, declared_message(incident, service.config, name, intro=True))
        if channel != origin:
            tx.reply(origin, declared_message(incident, service.config, name, intro=False))
