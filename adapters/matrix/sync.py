"""Receiving from Matrix: each sync's events to the core in order, then (only then) its token stored.

nio calls a ``SyncResponse`` callback after it has processed a sync; that is
where this module reads the timelines (backfilling gaps a limited timeline
left), translates them and hands them to the core. The sync token is stored
only once every event of that sync was accepted by the core, so a crash or
restart resumes exactly after what was handled — and the core deduplicates
by event id if a sync is ever replayed. The callback never raises into nio
(an exception there ends ``sync_forever``) and never waits on the core,
except to bound how many syncs may be in flight.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from nio import AsyncClient, Event, MessageDirection, RoomMemberEvent, RoomMessagesResponse, SyncError, SyncResponse
from warroom.adapters.matrix.inbound import Translated, Translator
from warroom.adapters.matrix.settings import MatrixSettings
from warroom.core.adapter import AdapterState, Sink

log = logging.getLogger(__name__)
SYNC = "sync"
MAX_IN_FLIGHT = 8  # syncs handed to the core but not yet committed, before the sync loop waits
MAX_BACKFILL = 1000  # events fetched to close one room's gap
REMEMBERED = 10_000  # handled event ids kept for :meth:`Receiver.handled`
Joiner = Callable[[str, str], Awaitable[None]]


class Receiver:
    def __init__(
        self,
        client: AsyncClient,
        settings: MatrixSettings,
        state: AdapterState,
        translator: Translator,
        on_thread: Callable[[str, str, str], None],
        on_invite: Joiner,
    ) -> None:
        self._client = client
        self._settings = settings
        self._state = state
        self._translator = translator
        self._on_thread = on_thread
        self._on_invite = on_invite
        self._sink: Sink | None = None
        self._since: str | None = None
        self._tail: asyncio.Future[None] | None = None
        self._in_flight = 0
        self._stalled = False
        self._handled: OrderedDict[str, None] = OrderedDict()
        self._invites_seen: set[str] = set()
        self._joining: set[asyncio.Future[None]] = set()
        self.syncs = 0
        self.failures = 0
        self.last_error = ""
        self.last_sync_at: datetime | None = None
        self.session_ended = False
        self.backfilled = 0
        self.sync_filter: dict[str, Any] = {"room": {"timeline": {"limit": settings.timeline_limit}}}

    @property
    def token(self) -> str | None:
        return self._since

    def stored_token(self) -> str | None:
        stored = self._state.get(SYNC)
        if isinstance(stored, dict) and stored.get("user_id") == self._settings.user_id:
            token = stored.get("next_batch")
            return token if isinstance(token, str) else None
        return None

    def handled(self, event_id: str) -> bool:
        """Whether the core has taken this event (for observers waiting on the bot)."""
        return event_id in self._handled

    async def first_sync(self) -> str:
        """The first sync of a new bot: learn the rooms, skip their history, remember where now is."""
        response = await self._client.sync(timeout=0, full_state=True, sync_filter=self.sync_filter)
        if not isinstance(response, SyncResponse):
            raise ConnectionError(f"the first sync failed: {response}")
        await self._store(response.next_batch)
        self._since = response.next_batch
        self._accept_invites(response)
        return str(response.next_batch)

    def attach(self, sink: Sink, since: str) -> None:
        self._sink = sink
        self._since = since
        self._client.add_response_callback(self._on_sync, SyncResponse)
        self._client.add_response_callback(self._on_error, SyncError)

    async def drain(self, timeout: float) -> None:
        """Wait (a bounded time) for handed-over events to be handled and their token stored."""
        if self._tail is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._tail), timeout)
            except TimeoutError:
                log.warning("matrix: stopped before the core took every event; they come again on the next start")

    # nio callbacks: never raise

    async def _on_sync(self, response: SyncResponse) -> None:
        try:
            self.syncs += 1
            self.failures = 0
            self.last_sync_at = datetime.now(UTC)
            since, self._since = self._since, response.next_batch
            self._accept_invites(response)
            batch = await self._collect(response, since)
            self._hand_over(batch, response.next_batch)
            if self._in_flight > MAX_IN_FLIGHT and self._tail is not None:
                await asyncio.shield(self._tail)  # the core is behind: stop fetching until it catches up
        except Exception:
            log.exception("matrix: could not handle a sync; its events come again on the next start")
            self._stalled = True

    async def _on_error(self, response: SyncError) -> None:
        try:
            self.failures += 1
            self.last_error = str(response)
            self.session_ended = response.status_code in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN")
            log.warning("matrix: sync failed (%s); reconnecting after a pause", response)
            self._client.stop_sync_forever()
        except Exception:
            log.exception("matrix: could not handle a failed sync")

    # Reading timelines

    async def _collect(self, response: SyncResponse, since: str | None) -> list[Translated]:
        batch: list[Translated] = []
        for room_id, info in response.rooms.join.items():
            room = self._client.rooms.get(room_id)
            if room is None:
                continue
            events: list[Event] = list(info.timeline.events)
            joined = self._own_join(events)
            if joined is not None:
                events = events[joined + 1 :]  # what came before the bot joined is not its to handle
            elif info.timeline.limited and info.timeline.prev_batch and since:
                older = await self._backfill(room_id, info.timeline.prev_batch, since)
                joined = self._own_join(older)
                events = (older[joined + 1 :] if joined is not None else older) + events
            for event in events:
                translated = self._translator.translate(room, event)
                if translated is not None:
                    batch.append(translated)
        return batch

    def _own_join(self, events: list[Event]) -> int | None:
        for index in range(len(events) - 1, -1, -1):
            event = events[index]
            if (
                isinstance(event, RoomMemberEvent)
                and event.state_key == self._settings.user_id
                and event.membership == "join"
                and event.prev_membership != "join"
            ):
                return index
        return None

    async def _backfill(self, room_id: str, start: str, since: str) -> list[Event]:
        """The events a limited timeline left out, oldest first, back to the previous sync."""
        found: list[Event] = []
        while len(found) < MAX_BACKFILL:
            page = await self._client.room_messages(room_id, start, since, MessageDirection.back, 100)
            if not isinstance(page, RoomMessagesResponse):
                log.warning("matrix: could not fetch what was missed in %s: %s", room_id, page)
                break
            found.extend(page.chunk)
            if not page.chunk or not page.end or page.end == start:
                break
            start = page.end
        else:
            log.warning(
                "matrix: more than %d events were missed in %s; only the newest are captured", MAX_BACKFILL, room_id
            )
        found.reverse()
        self.backfilled += len(found)
        log.info("matrix: fetched %d events a limited sync left out in %s", len(found), room_id)
        return found

    def _accept_invites(self, response: SyncResponse) -> None:
        me = self._settings.user_id
        for room_id, info in response.rooms.invite.items():
            if room_id in self._invites_seen:
                continue
            self._invites_seen.add(room_id)
            inviter = next((e.sender for e in info.invite_state if _invites(e, me)), None)
            if inviter is not None and self._settings.accepts_invite_from(inviter):
                joining = asyncio.ensure_future(self._on_invite(room_id, inviter))
                self._joining.add(joining)
                joining.add_done_callback(self._joining.discard)
            else:
                log.info("matrix: not joining %s: invited by %s, who is not in accept_invites_from", room_id, inviter)

    # Handing over to the core, in order

    def _hand_over(self, batch: list[Translated], token: str) -> None:
        deliveries = [asyncio.ensure_future(self._deliver(item)) for item in batch]
        for item in batch:
            if item.thread_root is not None:
                self._on_thread(item.event.event_id, item.event.conversation.id, item.thread_root)
        ids = [item.event.event_id for item in batch]
        self._in_flight += 1
        self._tail = asyncio.ensure_future(self._commit(self._tail, deliveries, ids, token))

    async def _deliver(self, item: Translated) -> bool:
        assert self._sink is not None
        try:
            await self._sink(item.event)
        except Exception:
            log.exception("matrix: Warroom could not take event %s", item.event.event_id)
            return False
        return True

    async def _commit(
        self, previous: asyncio.Future[None] | None, deliveries: list[asyncio.Task[bool]], ids: list[str], token: str
    ) -> None:
        try:
            if previous is not None:
                await previous
            accepted = await asyncio.gather(*deliveries)
            if not all(accepted):
                self._stalled = True
            for event_id, taken in zip(ids, accepted, strict=True):
                if taken:
                    self._handled[event_id] = None
            while len(self._handled) > REMEMBERED:
                self._handled.popitem(last=False)
            if self._stalled:
                log.error("matrix: not storing the sync position past an event Warroom did not take")
                return
            await self._store(token)
        except Exception:
            self._stalled = True
            log.exception("matrix: could not store the sync position")
        finally:
            self._in_flight -= 1

    async def _store(self, token: str) -> None:
        await self._state.set(SYNC, {"user_id": self._settings.user_id, "next_batch": token})

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def stalled(self) -> bool:
        return self._stalled


def _invites(event: Event, user_id: str) -> bool:
    return getattr(event, "state_key", None) == user_id and getattr(event, "membership", None) == "invite"
