"""Microsoft Teams as a Warroom platform, on the Microsoft 365 Agents SDK.

Teams talks to a bot over HTTP in both directions: it POSTs activities to
the bot's endpoint (:mod:`.endpoint`), and the bot calls the Bot Connector
back to post (:mod:`.proactive`). An incident's space is a new thread in the
configured incidents channel, or a channel of its own created through
Microsoft Graph (:mod:`.graph`) when Graph is configured.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from aiohttp import web
from warroom.adapters.teams import render, sdk
from warroom.adapters.teams.endpoint import Endpoint
from warroom.adapters.teams.graph import Graph
from warroom.adapters.teams.inbound import Translator
from warroom.adapters.teams.invoke import Invokes
from warroom.adapters.teams.proactive import Proactive
from warroom.adapters.teams.references import Reference, References, reference_for
from warroom.adapters.teams.render import PLATFORM
from warroom.adapters.teams.settings import TeamsSettings
from warroom.core.adapter import (
    AdapterHealth,
    AdapterHost,
    Capabilities,
    ChannelSpec,
    ConversationRef,
    Message,
    MessageRef,
    Paragraph,
    Sink,
    Text,
    UserRef,
)

log = logging.getLogger(__name__)
THREAD_INTRO = "Incident thread: reply here. What is said in this thread goes on the incident's timeline."
_BIND_ATTEMPTS = 5


class TeamsError(RuntimeError):
    """Teams cannot do what was asked; the message says what to configure."""


class TeamsAdapter:
    platform = PLATFORM
    Settings = TeamsSettings

    def __init__(self, settings: TeamsSettings, host: AdapterHost) -> None:
        self.settings = settings
        self.capabilities = Capabilities(
            create_channel=True,
            private_channel=settings.graph is not None,
            threads=True,
            buttons=True,
            reactions=True,
            edit=True,
            # No invite: a thread has no membership of its own (whoever sees the incidents channel sees it),
            # and adding someone to a Graph private channel (POST …/channels/{id}/members) is not built.
            invite=False,
        )
        self._references = References(host.adapter_state(PLATFORM))
        manager, auth = sdk.connections(settings)
        cloud = sdk.cloud_adapter(manager)
        self._proactive = Proactive(cloud, sdk.app_id(settings))
        self._commands = settings.command_form()  # how command hints read: “@Warroom incident …”
        self._invokes = Invokes(self._commands)
        translator = Translator(settings.command_prefix, settings.key_reaction, self._references.channel_spaces)
        self._endpoint = Endpoint(
            sdk.application(manager),
            cloud,
            auth,
            translator,
            self._references,
            self._invokes,
            settings.invoke_wait_seconds,
        )
        self._mounted = False
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._graph: Graph | None = None
        self._stopped = asyncio.Event()
        self.ready = asyncio.Event()
        self._state = "stopped"
        self._sent = 0
        self._failures = 0
        self._last_error: str | None = None

    # --- hosting ----------------------------------------------------------------------------------

    def mount(self, app: web.Application) -> None:
        """Serve the endpoint on ``app`` (the process's shared web app, before it starts); start() then opens no
        server of its own."""
        self._endpoint.install(app, self.settings.path)
        self._mounted = True

    def web_app(self) -> web.Application:
        """A web app serving only the Teams endpoint."""
        app = web.Application()
        self._endpoint.install(app, self.settings.path)
        return app

    @property
    def endpoint(self) -> str:
        """Where Teams must POST (the Azure Bot's messaging endpoint, behind your HTTPS front)."""
        if self._runner is not None and self._runner.addresses:
            host, port = self._runner.addresses[0][:2]
            return f"http://{host}:{port}{self.settings.path}"
        return self.settings.path

    async def start(self, sink: Sink) -> None:
        """Accept activities and hand them to ``sink`` until :meth:`stop`."""
        self._state = "starting"
        self._stopped.clear()
        self._references.load()
        if self.settings.graph is not None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
            self._graph = Graph(
                self.settings.graph.base_url, self.settings.team_id, sdk.graph_token(self.settings), self._session
            )
        if not self._mounted:
            try:
                await self._listen()
            except TeamsError:
                await self.stop()
                self._state = "failed"
                raise
        self._endpoint.open(sink)
        self._state = "listening"
        auth = "ANONYMOUS (test run)" if self.settings.anonymous_for_tests else "JWT-validated"
        log.info("Teams: %s requests accepted at %s", auth, self.endpoint)
        self.ready.set()
        await self._stopped.wait()

    async def stop(self) -> None:
        self._state = "stopping"
        await self._endpoint.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None
            self._graph = None
        self._state = "stopped"
        self.ready.clear()
        self._stopped.set()
        log.info("Teams: stopped")

    async def drain(self) -> None:
        """Wait until every activity received so far has been handled by the core."""
        await self._endpoint.drain()

    def health(self) -> AdapterHealth:
        endpoint = self._endpoint
        details = {
            "platform": PLATFORM,
            "endpoint": self.endpoint,
            "authentication": "anonymous (test run)" if self.settings.anonymous_for_tests else "jwt",
            "incident_spaces": "graph channels" if self.settings.graph else "threads in incidents_channel",
            "received": endpoint.received,
            "in_flight": endpoint.in_flight(),
            "last_activity_at": endpoint.last_activity_at.isoformat() if endpoint.last_activity_at else None,
            "sent": self._sent,
            "send_failures": self._failures,
            "last_error": self._last_error,
        }
        return AdapterHealth(self._state, details=details)

    async def _listen(self) -> None:
        """Listen on host:port, retrying a busy port a few times (a previous process still shutting down)."""
        runner = web.AppRunner(self.web_app(), access_log=None)
        await runner.setup()
        host, port = self.settings.host, self.settings.port
        for attempt in range(_BIND_ATTEMPTS):
            try:
                await web.TCPSite(runner, host, port).start()
                break
            except OSError as error:
                if attempt == _BIND_ATTEMPTS - 1:
                    await runner.cleanup()
                    raise TeamsError(
                        f"adapters.teams: cannot listen on {host}:{port} ({error.strerror or error}); "
                        "stop what uses that port or change adapters.teams.port"
                    ) from None
                delay = min(8.0, 0.5 * 2**attempt)
                log.warning("Teams: %s:%s is busy (%s); retrying in %.1f s", host, port, error.strerror, delay)
                await asyncio.sleep(delay)
        self._runner = runner

    # --- outbound ---------------------------------------------------------------------------------

    async def send(
        self, conversation: ConversationRef, message: Message, *, key: str, in_reply_to: MessageRef | None
    ) -> MessageRef | None:
        """Post ``message`` as an Adaptive Card in the conversation (a thread is the incident's space already).

        ``key`` is unused: Teams has no way to deduplicate a resend."""
        self._invokes.note_said(conversation.id, message)
        payload = render.activity(message, self._commands)
        try:
            activity_id = await self._proactive.send(self._reference(conversation.id), payload)
        except Exception as error:
            self._failed(error)
            raise
        self._sent += 1
        return MessageRef(conversation, activity_id) if activity_id else None

    async def edit(self, message: MessageRef, replacement: Message) -> None:
        """Replace a posted card; while its button is being clicked, the new card goes into the click's response."""
        if self._invokes.capture_edit(message, render.card(replacement, self._commands)):
            return
        try:
            await self._proactive.update(
                self._reference(message.conversation.id), message.id, render.activity(replacement, self._commands)
            )
        except Exception as error:
            self._failed(error)
            raise

    async def invite(self, conversation: ConversationRef, user: UserRef) -> None:
        """Never called (``capabilities.invite`` is off): whoever sees the incidents channel sees its threads."""
        log.warning("Teams: cannot invite %s to %s; this adapter has no invitations", user.id, conversation.id)

    async def create_channel(self, spec: ChannelSpec) -> ConversationRef:
        """A new thread in the incidents channel, or with Graph configured a new channel in the team."""
        origin = self._references.get(spec.requested_in.id) or self._references.any()
        try:
            if self._graph is not None:
                return await self._graph_channel(self._graph, spec, origin)
            return await self._thread(spec, origin)
        except Exception as error:
            self._failed(error)
            raise

    async def _thread(self, spec: ChannelSpec, origin: Reference | None) -> ConversationRef:
        channel = self.settings.incidents_channel
        base = self._reference_like(channel, origin)
        tenant = base["conversation"].get("tenantId", "")
        root = render.activity(Message(title=spec.topic, blocks=(Paragraph((Text(THREAD_INTRO),)),)), self._commands)
        parameters: dict[str, Any] = {"isGroup": True, "bot": base["bot"], "activity": root}
        parameters["channelData"] = {"channel": {"id": channel}}
        if tenant:
            parameters["channelData"]["tenant"] = {"id": tenant}
            parameters["tenantId"] = tenant
        thread_id = await self._proactive.new_thread(base["serviceUrl"], parameters)
        await self._remember({**base, "conversation": {**base["conversation"], "id": thread_id}})
        log.info("Teams: opened thread %s for %s", thread_id, spec.topic)
        return ConversationRef(PLATFORM, thread_id, f"the thread “{spec.topic}” in the incidents channel")

    async def _graph_channel(self, graph: Graph, spec: ChannelSpec, origin: Reference | None) -> ConversationRef:
        owner = None
        if spec.private:
            owners = [self._references.entra_id(member.id) for member in spec.members]
            owner = next((found for found in owners if found), None)
            if owner is None:
                raise TeamsError("a private channel needs an owner's Entra id, and the declarer's is not known yet")
        created = await graph.create_channel(spec.name, spec.topic, owner)
        await self._remember(self._reference_like(created.id, origin))
        await self._references.add_channel_space(created.id)
        log.info("Teams: created channel %s (%s) for %s", created.name, created.id, spec.topic)
        return ConversationRef(PLATFORM, created.id, created.name)

    async def _remember(self, reference: Reference) -> None:
        write = self._references.put(reference)
        if write is not None:
            await write

    def _reference(self, conversation_id: str) -> Reference:
        found = self._references.get(conversation_id)
        if found is not None:
            return found
        log.warning("Teams: no stored reference for %s; posting through %s", conversation_id, self.settings.service_url)
        return self._reference_like(conversation_id, self._references.any())

    def _reference_like(self, conversation_id: str, like: Reference | None) -> Reference:
        settings = self.settings
        return reference_for(conversation_id, like, settings.service_url, self._bot_id(), settings.tenant_id)

    def _bot_id(self) -> str:
        return f"28:{sdk.app_id(self.settings)}"

    def _failed(self, error: Exception) -> None:
        self._failures += 1
        self._last_error = f"{type(error).__name__}: {error}"[:300]
