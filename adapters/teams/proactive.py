"""Posting into Teams outside of an inbound turn, from stored ConversationReferences.

Every reply Warroom sends is proactive: the core queues it and the outbox
posts it after the inbound HTTP request was long answered. Each call opens a
turn with ``continue_conversation`` (or ``create_conversation`` for a new
thread) and is retried on 429/412/502/504 by :mod:`.retry`. Failures inside
the turn are carried out of it by hand: the SDK would otherwise hand them to
``on_turn_error`` and swallow them, and the retry would never see a 429.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from microsoft_agents.activity import Activity, ConversationParameters, ConversationReference
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import AuthenticationConstants, TurnContext
from warroom.adapters.teams.references import Reference
from warroom.adapters.teams.retry import with_retries

T = TypeVar("T")
CHANNEL = "msteams"


class Proactive:
    def __init__(self, cloud: CloudAdapter, app_id: str) -> None:
        self._cloud = cloud
        self._app_id = app_id

    async def send(self, reference: Reference, payload: dict[str, Any]) -> str:
        """Post a message activity; returns the id Teams gave it."""

        async def post(context: TurnContext) -> str:
            sent = await context.send_activity(Activity.model_validate(payload))
            return str(sent.id or "")

        where = reference["conversation"]["id"]
        return await with_retries(lambda: self._turn(reference, post), f"posting to {where}")

    async def update(self, reference: Reference, activity_id: str, payload: dict[str, Any]) -> None:
        """Replace a message the bot posted (PUT …/activities/{id})."""

        async def put(context: TurnContext) -> None:
            await context.update_activity(Activity.model_validate({**payload, "id": activity_id}))

        where = reference["conversation"]["id"]
        await with_retries(lambda: self._turn(reference, put), f"updating message {activity_id} in {where}")

    async def new_thread(self, service_url: str, parameters: dict[str, Any]) -> str:
        """Start a conversation (a new thread when ``channelData.channel.id`` names a channel); returns its id."""
        created: list[str] = []

        async def record(context: TurnContext) -> None:
            created.append(str(context.activity.conversation.id))

        async def attempt() -> None:
            await self._cloud.create_conversation(
                self._app_id,
                CHANNEL,
                service_url,
                AuthenticationConstants.AGENTS_SDK_SCOPE,
                ConversationParameters.model_validate(parameters),
                record,
            )

        await with_retries(attempt, "starting a Teams thread")
        return created[-1]

    async def _turn(self, reference: Reference, work: Callable[[TurnContext], Awaitable[T]]) -> T:
        results: list[T] = []
        errors: list[Exception] = []

        async def callback(context: TurnContext) -> None:
            try:
                results.append(await work(context))
            except Exception as error:  # carried out of the SDK's turn, re-raised below
                errors.append(error)

        continuation = ConversationReference.model_validate(reference).get_continuation_activity()
        continuation.id = None  # no reply-to: post into the conversation (a channel thread) itself
        await self._cloud.continue_conversation(self._app_id, continuation, callback)
        if errors:
            raise errors[0]
        return results[0]
