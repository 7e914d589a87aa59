"""Chat in incident channels lands on the timeline once: live, replayed on RESUME, or caught up after downtime."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
from warroom.adapters.discord.inbound import reaction_event
from warroom.core.adapter.events import ReactionAdded
from warroom.core.app import Warroom
from warroom.core.storage import queries

from tests.adapters.discord.bot import Bot
from tests.adapters.discord.fake import FakeDiscord


def messages(app: Warroom) -> list[tuple[str, str]]:
    return [(e.author, e.text) for e in queries.timeline(app.db, 1) if e.kind == "message"]


async def declared(bot: Bot) -> str:
    await bot.driver.post("alice", "/incident declare db down")
    await bot.driver.settle()
    return bot.driver.channel_of("INC-1")


async def test_a_message_is_captured_once_with_discords_id_time_and_mentions(bot: Bot, fake: FakeDiscord) -> None:
    channel = await declared(bot)
    content, mentions = bot.driver.compose("@bob can you check the replica lag?")
    posted = fake.post(channel, fake.user("carol"), content, mentions=mentions)
    fake.gateway.dispatch("MESSAGE_CREATE", posted)  # delivered twice, as a gateway may
    await bot.driver.settle()

    (entry,) = [e for e in queries.timeline(bot.app.db, 1) if e.kind == "message"]
    assert (entry.author, entry.text) == ("carol", "@bob can you check the replica lag?")
    assert entry.source_event == f"discord:{posted['id']}"
    assert entry.at.replace(tzinfo=UTC) == discord.utils.snowflake_time(int(posted["id"]))
    people = {e.author for e in queries.timeline(bot.app.db, 1)}
    assert "carol" in people


async def test_chat_outside_incident_channels_and_from_bots_is_not_captured(bot: Bot, fake: FakeDiscord) -> None:
    channel = await declared(bot)
    fake.post(fake.general_id, fake.user("carol"), "lunch?")
    fake.post(channel, fake._user("Alertbot", bot=True), "CPU high")
    await bot.driver.settle()
    assert messages(bot.app) == []


async def test_a_tick_on_a_prompt_decides_it_and_the_key_reaction_is_passed_on_as_the_key_marker(
    bot: Bot, fake: FakeDiscord
) -> None:
    channel = await declared(bot)
    await bot.driver.post("alice", "/incident role take commander", channel=channel)
    await bot.driver.post("bob", "/incident action restart db-1", channel=channel)
    await bot.driver.settle()
    prompt = next(m for m in fake.bot_messages(channel) if m["components"])
    react(fake, channel, prompt["id"], "alice", "✅")
    await bot.driver.settle()
    assert [e.text for e in queries.timeline(bot.app.db, 1)][-1] == "Approved: restart db-1"


def test_reactions_become_the_cores_markers() -> None:
    payload = {"user_id": "1", "channel_id": "2", "message_id": "3", "guild_id": "4", "type": 0, "burst": False}
    channel = discord.Object(2)

    def event(emoji: str) -> ReactionAdded | None:
        raw = discord.RawReactionActionEvent(payload, discord.PartialEmoji(name=emoji), "REACTION_ADD")  # type: ignore[arg-type]
        return reaction_event(raw, channel, key_reaction="⭐")

    starred = event("⭐")
    assert starred is not None and starred.emoji == "📌" and starred.event_id == "reaction:3:1:📌"
    assert event("👍") is None
    assert event("❌") is not None


def react(fake: FakeDiscord, channel: str, message_id: str, user: str, emoji: str) -> None:
    person = fake.user(user)
    reaction = {"user_id": person["id"], "channel_id": channel, "message_id": message_id, "guild_id": fake.guild_id}
    reaction |= {"member": fake.member(person), "emoji": {"id": None, "name": emoji}, "type": 0, "burst": False}
    fake.gateway.dispatch("MESSAGE_REACTION_ADD", reaction)


async def test_a_resume_replays_missed_events_and_the_core_drops_the_repeats(bot: Bot, fake: FakeDiscord) -> None:
    channel = await declared(bot)
    before = fake.post(channel, fake.user("carol"), "before the drop")
    assert fake.gateway.session is not None
    seen_up_to = fake.gateway.session.seq
    await bot.driver.settle()

    fake.gateway.hold()  # the connection dies quietly: what follows is only in Discord's buffer
    fake.post(channel, fake.user("carol"), "while reconnecting")
    fake.gateway.reconnect(replay_from=seen_up_to)  # Discord replays from before what the bot already saw
    await bot.driver.settle()

    assert fake.gateway.resumes and len(fake.gateway.identifies) == 1
    replayed = [f["d"]["id"] for f in fake.gateway.replayed if f["t"] == "MESSAGE_CREATE"]
    assert before["id"] in replayed  # seen before the drop, and delivered again
    assert messages(bot.app) == [("carol", "before the drop"), ("carol", "while reconnecting")]
    assert bot.driver.adapter.health().report()["reconnects"] == 1


async def test_messages_sent_while_the_bot_was_down_are_caught_up_once(bot: Bot, fake: FakeDiscord) -> None:
    channel = await declared(bot)
    live = fake.post(channel, fake.user("carol"), "seen live")
    await bot.driver.settle()
    await bot.driver.stop_bot()
    down = [fake.message(channel, fake.user("dave"), f"while away {n}") for n in range(3)]

    await bot.restart()  # a new process: a new gateway session, nothing to resume

    assert len(fake.gateway.identifies) == 2
    assert messages(bot.app) == [("carol", "seen live")] + [("dave", f"while away {n}") for n in range(3)]
    (history,) = fake.requests_to("GET", rf"/channels/{channel}/messages")
    assert history.query["after"] == live["id"]  # from the cursor saved at shutdown
    cursors = bot.app.adapter_state("discord").get("cursors")
    assert cursors == {channel: int(down[-1]["id"])}
    assert bot.driver.adapter.health().report()["backfilled"] == 3


async def test_health_reports_the_session(bot: Bot) -> None:
    health = bot.driver.adapter.health().report()
    assert health["platform"] == "discord" and health["state"] == "ready" and health["guilds"] == 1
    assert datetime.fromisoformat(health["since"]) <= datetime.now(UTC)
