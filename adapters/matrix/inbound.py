"""Matrix room events as Warroom's inbound events.

Pure translation, no I/O: what the sync loop hands the core. Only what the
core can act on becomes an event — ``m.text`` messages (commands and chat to
capture), the approve/reject and key-event reactions, and people joining —
and never anything the bot itself sent.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from nio import Event, MatrixRoom, ReactionEvent, RoomMemberEvent, RoomMessageText
from warroom.adapters.matrix.render import PLATFORM
from warroom.core.adapter import (
    ConversationRef,
    InboundEvent,
    MemberJoined,
    MessageReceived,
    MessageRef,
    ReactionAdded,
    UserRef,
)

APPROVE, REJECT = "✅", "❌"
KEY_MARK = "📌"
"""What a reaction with the configured ``key_reaction`` is handed to the core as."""

_PILL = re.compile(r'<a\s+href="https://matrix\.to/#/([^"?]+)(?:\?[^"]*)?"\s*>(.*?)</a>', re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_USER_ID = re.compile(r"(?<![\w@])@([^\s:@<>\"']+:[A-Za-z0-9.\-]*[A-Za-z0-9](?::\d+)?)")
_WORD = re.compile(r"(?<![\w@])@([A-Za-z0-9][\w.\-]*)(?![\w.\-:])")
_REPLY_FALLBACK = re.compile(r"<mx-reply>.*?</mx-reply>", re.DOTALL)
_VARIATION = "\ufe0f"


@dataclass(frozen=True, slots=True)
class Translated:
    event: InboundEvent
    thread_root: str | None = None  # replies to it belong in this thread


class Translator:
    def __init__(self, own_user_id: str, key_reaction: str) -> None:
        self._me = own_user_id
        self._key = key_reaction.replace(_VARIATION, "")

    def translate(self, room: MatrixRoom, event: Event) -> Translated | None:
        if event.sender == self._me:
            return None
        if isinstance(event, RoomMessageText):
            return self._message(room, event)
        if isinstance(event, ReactionEvent):
            return self._reaction(room, event)
        if isinstance(event, RoomMemberEvent):
            return self._member(room, event)
        return None

    def _message(self, room: MatrixRoom, event: RoomMessageText) -> Translated | None:
        content: dict[str, Any] = event.source.get("content", {})
        relation = content.get("m.relates_to") or {}
        if not isinstance(relation, dict) or relation.get("rel_type") == "m.replace":
            return None  # an edit corrects a message already handled; re-running a command would be wrong
        body = event.body
        if "m.in_reply_to" in relation:
            body = _strip_reply_fallback(body)
        formatted = event.formatted_body if event.format == "org.matrix.custom.html" else None
        text, mentions = _mentions(room, body, formatted)
        thread_root = relation.get("event_id") if relation.get("rel_type") == "m.thread" else None
        conversation = _conversation(room)
        received = MessageReceived(
            event_id=event.event_id,
            conversation=conversation,
            user=_user(room, event.sender),
            at=_at(event),
            text=text,
            mentions=mentions,
            message=MessageRef(conversation, event.event_id),
        )
        return Translated(received, thread_root if isinstance(thread_root, str) else None)

    def _reaction(self, room: MatrixRoom, event: ReactionEvent) -> Translated | None:
        key = event.key.replace(_VARIATION, "")
        if key in (APPROVE, REJECT):
            emoji = key
        elif key == self._key:
            emoji = KEY_MARK
        else:
            return None
        conversation = _conversation(room)
        reaction = ReactionAdded(
            event_id=event.event_id,
            conversation=conversation,
            user=_user(room, event.sender),
            at=_at(event),
            message=MessageRef(conversation, event.reacts_to),
            emoji=emoji,
        )
        return Translated(reaction)

    def _member(self, room: MatrixRoom, event: RoomMemberEvent) -> Translated | None:
        if event.membership != "join" or event.prev_membership == "join" or event.state_key == self._me:
            return None  # only arrivals: not profile changes, not the bot itself
        joined = MemberJoined(
            event_id=event.event_id,
            conversation=_conversation(room),
            user=_user(room, event.state_key),
            at=_at(event),
        )
        return Translated(joined)


def _conversation(room: MatrixRoom) -> ConversationRef:
    return ConversationRef(PLATFORM, room.room_id, room.name or room.display_name or room.room_id)


def _user(room: MatrixRoom, user_id: str, label: str = "") -> UserRef:
    """The person, named as the room knows them, else as the pill showed them, else by their localpart."""
    member = room.users.get(user_id)
    display = member.display_name if member is not None and member.display_name else ""
    return UserRef(PLATFORM, user_id, display or label or user_id[1:].split(":", 1)[0])


def _at(event: Event) -> datetime:
    return datetime.fromtimestamp(event.server_timestamp / 1000, UTC)


def _strip_reply_fallback(body: str) -> str:
    """Drop the ``> quoted`` lines older clients put before a reply's own text."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith(">"):
        return body
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index < len(lines) and not lines[index].strip():
        index += 1
    return "\n".join(lines[index:])


def _mentions(room: MatrixRoom, body: str, formatted: str | None) -> tuple[str, dict[str, UserRef]]:
    """The text with every person written as ``@user:server``, and who each ``@`` token names.

    Clients show a pill but put only the display name in ``body``; the pill's
    link in ``formatted_body`` says who it is. Typed user ids count as they
    are, and a bare ``@name`` counts when exactly one member of the room has
    that name.
    """
    mentions: dict[str, UserRef] = {}
    labels: dict[str, str] = {}
    if formatted:
        formatted = _REPLY_FALLBACK.sub("", formatted)
        for link, label in _PILL.findall(formatted):
            user_id = unquote(html.unescape(link))
            if not user_id.startswith("@"):
                continue  # a link to a room or an event, not a person
            name = html.unescape(_TAG.sub("", label)).strip().removeprefix("@")
            labels[user_id[1:]] = name
            if not name or user_id in body:
                continue
            for candidate in (f"@{name}", name):
                pattern = re.compile(rf"(?<![\w@]){re.escape(candidate)}(?!\w)")
                body, replaced = pattern.subn(user_id.replace("\\", "\\\\"), body, count=1)
                if replaced:
                    break
    for found in _USER_ID.findall(body):
        user_id = found.rstrip(".")
        mentions[user_id] = _user(room, f"@{user_id}", labels.get(user_id, ""))
    for word in _WORD.findall(body):
        if word in mentions:
            continue
        found = _member_named(room, word)
        if found is not None:
            mentions[word] = _user(room, found)
    return body, mentions


def _member_named(room: MatrixRoom, word: str) -> str | None:
    wanted = word.lower()
    matches = {
        user_id
        for user_id, member in room.users.items()
        if user_id[1:].split(":", 1)[0].lower() == wanted or (member.display_name or "").lower() == wanted
    }
    return matches.pop() if len(matches) == 1 else None
