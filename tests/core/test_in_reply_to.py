"""Replies tell the adapter what they answer (``in_reply_to``), so no adapter reads it out of the reply key."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from warroom.core.adapter import (
    ButtonPressed,
    ConversationRef,
    Message,
    MessageReceived,
    MessageRef,
    UserRef,
    trigger_of,
)
from warroom.core.testing import FakeAdapter, Harness


async def test_a_reply_answers_the_message_that_asked(tmp_path: Path) -> None:
    h = Harness(tmp_path / "w.db")
    typed = h.event("/incident help", user="alice", event_id="ev-1")
    asked = MessageReceived(
        typed.event_id, typed.conversation, typed.user, typed.at, typed.text, message=MessageRef(h.lobby, "msg-1")
    )
    await h.feed(asked)
    assert [sent.in_reply_to for sent in h.adapter.sent] == [MessageRef(h.lobby, "msg-1")]
    await h.say("/incident nonsense", event_id="ev-2")  # no message of its own: the event under its id
    assert h.adapter.sent[-1].in_reply_to == MessageRef(h.lobby, "ev-2")
    await h.close()


async def test_work_nobody_asked_for_in_chat_answers_nothing(tmp_path: Path) -> None:
    h = Harness(tmp_path / "w.db")
    await h.say('/incident declare "db down"', event_id="ev-1")
    channel = h.channel("INC-1")
    # The channel is opened, and announced in both places, by a job of its own: it answers no message.
    assert {sent.conversation for sent in h.adapter.sent} == {h.lobby, channel}
    assert {sent.in_reply_to for sent in h.adapter.sent} == {None}
    await h.say("/incident status", channel=channel, event_id="ev-2")
    assert h.adapter.sent[-1].in_reply_to == MessageRef(channel, "ev-2")
    await h.close()


async def test_a_trigger_on_another_platform_is_not_handed_over(tmp_path: Path) -> None:
    h = Harness(tmp_path / "w.db")
    elsewhere = FakeAdapter(platform="other")
    h.app.add_adapter(elsewhere)
    await h.start()
    other_lobby = ConversationRef("other", "lobby")
    h.app.writer.enqueue(
        lambda tx: [tx.reply(h.lobby, Message.plain("here")), tx.reply(other_lobby, Message.plain("there"))],
        key="test:1",
        in_reply_to=MessageRef(h.lobby, "msg-1"),
    )
    await h.settle()
    assert [sent.in_reply_to for sent in h.adapter.sent] == [MessageRef(h.lobby, "msg-1")]
    assert [sent.in_reply_to for sent in elsewhere.sent] == [None]
    await h.close()


def test_the_trigger_of_an_event_that_is_no_message_is_the_event_itself() -> None:
    lobby = ConversationRef("fake", "lobby")
    alice, at = UserRef("fake", "alice"), datetime(2026, 1, 1, tzinfo=UTC)
    pressed = ButtonPressed("press-1", lobby, alice, at, "confirm:1:approve", MessageRef(lobby, "prompt"))
    assert trigger_of(pressed) == MessageRef(lobby, "press-1")  # the press, not the prompt it was on
