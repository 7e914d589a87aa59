"""Buttons across restarts, rate limits, mentions, and what makes the bot refuse to start."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import discord
import pytest
import yarl
from warroom.adapters.discord import DiscordAdapter
from warroom.core.adapter.messages import Field, Message
from warroom.core.adapter.refs import ConversationRef
from warroom.core.config.loader import ConfigError
from warroom.core.storage import queries

from tests.adapters.discord.bot import Bot
from tests.adapters.discord.driver import DiscordDriver, custom_ids, until
from tests.adapters.discord.fake import FakeDiscord
from tests.contract.scenario import make_app


def test_discord_py_still_has_the_attributes_the_tests_redirect() -> None:
    """The whole suite points discord.py at a local fake through these two; a rename must fail here, loudly."""
    assert isinstance(discord.http.Route.BASE, str) and discord.http.Route.BASE.startswith("https://discord.com/api/")
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    assert isinstance(gateway, yarl.URL) and gateway.host == "gateway.discord.gg"
    assert discord.webhook.async_.Route is discord.http.Route  # interaction responses go through the same base


async def confirmation(bot: Bot) -> tuple[str, dict[str, object]]:
    """INC-1 with alice commanding and bob asking to restart db-1: the incident channel and the prompt."""
    driver = bot.driver
    await driver.post("alice", "/incident declare db down")
    await driver.settle()
    channel = driver.channel_of("INC-1")
    await driver.post("alice", "/incident role take commander", channel=channel)
    await driver.post("bob", "/incident action restart db-1", channel=channel)
    await driver.settle()
    prompt = next(m for m in bot.driver.fake.bot_messages(channel) if custom_ids(m))
    return channel, prompt


async def test_a_confirmation_button_still_works_after_a_restart(bot: Bot, fake: FakeDiscord) -> None:
    channel, prompt = await confirmation(bot)
    assert custom_ids(prompt) == ["confirm:1:approve", "confirm:1:reject"]

    await bot.restart()
    bot.driver.click(fake.user("bob"), channel, prompt, "confirm:1:approve")  # the requester may not approve
    await bot.driver.settle()
    bot.driver.click(fake.user("alice"), channel, prompt, "confirm:1:approve")
    await bot.driver.settle()

    decisions = [e.text for e in queries.timeline(bot.app.db, 1) if e.kind == "confirmation"]
    assert decisions == ["Asked to: restart db-1", "Approved: restart db-1"]
    assert [c["type"] for c in fake.callbacks[-2:]] == [6, 6]  # each click acknowledged in time, message kept
    assert prompt["components"] == []  # the decided prompt lost its buttons (edited in the channel)
    assert fake.requests_to("PATCH", rf"/channels/{channel}/messages/{prompt['id']}")
    texts = bot.driver.bot_texts(channel)
    assert any("can't approve or reject your own request" in t for t in texts)
    assert any(t.startswith("✅ Approved by alice: restart db-1 — @bob") for t in texts)


async def test_a_429_with_via_is_waited_out_and_the_message_posted_once(bot: Bot, fake: FakeDiscord) -> None:
    fake.rate_limit("POST", rf"/channels/{fake.general_id}/messages", times=1, retry_after=0.05)
    await bot.driver.post("alice", "!incident declare rate limited")
    await bot.driver.settle()
    attempts = fake.requests_to("POST", rf"/channels/{fake.general_id}/messages")
    assert len(attempts) == 2 and attempts[0].body == attempts[1].body
    assert len(fake.bot_messages(fake.general_id)) == 1


async def test_a_429_without_via_is_a_failed_send_that_stops_nothing(bot: Bot, fake: FakeDiscord) -> None:
    fake.rate_limit("POST", rf"/channels/{fake.general_id}/messages", times=1, via=False)  # a proxy, not Discord
    await bot.driver.post("alice", "!incident declare blocked by a proxy")
    await bot.driver.post("alice", "!incident list")
    await bot.driver.settle()
    assert len(fake.requests_to("POST", rf"/channels/{fake.general_id}/messages")) == 2
    assert len(fake.bot_messages(fake.general_id)) == 1  # the next reply went out


async def test_everyone_in_a_title_pings_nobody(bot: Bot, fake: FakeDiscord) -> None:
    await bot.driver.post("mallory", '/incident declare "@everyone @here <@&1> outage"')
    await bot.driver.settle()
    channel = ConversationRef("discord", bot.driver.channel_of("INC-1"))
    message = Message(title="@everyone look", fields=(Field("@here", "<@&1>"),))
    await bot.driver.adapter.send(channel, message, key="test:title", in_reply_to=None)

    sends = [
        r for r in fake.requests if (r.method in ("POST", "PATCH") and "/messages" in r.path) or "/webhooks/" in r.path
    ]
    assert sends and all(r.body["allowed_mentions"] == {"parse": []} for r in sends)
    (titled,) = [m for m in fake.bot_messages(channel.id) if m["embeds"] and m["embeds"][0].get("title")]
    assert titled["embeds"][0]["title"] == "@everyone look"
    assert any("@everyone @here \\<@&1> outage" in m["content"] for m in fake.messages[fake.general_id])


async def test_a_rejected_token_stops_the_start_naming_the_key(fake: FakeDiscord, tmp_path: Path) -> None:
    fake.token = "MTExMTExMTExMTExMTExMTEx.GaaaAa.the-one-discord-knows-about"
    bot = Bot(tmp_path, DiscordDriver(fake))
    with pytest.raises(ConfigError, match=r"adapters\.discord\.token: Discord rejected this token"):
        await bot.start()
    await bot.close()


async def test_a_refused_message_content_intent_stops_the_start_naming_the_key(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    fake.gateway.privileged_intents = False
    bot = Bot(tmp_path, DiscordDriver(fake))
    with pytest.raises(ConfigError, match=r"adapters\.discord\.message_content_intent: .*Developer Portal"):
        await bot.start()
    await bot.close()
    without = Bot(tmp_path / "without", DiscordDriver(fake, message_content_intent=False))
    (tmp_path / "without").mkdir()
    await without.start()  # slash commands and buttons need no privileged intent
    await without.close()


async def test_a_sharded_bot_connects_like_any_other(fake: FakeDiscord, tmp_path: Path) -> None:
    bot = Bot(tmp_path, DiscordDriver(fake, shard_count=1))
    await bot.start()
    try:
        assert isinstance(bot.driver.adapter.client, discord.AutoShardedClient)
        assert fake.gateway.identifies[-1]["shard"] == [0, 1]
        await bot.driver.post("alice", "/incident declare sharded")
        await bot.driver.settle()
        assert bot.driver.channel_of("INC-1")
    finally:
        await bot.close()


async def test_an_unreachable_discord_is_retried_until_the_bot_stops(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on: connections are refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_app(tmp_path)
    adapter = DiscordAdapter(DiscordDriver(FakeDiscord()).settings(), app)
    app.add_adapter(adapter)
    await app.start()
    saved = discord.http.Route.BASE
    discord.http.Route.BASE = f"http://127.0.0.1:{port}/api/v10"
    try:
        running = asyncio.create_task(adapter.start(app.inbound))
        await until(lambda: adapter.health().report()["state"] == "unreachable", "a failed login")
        assert adapter.health().report()["last_error"]
        await adapter.stop()
        await asyncio.wait_for(running, timeout=5)  # stopping cuts the backoff short
    finally:
        discord.http.Route.BASE = saved
        await app.close()
