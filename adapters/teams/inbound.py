"""Teams activities as Warroom's inbound events.

Pure translation of Bot Framework JSON, no I/O. Event ids are
``<conversation id>:<activity id>``: Teams redelivers an activity with the same
id, so the core's deduplication makes a retry land once. ``<at>`` mentions of
people become single-word ``@tokens`` mapped to their Teams ids, and
``@Warroom incident …`` (the bot's own mention already removed by the SDK;
no mention needed in a one-to-one chat) becomes the core's command prefix.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Container
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from warroom.adapters.teams.render import PLATFORM
from warroom.core.adapter import ButtonPressed, ConversationRef, MessageReceived, MessageRef, ReactionAdded, UserRef

APPROVE, REJECT, KEY_MARK = "✅", "❌", "📌"
"""The reactions the core acts on; the configured ``key_reaction`` is handed over as 📌."""

_CLASSIC = {"like": "👍", "heart": "❤️", "laugh": "😆", "surprised": "😮", "sad": "😢", "angry": "😠"}
_CODEPOINTS = re.compile(r"((?:[0-9a-f]{4,6})(?:-[0-9a-f]{4,6})*)_[a-z0-9_]+")
_BREAK = re.compile(r"(?i)<br\s*/?>|</p>|</div>")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_NOT_TOKEN = re.compile(r"[^\w.-]+")

Raw = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Translator:
    """Reads activities as Warroom events; ``channel_spaces`` are channels that are one incident space as a whole."""

    command_prefix: str
    key_reaction: str
    channel_spaces: Container[str] = frozenset()

    def conversation(self, raw: Raw) -> ConversationRef:
        """The space an activity belongs to: its thread, or its whole channel when that is an incident channel."""
        conversation = raw.get("conversation") or {}
        channel = _channel_id(raw)
        if channel and channel in self.channel_spaces:
            return ConversationRef(PLATFORM, channel, _channel_name(raw))
        return ConversationRef(PLATFORM, str(conversation.get("id", "")), str(conversation.get("name") or ""))

    def message(self, raw: Raw, *, addressed: bool) -> MessageReceived | None:
        """A chat message or a typed command; None for the bot's own and for empty ones."""
        user = _user(raw)
        if user is None or user.id == (raw.get("recipient") or {}).get("id"):
            return None
        conversation = self.conversation(raw)
        text, mentions = _mentions(raw, str(raw.get("text") or ""))
        text = _plain(text)
        if not text:
            return None
        return MessageReceived(
            event_id=_event_id(conversation, raw),
            conversation=conversation,
            user=user,
            at=timestamp(raw),
            text=self._command(text) if addressed else text,
            mentions=mentions,
            message=MessageRef(conversation, str(raw["id"])) if raw.get("id") else None,
        )

    def button(self, raw: Raw) -> ButtonPressed | None:
        """An ``Action.Execute`` on one of Warroom's cards."""
        action = (((raw.get("value") or {}).get("action") or {}).get("data") or {}).get("action")
        user = _user(raw)
        if not isinstance(action, str) or not action or user is None:
            return None
        conversation = self.conversation(raw)
        reply_to = raw.get("replyToId")
        return ButtonPressed(
            event_id=_event_id(conversation, raw),
            conversation=conversation,
            user=user,
            at=timestamp(raw),
            action=action,
            message=MessageRef(conversation, str(reply_to)) if reply_to else None,
        )

    def reactions(self, raw: Raw) -> list[ReactionAdded]:
        """Reactions the core acts on (approve, reject, key event) added to a message."""
        user, reply_to = _user(raw), raw.get("replyToId")
        if user is None or not reply_to:
            return []
        conversation = self.conversation(raw)
        found: list[ReactionAdded] = []
        for index, reaction in enumerate(raw.get("reactionsAdded") or []):
            emoji = self.emoji(str(reaction.get("type", "")))
            if emoji is None:
                continue
            event_id = _event_id(conversation, raw) + (f":{index}" if index else "")
            message = MessageRef(conversation, str(reply_to))
            found.append(ReactionAdded(event_id, conversation, user, timestamp(raw), message, emoji))
        return found

    def emoji(self, reaction: str) -> str | None:
        """A Teams reaction id (``like``, ``2705_whiteheavycheckmark``) as the emoji the core knows, if any."""
        if reaction == self.key_reaction:
            return KEY_MARK
        emoji = _CLASSIC.get(reaction) or reaction
        match = _CODEPOINTS.fullmatch(reaction)
        if match:
            emoji = "".join(chr(int(code, 16)) for code in match.group(1).split("-"))
        emoji = emoji.replace("\ufe0f", "")
        return emoji if emoji in (APPROVE, REJECT) else None

    def _command(self, text: str) -> str:
        """``incident …`` after the bot's mention is a command: hand it over with the core's prefix."""
        word = self.command_prefix[1:]
        match = re.match(rf"[/!]?{re.escape(word)}(?=\s|$)", text, re.IGNORECASE)
        return self.command_prefix + text[match.end() :] if match else text


def addresses_bot(raw: Raw) -> bool:
    """Whether the activity speaks to the bot: it @mentions it, or it is in a one-to-one chat with it."""
    if (raw.get("conversation") or {}).get("conversationType") == "personal":
        return True
    bot = (raw.get("recipient") or {}).get("id")
    return any(
        entity.get("type") == "mention" and (entity.get("mentioned") or {}).get("id") == bot
        for entity in raw.get("entities") or []
    )


def timestamp(raw: Raw) -> datetime:
    """When Teams says it happened (UTC); now if it did not say."""
    value = raw.get("timestamp")
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return datetime.now(UTC)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)


def _event_id(conversation: ConversationRef, raw: Raw) -> str:
    # An activity without an id cannot be recognised when redelivered; it still gets a unique one.
    activity_id = raw.get("id") or f"local-{uuid.uuid4().hex}"
    return f"{(raw.get('conversation') or {}).get('id', conversation.id)}:{activity_id}"


def _user(raw: Raw) -> UserRef | None:
    sender = raw.get("from") or {}
    if not sender.get("id"):
        return None
    return UserRef(PLATFORM, str(sender["id"]), str(sender.get("name") or ""))


def _channel_id(raw: Raw) -> str:
    return str(((raw.get("channelData") or {}).get("channel") or {}).get("id") or "")


def _channel_name(raw: Raw) -> str:
    return str(((raw.get("channelData") or {}).get("channel") or {}).get("name") or "")


def _mentions(raw: Raw, text: str) -> tuple[str, dict[str, UserRef]]:
    """Replace each person's ``<at>Name</at>`` by a one-word ``@token`` and say who each token is."""
    bot = (raw.get("recipient") or {}).get("id")
    found: dict[str, UserRef] = {}
    for entity in raw.get("entities") or []:
        mentioned = entity.get("mentioned") or {}
        if entity.get("type") != "mention" or not mentioned.get("id") or mentioned.get("id") == bot:
            continue
        user = UserRef(PLATFORM, str(mentioned["id"]), str(mentioned.get("name") or ""))
        token = _token(user, found)
        found[token] = user
        markup = str(entity.get("text") or f"<at>{user.display}</at>")
        text = text.replace(markup, "@" + token)
    return text, found


def _token(user: UserRef, taken: dict[str, UserRef]) -> str:
    base = _NOT_TOKEN.sub("_", user.display).strip("_.-") or "user"
    token, n = base, 1
    while token in taken and taken[token].id != user.id:
        n += 1
        token = f"{base}_{n}"
    return token


def _plain(text: str) -> str:
    """Teams' HTML-flavoured text as plain text: line breaks kept, markup dropped, entities decoded."""
    text = _TAG.sub("", _BREAK.sub("\n", text))
    return html.unescape(text).replace("\xa0", " ").strip()
