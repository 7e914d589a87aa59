"""How the Teams endpoint is served: JWT validation on, a shared web app, a slow core, Graph channels, restarts."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from warroom.adapters.teams import TeamsAdapter, TeamsError, TeamsSettings
from warroom.adapters.teams.invoke import WORKING
from warroom.core.adapter.events import InboundEvent
from warroom.core.adapter.messages import Message
from warroom.core.adapter.refs import ConversationRef
from warroom.core.app import Warroom
from warroom.core.storage import queries

from tests.adapters.teams.activities import INCIDENTS, message
from tests.adapters.teams.connector import FakeConnector, text_of
from tests.adapters.teams.driver import TEAM_GROUP_ID, TeamsDriver, teams_settings
from tests.adapters.teams.support import open_app

pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web.NotAppKeyWarning")  # raised inside the SDK

CREDENTIALS: dict[str, Any] = {
    "client_id": "7d2c6a4e-0b7f-4c4e-9a55-1f0b8e2d9c31",
    "client_secret": "s3cr3t~from-the-app-registration",
    "tenant_id": "5b1e3f7a-2c4d-4e6f-8a9b-0c1d2e3f4a5b",
}
BAD_HEADERS = [
    {},
    {"Authorization": "Bearer not-a-jwt"},
    {"Authorization": "Bearer"},
    {"Authorization": "Basic YWxpY2U6cGFzc3dvcmQ="},
]


def secured(connector: FakeConnector, **options: Any) -> TeamsSettings:
    return TeamsSettings.model_validate(
        {**CREDENTIALS, "incidents_channel": INCIDENTS, "service_url": connector.url, "port": 0, **options}
    )


async def healthy(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def run(adapter: TeamsAdapter, app: Warroom) -> asyncio.Task[None]:
    task = asyncio.create_task(adapter.start(app.inbound))
    await asyncio.wait_for(adapter.ready.wait(), timeout=10)
    return task


async def test_with_authentication_on_requests_without_a_valid_token_are_refused(
    app: Warroom, connector: FakeConnector
) -> None:
    adapter = TeamsAdapter(secured(connector), app)
    app.add_adapter(adapter)
    task = await run(adapter, app)
    declaration = message(
        'incident declare "Checkout is down"', user="mallory", conversation=INCIDENTS, service_url=connector.url
    )
    async with aiohttp.ClientSession() as http:
        for headers in BAD_HEADERS:
            async with http.post(adapter.endpoint, json=declaration, headers=headers) as response:
                assert response.status == 401, headers
    await adapter.drain()
    await app.settle()
    assert queries.incident_ids(app.db) == []
    assert connector.requests == []
    assert adapter.health().report()["received"] == 0
    assert adapter.health().report()["authentication"] == "jwt"
    await adapter.stop()
    await task


async def test_mounted_on_the_shared_web_app_only_the_teams_route_asks_for_a_token(
    app: Warroom, connector: FakeConnector
) -> None:
    adapter = TeamsAdapter(secured(connector), app)
    shared = web.Application()
    shared.router.add_get("/health", healthy)
    adapter.mount(shared)
    runner, url = await serve(shared)
    task = await run(adapter, app)
    async with aiohttp.ClientSession() as http:
        async with http.get(url + "/health") as response:
            assert response.status == 200
        async with http.post(url + "/api/messages", json={"type": "message"}) as response:
            assert response.status == 401
    assert adapter.endpoint == "/api/messages"  # no server of its own
    await adapter.stop()
    await task
    await runner.cleanup()


async def test_a_mounted_endpoint_answers_503_until_warroom_has_started(app: Warroom, connector: FakeConnector) -> None:
    teams = TeamsAdapter(teams_settings(connector), app)
    app.add_adapter(teams)
    shared = web.Application()
    teams.mount(shared)
    runner, url = await serve(shared)
    said = message("incident help", user="alice", conversation=INCIDENTS, service_url=connector.url)
    async with aiohttp.ClientSession() as http:
        async with http.post(url + "/api/messages", json=said) as response:
            assert response.status == 503  # Teams retries; nothing is lost
        task = await run(teams, app)
        async with http.post(url + "/api/messages", json=said) as response:
            assert response.status == 202
    await teams.drain()
    await app.settle()
    assert any("incident" in text_of(r).lower() for r in connector.messages_in(INCIDENTS))
    await teams.stop()
    await task
    await runner.cleanup()


async def test_a_click_the_core_is_slow_on_is_answered_in_time_and_the_card_updated_after(app: Warroom) -> None:
    teams = TeamsDriver(invoke_wait_seconds=0.5)
    await teams.start(app)
    try:
        await teams.post("alice", '/incident declare "Checkout is down"')
        await teams.settle()
        thread = teams.channel_of("INC-1")
        await teams.post("alice", "/incident role take commander", channel=thread)
        await teams.post("bob", "/incident risky restart db-1", channel=thread)
        await teams.settle()
        [(prompt, approve)] = teams.prompts(thread)

        gate = asyncio.Event()

        async def slow(event: InboundEvent) -> None:
            await gate.wait()
            await app.inbound(event)

        teams.adapter._endpoint.open(slow)  # the core is busy: the click waits for it, bounded
        answer = await teams.click("alice", prompt, approve)
        assert answer == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": WORKING}
        gate.set()
        await teams.settle()
        [put] = teams.connector.succeeded("PUT")  # the core's edit, now sent as an update of the card
        assert put.activity_id == prompt.activity_id
        assert text_of(put) == "✅ Approved: restart db-1 (by alice)"
    finally:
        await teams.stop()


async def test_with_graph_an_incident_gets_a_channel_whose_every_thread_is_captured_across_a_restart(
    tmp_path: Path, connector: FakeConnector
) -> None:
    app = await open_app(tmp_path / "w.db")
    teams = TeamsDriver(graph=True, connector=connector)
    await teams.start(app)
    await teams.post("alice", '/incident declare "Checkout is down"')
    await teams.post("alice", '/incident declare "Leaked deploy key" --private')
    await teams.settle()
    standard, private = [r for r in connector.requests if r.path.startswith("/graph/")]
    assert standard.path == f"/graph/teams/{TEAM_GROUP_ID}/channels"
    assert standard.authorization == "Bearer warroom-test-token"
    assert standard.body["displayName"] == "inc-1-checkout-is-down"
    assert standard.body["membershipType"] == "standard" and "members" not in standard.body
    assert private.body["membershipType"] == "private"
    assert private.body["members"][0]["user@odata.bind"].endswith("users('aad-alice')")
    assert private.body["members"][0]["roles"] == ["owner"]
    channel = teams.channel_of("INC-1")
    assert channel == standard.conversation and not connector.threads()
    assert any("Checkout is down" in text for text in teams.bot_texts(channel))  # the intro, as a post in it

    await teams.post("bob", "db-1 is at 100% CPU", channel=f"{channel};messageid=501")  # a post in the channel
    await teams.settle()
    await teams.stop()
    await app.close()

    app = await open_app(tmp_path / "w.db")  # a restart: Teams and the database stay
    teams = TeamsDriver(graph=True, connector=connector)
    await teams.start(app)
    try:
        await teams.adapter.send(
            ConversationRef("teams", channel), Message.plain("still here"), key="k", in_reply_to=None
        )
        await teams.post("carol", "rolling back api", channel=f"{channel};messageid=502")  # another post in it
        await teams.settle()
        texts = [entry.text for entry in queries.of_kind(app.db, 1, "message")]
        assert texts == ["db-1 is at 100% CPU", "rolling back api"]
        assert teams.bot_texts(channel)[-1] == "still here"
    finally:
        await teams.stop()
        await app.close()


async def test_when_graph_refuses_the_incident_still_starts_and_the_reason_is_reported(app: Warroom) -> None:
    teams = TeamsDriver(graph=True)
    await teams.start(app)
    try:
        teams.connector.fail_next = [403]
        await teams.post("alice", '/incident declare "Checkout is down"')
        await teams.settle()
        assert queries.incident_ids(app.db) == [1] and app.channels_of("INC-1", "teams") == []
        assert any("couldn't open a channel" in text for text in teams.bot_texts())
        assert "Channel.Create" in str(teams.adapter.health().report()["last_error"])
    finally:
        await teams.stop()


async def test_a_busy_port_is_retried_then_refused_with_the_key_to_change(
    app: Warroom, connector: FakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("warroom.adapters.teams.adapter._BIND_ATTEMPTS", 2)  # one retry, after 0.5 s
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        adapter = TeamsAdapter(teams_settings(connector, port=taken.getsockname()[1]), app)
        with pytest.raises(TeamsError, match=r"cannot listen on 127\.0\.0\.1:\d+ .*adapters\.teams\.port"):
            await adapter.start(app.inbound)
    assert adapter.health().report()["state"] == "failed"
