"""Letting people into a private incident channel on Discord: a member permission overwrite per person."""

from __future__ import annotations

from warroom.core.storage import queries

from tests.adapters.discord.bot import Bot
from tests.adapters.discord.fake import FakeDiscord

VIEW_CHANNEL, SEND_MESSAGES, READ_MESSAGE_HISTORY = 1 << 10, 1 << 11, 1 << 16
MEMBER = 1


def overwrites_put(fake: FakeDiscord, channel: str) -> dict[str, dict[str, object]]:
    """The overwrites the bot PUT on ``channel``, by the overwritten id."""
    return {r.path.rsplit("/", 1)[1]: r.body for r in fake.requests_to("PUT", rf"/channels/{channel}/permissions/\d+")}


async def private_incident(bot: Bot) -> str:
    await bot.driver.post("alice", '/incident declare "Suspicious logins" --private')
    await bot.driver.settle()
    return bot.driver.channel_of("INC-1")


async def test_invite_lets_each_person_into_the_private_channel(bot: Bot, fake: FakeDiscord) -> None:
    driver = bot.driver
    channel = await private_incident(bot)
    await driver.post("alice", "/incident invite @bob @carol", channel=channel)
    await driver.settle()

    put = overwrites_put(fake, channel)
    bob, carol = fake.user("bob")["id"], fake.user("carol")["id"]
    assert set(put) == {bob, carol}
    wanted = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY
    for person in (bob, carol):
        assert put[person]["type"] == MEMBER and int(put[person]["id"]) == int(person)
        assert int(str(put[person]["allow"])) & wanted == wanted and int(str(put[person]["deny"])) == 0
    stored = {str(o["id"]) for o in fake.channels[channel]["permission_overwrites"]}
    assert {bob, carol} <= stored
    reply = next(t for t in driver.bot_texts(channel) if t.startswith("Invited"))
    assert reply.startswith("Invited bob (#3) and carol (#4) to INC-1. They can now see it.")
    entries = [e.text for e in queries.timeline(bot.app.db, 1) if e.kind == "invite"]
    assert entries == ["bob invited by alice", "carol invited by alice"]

    # The channel update came back through the gateway: inviting again changes nothing on Discord.
    await driver.post("alice", "/incident invite @bob", channel=channel)
    await driver.settle()
    assert len(fake.requests_to("PUT", rf"/channels/{channel}/permissions/\d+")) == 2


async def test_a_role_holder_is_let_into_the_private_channel(bot: Bot, fake: FakeDiscord) -> None:
    driver = bot.driver
    channel = await private_incident(bot)
    await driver.post("alice", "/incident role take commander", channel=channel)
    await driver.post("alice", "/incident role communicator @dave", channel=channel)
    await driver.settle()
    assert set(overwrites_put(fake, channel)) == {fake.user("dave")["id"]}  # alice was in already


async def test_a_public_channel_gets_no_overwrites(bot: Bot, fake: FakeDiscord) -> None:
    driver = bot.driver
    await driver.post("alice", "/incident declare db down")
    await driver.settle()
    channel = driver.channel_of("INC-1")
    await driver.post("alice", "/incident role communicator @bob", channel=channel)
    await driver.post("alice", "/incident invite @carol", channel=channel)
    await driver.settle()
    assert overwrites_put(fake, channel) == {}
    assert any(t.startswith("Invited carol (#4) to INC-1.") for t in driver.bot_texts(channel))
