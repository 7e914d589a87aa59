"""``warroom run`` against a Discord that refuses a setting: one line naming the key, exit 2, no traceback.

The command line runs in-process (``main`` runs its own event loop) because
discord.py is pointed at the local fake through process-wide attributes; the
fake Discord runs in a thread with a loop of its own.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from warroom.core.cli import main

from tests.adapters.discord.driver import TOKEN, Endpoints
from tests.adapters.discord.fake import FakeDiscord


@pytest.fixture
def discord_peer() -> Iterator[FakeDiscord]:
    """A fake Discord serving from its own thread, with discord.py pointed at it."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    fake = FakeDiscord()
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(10)
    endpoints = Endpoints(fake)
    endpoints.point()
    try:
        yield fake
    finally:
        endpoints.restore()
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def config(tmp_path: Path, fake: FakeDiscord) -> Path:
    path = tmp_path / "warroom.yaml"
    path.write_text(
        f"""\
database:
  url: "sqlite:///{tmp_path / 'warroom.db'}"
adapters:
  discord:
    token: "{TOKEN}"
    guild_id: {fake.guild_id}
    guild_ready_timeout: 0.01
    message_content_intent: true
plugins:
  reminders: {{enabled: false}}
  confirmations: {{enabled: false}}
  postmortem: {{enabled: false}}
""",
        encoding="utf-8",
    )
    return path


REFUSALS = {
    "401": ("adapters.discord.token: Discord rejected this token (401 on login) — reset it in the Developer Portal"),
    "4004": "adapters.discord.token: Discord rejected this token (4004, authentication failed) — reset it",
    "4010": "adapters.discord.shard_count: Discord refused the shard Warroom identified as (4010)",
    "4011": "adapters.discord.shard_count: Discord requires sharding for a bot in this many servers (4011)",
    "4012": "adapters.discord: Discord refused the gateway API version (4012) — upgrade discord.py",
    "4013": "adapters.discord.message_content_intent: Discord refused the intents Warroom asked for as invalid (4013)",
    "4014": "adapters.discord.message_content_intent: Discord refused the Message Content intent (4014) — switch it on",
}


@pytest.mark.parametrize("refusal", sorted(REFUSALS))
def test_a_refused_setting_ends_run_with_one_line_naming_it(
    refusal: str, discord_peer: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if refusal == "401":
        discord_peer.token = "MTExMTExMTExMTExMTExMTEx.GaaaAa.the-one-discord-knows-about"
    elif refusal == "4004":
        discord_peer.gateway.close_after_ready = 4004  # a token reset while the bot was running
    elif refusal == "4014":
        discord_peer.gateway.privileged_intents = False
    else:
        discord_peer.gateway.refuse_identify = int(refusal)

    assert main(["run", "--config", str(config(tmp_path, discord_peer))]) == 2

    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(REFUSALS[refusal]), lines[0]
    if refusal == "4004":
        assert discord_peer.gateway.identifies, "it was connected before the token stopped working"
