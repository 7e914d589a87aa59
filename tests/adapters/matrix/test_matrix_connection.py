"""Connecting: refused credentials stop the bot by name, an unreachable server is retried with backoff."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from nio import AsyncClient, LoginResponse
from pydantic import SecretStr
from warroom.adapters.matrix import MatrixAdapter, MatrixSettings
from warroom.adapters.matrix.session import LoginRefused
from warroom.core.app import Warroom

from tests.adapters.matrix.driver import BOT_ID, MatrixDriver, until
from tests.adapters.matrix.synapse_server import PASSWORD, Synapse, free_port
from tests.contract.scenario import make_app


async def test_a_refused_password_stops_the_bot_naming_the_key(synapse: Synapse, app: Warroom) -> None:
    driver = MatrixDriver(synapse, password="not-the-password")
    try:
        with pytest.raises(LoginRefused, match=r"refused adapters\.matrix\.password for @warroom:localhost"):
            await driver.start(app)
        assert driver.adapter is not None and driver.adapter.health().report()["state"] == "failed"
    finally:
        await driver.stop()


async def test_an_unreachable_homeserver_is_retried_with_bounded_backoff(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    settings = MatrixSettings(
        homeserver=f"http://127.0.0.1:{free_port()}",
        user_id=BOT_ID,
        password=SecretStr(PASSWORD),
        backoff_initial=0.05,
        backoff_max=0.2,
        request_timeout=2,
        max_timeouts=0,
    )
    adapter = MatrixAdapter(settings, app)
    app.add_adapter(adapter)
    await app.start()
    running = asyncio.create_task(adapter.start(app.inbound))
    try:
        await until(lambda: adapter.health().report()["consecutive_failures"] >= 3, "three failed attempts")
        health = adapter.health().report()
        assert health["ok"] is False and health["state"] in ("connecting", "reconnecting")
        assert "ClientConnectorError" in health["last_error"] or "Connect" in health["last_error"], health
    finally:
        await adapter.stop()
        await asyncio.wait_for(running, 5)  # stopping ends start() quietly
        await app.close()
    assert adapter.health().report()["state"] == "stopped"


async def test_an_access_token_and_its_device_can_be_configured_instead(synapse: Synapse, app: Warroom) -> None:
    login = AsyncClient(synapse.url, BOT_ID)
    response = await login.login(PASSWORD, device_name="configured device")
    await login.close()
    assert isinstance(response, LoginResponse)
    driver = MatrixDriver(synapse, password=None, access_token=response.access_token, device_id=response.device_id)
    try:
        await driver.start(app)
        assert driver.adapter is not None and driver.adapter.client.device_id == response.device_id
        await driver.post("alice", '/incident declare "Token login works"')
        await driver.settle()
        assert any("INC-1" in text for text in driver.bot_texts())
        assert app.adapter_state("matrix").get("session") is None  # a configured token is not copied anywhere
    finally:
        await driver.stop_bot()
        await driver.stop()


@pytest.mark.parametrize(
    ("credential", "expected"),
    [
        ("access_token", "adapters.matrix.access_token: http://127.0.0.1:{port} refused adapters.matrix.access_token"),
        ("password", "adapters.matrix.password: http://127.0.0.1:{port} refused adapters.matrix.password for "),
    ],
)
def test_warroom_run_with_refused_credentials_exits_2_with_one_line(
    credential: str, expected: str, synapse: Synapse, tmp_path: Path
) -> None:
    """The real process against the real Synapse: the key, what to do, nothing else, and no retrying."""
    config = tmp_path / "warroom.yaml"
    config.write_text(
        f"""\
database:
  url: "sqlite:///{tmp_path / 'warroom.db'}"
adapters:
  matrix:
    homeserver: "{synapse.url}"
    user_id: "{BOT_ID}"
    {credential}: "not-the-right-one"
plugins:
  reminders: {{enabled: false}}
  confirmations: {{enabled: false}}
  postmortem: {{enabled: false}}
""",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_")}
    result = subprocess.run(
        [sys.executable, "-m", "warroom.core.cli", "run", "--config", str(config)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(expected.format(port=synapse.port)), lines[0]


async def test_an_access_token_without_its_device_id_finds_the_device(synapse: Synapse, app: Warroom) -> None:
    """The key store needs the device id before it opens: the token's own device is asked for first."""
    login = AsyncClient(synapse.url, BOT_ID)
    response = await login.login(PASSWORD, device_name="token only")
    await login.close()
    assert isinstance(response, LoginResponse)
    driver = MatrixDriver(synapse, password=None, access_token=response.access_token)
    try:
        await driver.start(app)
        assert driver.adapter is not None and driver.adapter.client.device_id == response.device_id
    finally:
        await driver.stop_bot()
        await driver.stop()
