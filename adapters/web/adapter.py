"""One aiohttp server per process, shared by whoever needs HTTP.

``GET /health`` answers 200 with every adapter's and plugin's state while all
are well, 503 when one is not, so a load balancer or an orchestrator can act
on it. Adapters that receive webhooks (Teams) contribute their routes here
instead of opening servers of their own.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from warroom.core.adapter import (
    AdapterHealth,
    Capabilities,
    ChannelSpec,
    ConversationRef,
    Message,
    MessageRef,
    Sink,
    UserRef,
)

log = logging.getLogger(__name__)


class WebSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    host: str = Field(default="127.0.0.1", description="address to listen on")
    port: int = Field(default=8080, ge=0, le=65535, description="0 picks a free port")


class HealthSource(Protocol):
    def health(self) -> dict[str, Any]: ...


class WebAdapter:
    """Serves HTTP; it posts nothing, so it has no chat capabilities."""

    platform = "web"
    capabilities = Capabilities()
    Settings = WebSettings

    def __init__(self, settings: WebSettings, host: HealthSource) -> None:
        self._settings = settings
        self._host = host
        self.app = web.Application()
        self.app.router.add_get("/health", self._health)
        self._runner: web.AppRunner | None = None
        self._stopped = asyncio.Event()
        self.ready = asyncio.Event()  # set once the port is bound
        self.port = settings.port

    def add_routes(self, routes: list[web.RouteDef]) -> None:
        """Mount another adapter's routes; only before :meth:`start`."""
        self.app.router.add_routes(routes)

    async def start(self, sink: Sink) -> None:
        if self._runner is not None:  # started again after a failure (e.g. the port was taken): free the old one
            await self._runner.cleanup()
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._settings.host, self._settings.port)
        await site.start()
        for address in self._runner.addresses:  # the port actually bound, when 0 asked for any
            self.port = int(address[1])
        log.info("HTTP endpoint on http://%s:%d", self._settings.host, self.port)
        self.ready.set()
        await self._stopped.wait()

    async def stop(self) -> None:
        self._stopped.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def health(self) -> AdapterHealth:
        return AdapterHealth("serving" if self._runner else "stopped", details={"port": self.port})

    async def send(
        self, conversation: ConversationRef, message: Message, *, key: str, in_reply_to: MessageRef | None
    ) -> MessageRef | None:
        log.warning("nothing can be posted to the web endpoint; dropped a message for %s", conversation.id)
        return None

    async def create_channel(self, spec: ChannelSpec) -> ConversationRef:
        raise RuntimeError("the web endpoint has no channels")  # capabilities.create_channel is False

    async def edit(self, message: MessageRef, replacement: Message) -> None:
        log.warning("the web endpoint posts nothing, so it edits nothing")

    async def invite(self, conversation: ConversationRef, user: UserRef) -> None:
        log.warning("the web endpoint has no channels to invite %s to", user.id)  # capabilities.invite is False

    async def _health(self, _request: web.Request) -> web.Response:
        report = self._host.health()
        return web.json_response(report, status=200 if report.get("ok") else 503)
