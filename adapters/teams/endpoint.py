"""The HTTP side of the Teams adapter: where Teams POSTs activities.

Every request passes the SDK's JWT validation first (401 without a valid
token), then runs one SDK turn. A turn only translates and hands the event to
the core in a task of its own, so Teams gets its 202 at once and never
redelivers for slowness; slow work (the database, channel creation, replies)
happens after. The exception is a card button: its response must carry the
updated card, so that turn waits, bounded, for the core's handling.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from microsoft_agents.activity import AdaptiveCardInvokeResponse
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator, start_agent_process
from microsoft_agents.hosting.core import AgentApplication, AgentAuthConfiguration, TurnContext, TurnState
from warroom.adapters.teams import invoke
from warroom.adapters.teams.inbound import Raw, Translator, addresses_bot
from warroom.adapters.teams.invoke import Invokes
from warroom.adapters.teams.references import References
from warroom.adapters.teams.render import VERB
from warroom.core.adapter import InboundEvent, Sink

log = logging.getLogger(__name__)
_AUTH_CONFIG_KEY = "agent_configuration"  # where the SDK's JWT check looks for its configuration


class Endpoint:
    def __init__(
        self,
        application: AgentApplication[TurnState],
        cloud: CloudAdapter,
        auth: AgentAuthConfiguration,
        translator: Translator,
        references: References,
        invokes: Invokes,
        invoke_wait: float,
    ) -> None:
        self._application = application
        self._cloud = cloud
        self._auth = auth
        self._translator = translator
        self._references = references
        self._invokes = invokes
        self._invoke_wait = invoke_wait
        self._sink: Sink | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.received = 0
        self.last_activity_at: datetime | None = None
        self.handler = jwt_authorization_decorator(self._handle)  # type: ignore[no-untyped-call]
        application.activity("message")(self._on_message)
        application.activity("messageReaction")(self._on_reaction)
        application.adaptive_card.action_execute(VERB)(self._on_card_action)
        # The bot added to a team or a chat: nothing to do but learn where (and through which URL) to post.
        application.activity(["conversationUpdate", "installationUpdate"])(self._on_update)
        # Edits and deletions of messages are not captured: the timeline keeps what was said.
        application.activity(["messageUpdate", "messageDelete", "typing"])(self._ignore)

    # --- serving --------------------------------------------------------------------------------

    def install(self, app: web.Application, path: str) -> None:
        """Add the endpoint to ``app`` (which must not have started yet)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", web.NotAppKeyWarning)  # the SDK looks the configuration up by this name
            app[_AUTH_CONFIG_KEY] = self._auth
        app.router.add_post(path, self.handler)

    def open(self, sink: Sink) -> None:
        self._sink = sink

    def in_flight(self) -> int:
        return len(self._tasks)

    async def drain(self) -> None:
        """Wait until every event handed over so far has been handled by the core."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        self._sink = None
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self._sink is None:  # mounted on a web app that serves before Warroom started: Teams retries later
            return web.json_response({"error": "Warroom is starting; try again shortly."}, status=503)
        response = await start_agent_process(request, self._application, self._cloud)
        return response if response is not None else web.Response(status=500)

    # --- turns: translate, remember where to answer, hand over ------------------------------------

    async def _on_message(self, context: TurnContext, _state: TurnState) -> None:
        raw = self._seen(context)
        event = self._translator.message(raw, addressed=addresses_bot(raw))
        if event is not None:
            self._hand_over(event)

    async def _on_reaction(self, context: TurnContext, _state: TurnState) -> None:
        for event in self._translator.reactions(self._seen(context)):
            self._hand_over(event)

    async def _on_update(self, context: TurnContext, _state: TurnState) -> None:
        self._seen(context)

    async def _ignore(self, _context: TurnContext, _state: TurnState) -> None:
        return None

    async def _on_card_action(
        self, context: TurnContext, _state: TurnState, _data: object
    ) -> AdaptiveCardInvokeResponse:
        raw = self._seen(context)
        event = self._translator.button(raw)
        if event is None:
            return invoke.message_response("That button is not one of Warroom's.")
        earlier = self._invokes.answered(event.event_id)
        if earlier is not None:  # Teams retried the click: same answer, handled once
            return earlier
        if event.message is None:
            self._hand_over(event)
            return invoke.message_response(invoke.RECEIVED)
        window = self._invokes.open(event.message)
        task = self._hand_over(event)
        try:
            await asyncio.wait_for(asyncio.shield(task), self._invoke_wait)
            finished = True
        except TimeoutError:
            finished = False
            log.warning("a card button took over %.1f s; answering Teams before the core finished", self._invoke_wait)
        finally:
            self._invokes.close(window)
        answer = invoke.response(window, finished=finished)
        self._invokes.remember(event.event_id, answer)
        return answer

    def _seen(self, context: TurnContext) -> Raw:
        """The activity as Bot Framework JSON; its conversation reference is kept for replying later."""
        raw: Raw = context.activity.model_dump(mode="json", by_alias=True, exclude_none=True)
        self.received += 1
        self.last_activity_at = datetime.now(UTC)
        write = self._references.remember(raw, self._translator.conversation(raw).id)
        if write is not None:
            self._track(write)
        return raw

    def _hand_over(self, event: InboundEvent) -> asyncio.Task[None]:
        return self._track(self._deliver(event))

    def _track(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _deliver(self, event: InboundEvent) -> None:
        sink = self._sink
        if sink is None:
            return
        try:
            await sink(event)
        except Exception:  # the core answers bad input itself; this is a bug or an outage, and only logged
            log.exception("handling Teams event %s failed", event.event_id)
