"""Slash commands against the fake Discord: declaring opens a channel, answers follow up, options complete."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.discord.bot import Bot
from tests.adapters.discord.driver import DiscordDriver, plain_text
from tests.adapters.discord.fake import FakeDiscord

VIEW_CHANNEL = 1 << 10
ROLE, MEMBER = 0, 1


async def test_declaring_opens_a_channel_in_the_category_and_answers_the_command(bot: Bot, fake: FakeDiscord) -> None:
    driver = bot.driver
    await driver.post("alice", '/incident declare "Checkout is down" --severity 1')
    await driver.settle()

    (created,) = fake.requests_to("POST", rf"/guilds/{fake.guild_id}/channels")
    assert created.body["name"] == "inc-1-checkout-is-down"
    assert created.body["parent_id"] == int(fake.category_id)
    assert created.body["topic"] == "INC-1: Checkout is down"
    assert created.body["permission_overwrites"] == []  # public: the category's permissions apply
    channel = driver.channel_of("INC-1")
    assert fake.channels[channel]["name"] == "inc-1-checkout-is-down"

    (deferred,) = fake.callbacks
    assert deferred["type"] == 5  # "Warroom is thinking…" at once, the work afterwards
    (answer,) = driver.bot_texts()
    assert answer.startswith("🚨 INC-1 · Checkout is down [SEV1") and "inc-1-checkout-is-down" in answer
    assert fake.requests_to("POST", rf"/webhooks/{fake.app_id}/tok-\d+")  # the answer followed up the command
    assert "INC-1" in driver.bot_texts(channel)[0]


async def test_a_private_incident_channel_is_hidden_from_everyone_but_its_responders(
    bot: Bot, fake: FakeDiscord
) -> None:
    driver = bot.driver
    await driver.post("alice", '/incident declare "Suspicious logins" --private')
    await driver.settle()

    (created,) = fake.requests_to("POST", rf"/guilds/{fake.guild_id}/channels")
    overwrites = {(o["id"], o["type"]): o for o in created.body["permission_overwrites"]}
    everyone = overwrites[(int(fake.guild_id), ROLE)]
    assert int(everyone["deny"]) & VIEW_CHANNEL and not int(everyone["allow"]) & VIEW_CHANNEL
    for person in (fake.user("alice"), fake.bot):
        assert int(overwrites[(int(person["id"]), MEMBER)]["allow"]) & VIEW_CHANNEL
    assert len(overwrites) == 3


async def test_a_missing_category_is_created_once_by_name(fake: FakeDiscord, tmp_path: Path) -> None:
    driver = DiscordDriver(fake, incident_category="Active incidents")
    running = Bot(tmp_path, driver)
    await running.start()
    try:
        await driver.post("alice", "/incident declare one")
        await driver.post("alice", "/incident declare two")
        await driver.settle()
    finally:
        await running.close()
    created = [r.body for r in fake.requests_to("POST", rf"/guilds/{fake.guild_id}/channels")]
    categories = [body for body in created if body["type"] == 4]
    assert [c["name"] for c in categories] == ["Active incidents"]
    category_id = next(c["id"] for c in fake.channels.values() if c["name"] == "Active incidents")
    assert [body["parent_id"] for body in created if body["type"] == 0] == [int(category_id)] * 2


async def test_a_command_without_a_reply_in_its_channel_leaves_no_thinking_message(bot: Bot, fake: FakeDiscord) -> None:
    driver = bot.driver
    await driver.post("alice", "/incident declare db down")
    await driver.settle()
    channel = driver.channel_of("INC-1")
    await driver.post("alice", "/incident role take commander", channel=channel)
    await driver.post("bob", "/incident action failover db", channel=channel)
    await driver.settle()
    # Approving from the lobby answers there and in the incident's channel; typed as a command it is a
    # slash command whose own reply is the lobby's — nothing stays "thinking".
    number = next(t for t in driver.bot_texts(channel) if "/incident approve" in t).split("/incident approve ")[1]
    await driver.post("alice", f"/incident approve {number.split('”')[0]}")
    await driver.settle()
    loading = [m for m in fake.messages[fake.general_id] if m["flags"] & 128]
    assert loading == []
    assert any("Approved by alice" in text for text in driver.bot_texts(channel))


async def test_slash_options_complete_from_warroom_config(bot: Bot, fake: FakeDiscord) -> None:
    data = bot.driver.command_data("role take commander")
    assert data is not None
    leaf = data["options"][0]
    leaf["options"] = [{"type": 3, "name": "role", "value": "comm", "focused": True}]
    fake.interaction(4, fake.general_id, fake.user("alice"), data)
    await bot.driver.settle()
    (answer,) = fake.callbacks
    assert answer["type"] == 8  # autocomplete result
    assert [c["value"] for c in answer["data"]["choices"]] == ["commander", "communicator"]


async def test_an_unknown_slash_command_is_answered_privately(bot: Bot, fake: FakeDiscord) -> None:
    data = {"id": "1", "name": "incident", "type": 1, "options": [{"type": 1, "name": "retired-command"}]}
    fake.interaction(2, fake.general_id, fake.user("alice"), data)
    await bot.driver.settle()
    (answer,) = fake.callbacks
    assert answer["type"] == 4 and answer["data"]["flags"] == 64  # ephemeral: only the person sees it
    assert "out of date" in answer["data"]["content"]


async def test_typed_commands_work_too_and_replies_carry_a_nonce(bot: Bot, fake: FakeDiscord) -> None:
    driver = bot.driver
    await driver.post("alice", "!incident declare typed declaration")
    await driver.settle()
    replies = fake.requests_to("POST", rf"/channels/{fake.general_id}/messages")
    assert replies and all(r.body["enforce_nonce"] and len(r.body["nonce"]) <= 25 for r in replies)
    assert any("INC-1 · typed declaration" in plain_text(m, {}) for m in fake.bot_messages(fake.general_id))


async def test_commands_are_pushed_to_discord_only_when_they_changed(bot: Bot, fake: FakeDiscord) -> None:
    assert len(fake.requests_to("PUT", rf"/applications/{fake.app_id}/guilds/{fake.guild_id}/commands")) == 1
    await bot.restart()
    assert len(fake.requests_to("PUT", rf"/applications/{fake.app_id}/guilds/{fake.guild_id}/commands")) == 1
    assert fake.commands[0]["name"] == "incident"


async def test_more_runs_any_command_as_typed_with_its_mentions(bot: Bot, fake: FakeDiscord) -> None:
    driver = bot.driver
    await driver.post("alice", "/incident declare db down")
    await driver.settle()
    channel = driver.channel_of("INC-1")
    bob = fake.user("bob")
    data = {"name": "incident", "type": 1, "options": [{"type": 1, "name": "more", "options": []}]}
    data["options"][0]["options"] = [{"type": 3, "name": "command", "value": f"role communicator <@{bob['id']}>"}]
    fake.interaction(2, channel, fake.user("alice"), data)
    await driver.settle()
    assert any(text.startswith("bob is now the communicator of INC-1") for text in driver.bot_texts(channel))
