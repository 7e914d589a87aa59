"""The HTTP endpoint: health for operators, served by a real aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path

from warroom.adapters.web import WebAdapter, WebSettings
from warroom.core.app import InstalledAdapters, Warroom
from warroom.core.config.loader import load_config
from warroom.core.plugin import Plugin
from warroom.core.testing import Harness


class Broken(Plugin):
    async def setup(self) -> None:
        raise ConnectionError("the CMDB is down")


def fetch(port: int) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def serve(h: Harness) -> tuple[WebAdapter, asyncio.Task[None]]:
    web = WebAdapter(WebSettings(port=0), h.app)
    h.app.add_adapter(web)
    await h.start()
    serving = asyncio.create_task(web.start(h.app.inbound))
    await asyncio.wait_for(web.ready.wait(), timeout=10)
    return web, serving


async def test_health_reports_every_part_and_fails_when_one_does(tmp_path: Path) -> None:
    h = Harness(tmp_path / "w.db", plugins={"broken": Broken})
    web, serving = await serve(h)
    status, report = await asyncio.to_thread(fetch, web.port)
    assert status == 503
    assert report["plugins"] == {"broken": "failed"}
    assert report["adapters"] == {"fake": {"ok": True}, "web": {"state": "serving", "port": web.port, "ok": True}}
    await web.stop()
    await serving
    await h.close()


async def test_health_is_200_when_all_is_well(tmp_path: Path) -> None:
    h = Harness(tmp_path / "w.db")
    web, serving = await serve(h)
    status, report = await asyncio.to_thread(fetch, web.port)
    assert (status, report["ok"]) == (200, True)
    await web.stop()
    await serving
    await h.close()


def test_a_webhook_adapter_mounts_on_the_shared_server(tmp_path: Path) -> None:
    path = tmp_path / "warroom.yaml"
    path.write_text(
        f"database: {{url: 'sqlite:///{tmp_path / 'w.db'}'}}\n"
        "adapters:\n  web: {port: 0}\n  teams:\n"
        "    client_id: 7d2c6a4e-0b7f-4c4e-9a55-1f0b8e2d9c31\n"
        "    client_secret: s3cr3t~from-the-app-registration\n"
        "    tenant_id: 5b1e3f7a-2c4d-4e6f-8a9b-0c1d2e3f4a5b\n"
        "    incidents_channel: '19:incidents@thread.tacv2'\n",
        encoding="utf-8",
    )
    app = Warroom(load_config(path, environ={}, adapter_models=InstalledAdapters()))
    app.add_configured_adapters()
    web = next(adapter for adapter in app.adapters if isinstance(adapter, WebAdapter))
    routes = {(route.method, route.resource.canonical) for route in web.app.router.routes() if route.resource}
    assert ("POST", "/api/messages") in routes and ("GET", "/health") in routes
    app.close_storage()
