"""Discord messages, reactions and interactions as the core's events.

Ids are Discord's own (message id, interaction id), so a gateway replay or a
backfill that overlaps what was already handled is recognised by the core.
Mention syntax (``<@123>``) becomes ``@username`` with the person in
``mentions``, which is how the core resolves people without knowing Discord.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import discord
from warroom.adapters.discord.render import PLATFORM
from warroom.adapters.discord.slash import Invocation, person_token
from warroom.core.adapter import (
    ButtonPressed,
    CommandInvoked,
    ConversationRef,
    MessageReceived,
    MessageRef,
    ReactionAdded,
    UserRef,
)

KEY = "📌"  # how the core is told "mark this as key", whatever emoji the server uses for it
CONFIRMATION_EMOJI = ("✅", "❌")
CHAT_TYPES = (discord.MessageType.default, discord.MessageType.reply)
_USER = re.compile(r"<@!?(\d+)>")
_PEOPLE = re.compile(r"(?:<@!?\d+>[\s,]*)+")
_ROLE = re.compile(r"<@&(\d+)>")
_CHANNEL = re.compile(r"<#(\d+)>")
_EMOJI = re.compile(r"<a?:(\w+):\d+>")

FindUser = Callable[[int], discord.abc.User | None]


def user_ref(user: discord.abc.User) -> UserRef:
    return UserRef(PLATFORM, str(user.id), user.display_name)


def conversation_ref(channel: Any) -> ConversationRef:
    return ConversationRef(PLATFORM, str(channel.id), str(getattr(channel, "name", None) or ""))


def message_event(message: discord.Message, find_user: FindUser) -> MessageReceived | None:
    """A chat message as the core sees it; None for what is not chat (system messages, empty text)."""
    if message.type not in CHAT_TYPES:
        return None
    known = {user.id: user for user in message.mentions}
    text, mentions = readable(message.content, message.guild, lambda uid: known.get(uid) or find_user(uid))
    files = [f"[attachment: {a.filename} {a.url}]" for a in message.attachments]
    text = "\n".join(part for part in (text, *files) if part)
    if not text.strip():
        return None
    conversation = conversation_ref(message.channel)
    return MessageReceived(
        event_id=str(message.id),
        conversation=conversation,
        user=user_ref(message.author),
        at=message.created_at,
        text=text,
        mentions=mentions,
        message=MessageRef(conversation, str(message.id)),
    )


def mentioned_ids(text: str) -> list[int]:
    return [int(found) for found in _USER.findall(text)]


def readable(text: str, guild: discord.Guild | None, find_user: FindUser) -> tuple[str, dict[str, UserRef]]:
    """``text`` with Discord's mention syntax written out, and the people it mentions by token."""
    mentions: dict[str, UserRef] = {}

    def user(match: re.Match[str]) -> str:
        found = find_user(int(match[1]))
        if found is None:
            mentions[match[1]] = UserRef(PLATFORM, match[1], match[1])
            return "@" + match[1]
        token = person_token(match[1], found.name)
        mentions[token] = user_ref(found)
        return "@" + token

    def role(match: re.Match[str]) -> str:
        found = guild.get_role(int(match[1])) if guild else None
        return "@" + (found.name if found else "role")

    def channel(match: re.Match[str]) -> str:
        found = guild.get_channel_or_thread(int(match[1])) if guild else None
        return "#" + (found.name if found else match[1])

    text = _USER.sub(user, text)
    text = _ROLE.sub(role, text)
    text = _CHANNEL.sub(channel, text)
    return _EMOJI.sub(r":\1:", text), mentions


def command_event(
    interaction: discord.Interaction, invocation: Invocation, prefix: str, find_user: FindUser
) -> CommandInvoked | MessageReceived:
    """A slash command; ``/incident more`` carries chat-style text, so it reads like a typed command."""
    conversation = conversation_ref(interaction.channel)
    who, at, event_id = user_ref(interaction.user), interaction.created_at, str(interaction.id)
    if invocation.argv:
        # A text option made only of people (``invite``'s further people) is read as mentions; other
        # text options keep what was typed, as before.
        mentions = dict(invocation.mentions)
        argv = []
        for word in invocation.argv:
            written, found = readable(word, interaction.guild, find_user) if _PEOPLE.fullmatch(word) else (word, {})
            argv.append(written)
            mentions.update(found)
        return CommandInvoked(event_id, conversation, who, at, argv=tuple(argv), mentions=mentions)
    text, mentions = readable(invocation.text.strip(), interaction.guild, find_user)
    text = text if text.lower().startswith(prefix.lower() + " ") else f"{prefix} {text}"
    return MessageReceived(event_id, conversation, who, at, text=text, mentions={**invocation.mentions, **mentions})


def button_event(interaction: discord.Interaction, action: str) -> ButtonPressed:
    conversation = conversation_ref(interaction.channel)
    message = MessageRef(conversation, str(interaction.message.id)) if interaction.message else None
    return ButtonPressed(
        str(interaction.id), conversation, user_ref(interaction.user), interaction.created_at, action, message
    )


def reaction_event(payload: discord.RawReactionActionEvent, channel: Any, key_reaction: str) -> ReactionAdded | None:
    """A confirmation answer or a key marker; None for other reactions, which mean nothing to Warroom."""
    emoji = str(payload.emoji)
    if emoji == key_reaction:
        emoji = KEY
    elif emoji not in CONFIRMATION_EMOJI:
        return None
    member = payload.member
    who = user_ref(member) if member else UserRef(PLATFORM, str(payload.user_id), str(payload.user_id))
    conversation = conversation_ref(channel)
    return ReactionAdded(
        event_id=f"reaction:{payload.message_id}:{payload.user_id}:{emoji}",
        conversation=conversation,
        user=who,
        at=datetime.now(UTC),  # Discord does not say when a reaction was added
        message=MessageRef(conversation, str(payload.message_id)),
        emoji=emoji,
    )
