"""Encrypted incident rooms, with the optional ``matrix-nio[e2e]`` extra (skipped without it)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from nio import AsyncClient, AsyncClientConfig, LoginResponse, MatrixRoom, RoomMessageNotice, RoomSendResponse
from nio.crypto import ENCRYPTION_ENABLED
from warroom.core.app import Warroom
from warroom.core.storage import queries

from tests.adapters.matrix.driver import MatrixDriver, until, user_id
from tests.adapters.matrix.synapse_server import PASSWORD, Synapse

pytestmark = pytest.mark.skipif(not ENCRYPTION_ENABLED, reason="needs pip install 'warroom[matrix-e2e]'")


async def test_an_encrypted_incident_room_is_captured_and_answered(
    synapse: Synapse, app: Warroom, tmp_path: Path
) -> None:
    driver = MatrixDriver(synapse, store_path=str(tmp_path / "bot-keys"), encrypt_incident_rooms=True)
    (tmp_path / "alice-keys").mkdir()
    alice = AsyncClient(
        synapse.url,
        user_id("alice"),
        store_path=str(tmp_path / "alice-keys"),
        config=AsyncClientConfig(encryption_enabled=True),
    )
    notices: list[str] = []

    async def on_notice(room: MatrixRoom, event: RoomMessageNotice) -> None:
        notices.append(event.body)

    alice.add_event_callback(on_notice, RoomMessageNotice)
    syncing: asyncio.Task[None] | None = None
    try:
        assert isinstance(await alice.login(PASSWORD, device_name="alice, encrypted"), LoginResponse)
        syncing = asyncio.create_task(alice.sync_forever(timeout=1000))
        await driver.start(app)
        await driver.post("alice", '/incident declare "Encrypted incident"')
        await driver.settle()
        room = driver.channel_of("INC-1")
        await alice.join(room)
        await until(lambda: room in alice.rooms and alice.rooms[room].encrypted, "alice to see the encrypted room")
        content = {"msgtype": "m.text", "body": "!incident log rotated the key"}
        sent = await alice.room_send(room, "m.room.message", content, ignore_unverified_devices=True)
        assert isinstance(sent, RoomSendResponse)
        driver.posted.append(sent.event_id)
        await driver.settle()
        assert [e.text for e in queries.timeline(app.db, 1) if e.kind == "note"] == ["rotated the key"]
        await until(lambda: any("Logged" in body for body in notices), "alice to decrypt the bot's answer")
    finally:
        if syncing is not None:
            syncing.cancel()
        await alice.close()
        await driver.stop()
