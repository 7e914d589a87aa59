"""The core names commands as Command parts, which each platform writes its own way; plain text reads as before."""

from __future__ import annotations

from pathlib import Path

from warroom.core.adapter import Command, Message, Paragraph, Tone
from warroom.core.engine.transaction import Transaction
from warroom.core.errors import Denied
from warroom.core.testing import Harness


def commands_in(message: Message) -> list[str]:
    return [
        part.text
        for block in message.blocks
        if isinstance(block, Paragraph)
        for part in block.parts
        if isinstance(part, Command)
    ]


def test_a_message_composed_of_text_and_commands_reads_as_typed() -> None:
    said = Message.of("Take a role with “", Command("role take commander"), "”.", tone=Tone.WARNING)
    assert said.blocks == (Paragraph.of("Take a role with “", Command("role take commander"), "”."),)
    assert said.plain_text() == "Take a role with “/incident role take commander”."
    assert said.plain_text("!incident") == "Take a role with “!incident role take commander”."
    assert Message.of("Send “", Command(), "” alone.").plain_text("!ir") == "Send “!ir” alone."


async def test_the_new_channel_is_introduced_with_commands_to_take_the_lead(tmp_path: Path) -> None:
    h = Harness(tmp_path / "w.db")
    await h.say('/incident declare "db down"')
    intro = next(sent.message for sent in h.adapter.sent if sent.conversation == h.channel("INC-1"))
    assert commands_in(intro) == ["role take commander", "role take communicator"]
    assert (
        "Take a role with “/incident role take commander” and “/incident role take communicator”." in intro.plain_text()
    )
    await h.close()


async def test_usage_errors_name_the_commands_to_type(tmp_path: Path) -> None:
    h = Harness(tmp_path / "w.db")
    await h.say("/incident tsk")
    await h.say("/incident help --nope")
    unknown, bad = (sent.message for sent in h.adapter.sent[-2:])
    assert commands_in(unknown) == ["help"] and unknown.tone is Tone.ERROR
    assert commands_in(bad) == ["help [command…]", "help"]
    assert bad.plain_text().splitlines()[1:] == ["Usage: /incident help [command…]", "Example: /incident help"]
    await h.close()


async def test_an_error_raised_with_a_message_is_answered_with_it(tmp_path: Path) -> None:
    h = Harness(tmp_path / "w.db")
    await h.start()

    def refuse(tx: Transaction) -> None:
        raise Denied(Message.of("Nobody is commander yet: “", Command("role take commander"), "”."))

    await h.app.writer.submit(refuse, key="test:1", reply_to=h.lobby)
    [answer] = [sent.message for sent in h.adapter.sent]
    assert commands_in(answer) == ["role take commander"] and answer.tone is Tone.ERROR
    assert str(Denied(answer)) == answer.plain_text() == "Nobody is commander yet: “/incident role take commander”."
    await h.close()
