"""Warroom on Matrix: one bot account syncing from a homeserver through matrix-nio.

Inbound, :mod:`.sync` reads each sync and hands its events to the core in
order, storing the sync token only after they were handled. Outbound, every
reply is an ``m.notice`` sent with a transaction id derived from what
triggered it, so a resend (a retry here, or a restart replaying the trigger)
lands once. The connection is supervised: a failed sync or a lost
connection is retried after a bounded, jittered backoff; credentials the
server refuses stop the adapter with an error naming the config key.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import random
from collections import OrderedDict
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient, AsyncClientConfig, RoomSendResponse
from warroom.adapters.matrix.inbound import Translator
from warroom.adapters.matrix.render import PLATFORM, Renderer
from warroom.adapters.matrix.rooms import Rooms
from warroom.adapters.matrix.session import LoginRefused, ServerUnavailable, log_in
from warroom.adapters.matrix.settings import MatrixSettings
from warroom.adapters.matrix.sync import Receiver
from warroom.core.adapter import (
    AdapterHealth,
    AdapterHost,
    Capabilities,
    ChannelSpec,
    ConversationRef,
    Message,
    MessageRef,
    Sink,
    UserRef,
)

log = logging.getLogger(__name__)
_TRANSIENT = (ClientError, OSError, TimeoutError, ServerUnavailable)
_THREADS_KEPT = 10_000


class MatrixError(RuntimeError):
    """Something Matrix refused; the message says what, for the logs."""


class MatrixAdapter:
    platform = PLATFORM
    capabilities = Capabilities(
        create_channel=True, private_channel=True, threads=True, reactions=True, edit=True, invite=True
    )
    Settings = MatrixSettings

    def __init__(self, settings: MatrixSettings, host: AdapterHost) -> None:
        self.settings = settings
        self._state = host.adapter_state(PLATFORM)
        self.client = AsyncClient(
            settings.homeserver,
            settings.user_id,
            store_path=_store_path(settings),
            config=_client_config(settings),
        )
        self._renderer = Renderer(settings.command_prefix)
        self._rooms = Rooms(self.client, settings)
        self._threads: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self.receiver = Receiver(
            self.client,
            settings,
            self._state,
            Translator(settings.user_id, settings.key_reaction),
            self._remember_thread,
            self._rooms.join,
        )
        self.ready = asyncio.Event()
        self._status = "stopped"
        self._runner: asyncio.Future[None] | None = None
        self._stopping = False

    # The adapter contract

    async def start(self, sink: Sink) -> None:
        """Log in and sync until :meth:`stop`; raises only when the credentials are refused."""
        self._stopping = False
        self._runner = asyncio.ensure_future(self._supervise(sink))
        try:
            await self._runner
        except asyncio.CancelledError:
            if not self._stopping:
                raise

    async def stop(self) -> None:
        self._stopping = True
        self.client.stop_sync_forever()
        if self._runner is not None and not self._runner.done():
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
        await self.receiver.drain(timeout=10)
        await self.client.close()
        self._status = "stopped"
        self.ready.clear()

    async def send(
        self, conversation: ConversationRef, message: Message, *, key: str, in_reply_to: MessageRef | None
    ) -> MessageRef:
        """Post an ``m.notice``; an answer to a message in a thread goes into that thread."""
        content = self._renderer.content(message)
        trigger = in_reply_to.id if in_reply_to is not None else None
        thread = self._threads.get(trigger) if trigger else None
        if thread is not None and thread[0] == conversation.id:
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": thread[1],
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": trigger},
            }
        event_id = await self._send(conversation.id, content, _tx_id(key))
        return MessageRef(conversation, event_id)

    async def edit(self, message: MessageRef, replacement: Message) -> None:
        content = self._renderer.edit(message.id, replacement)
        fingerprint = message.id + json.dumps(content, sort_keys=True, ensure_ascii=False)
        await self._send(message.conversation.id, content, _tx_id("edit:" + fingerprint))

    async def create_channel(self, spec: ChannelSpec) -> ConversationRef:
        return await self._rooms.create(spec)

    async def invite(self, conversation: ConversationRef, user: UserRef) -> None:
        """Invite ``user`` to the incident's room, public or private (they join from their client)."""
        await self._rooms.invite(conversation.id, user.id)

    def health(self) -> AdapterHealth:
        receiver = self.receiver
        details = {
            "platform": PLATFORM,
            "homeserver": self.settings.homeserver,
            "user_id": self.settings.user_id,
            "device_id": self.client.device_id or None,
            "syncs": receiver.syncs,
            "last_sync_at": receiver.last_sync_at.isoformat() if receiver.last_sync_at else None,
            "consecutive_failures": receiver.failures,
            "last_error": receiver.last_error or None,
            "syncs_in_flight": receiver.in_flight,
            "backfilled_events": receiver.backfilled,
            "stalled": receiver.stalled,
        }
        return AdapterHealth(self._status, self._status == "syncing" and not receiver.stalled, details)

    def handled(self, event_id: str) -> bool:
        """Whether Warroom has taken this Matrix event (observers wait on this instead of sleeping)."""
        return self.receiver.handled(event_id)

    # Connection

    async def _supervise(self, sink: Sink) -> None:
        delay = self.settings.backoff_initial
        logged_in = attached = False
        while not self._stopping:
            syncs_before = self.receiver.syncs
            try:
                self._set_status("connecting")
                if not logged_in:
                    await log_in(self.client, self.settings, self._state)
                    logged_in = True
                since = self.receiver.token or self.receiver.stored_token()
                learn_rooms = since is not None and not attached
                if since is None:
                    since = await self.receiver.first_sync()
                if not attached:
                    self.receiver.attach(sink, since)
                    attached = True
                self._set_status("syncing")
                self.ready.set()
                await self.client.sync_forever(
                    timeout=self.settings.sync_timeout,
                    sync_filter=self.receiver.sync_filter,
                    since=since,
                    full_state=learn_rooms or None,
                )
            except LoginRefused as refused:  # the process reports it (warroom run: that one line, exit 2)
                self._set_status("failed")
                self.receiver.last_error = str(refused)
                raise
            except _TRANSIENT as error:
                self._failed(error)
                log.warning("matrix: connection to %s lost (%s)", self.settings.homeserver, self.receiver.last_error)
            except Exception as error:  # unexpected: keep Matrix up (with backoff) rather than stop Warroom
                self._failed(error)
                log.exception("matrix: the connection failed unexpectedly")
            if self._stopping:
                return
            if self.receiver.session_ended:
                logged_in = False
            if self.receiver.syncs > syncs_before:
                delay = self.settings.backoff_initial  # it worked for a while: start the backoff over
            self._set_status("reconnecting")
            wait = delay * random.uniform(0.5, 1.0)
            log.info("matrix: reconnecting in %.1f s", wait)
            await asyncio.sleep(wait)
            delay = min(delay * 2, self.settings.backoff_max)

    def _failed(self, error: Exception) -> None:
        self.receiver.failures += 1
        self.receiver.last_error = f"{type(error).__name__}: {error}"

    def _set_status(self, status: str) -> None:
        if status != self._status:
            log.info("matrix: %s → %s", self._status, status)
            self._status = status

    async def _send(self, room_id: str, content: dict[str, Any], tx_id: str) -> str:
        if not self.ready.is_set():  # a reply queued before the first login waits for it
            try:
                await asyncio.wait_for(self.ready.wait(), self.settings.request_timeout)
            except TimeoutError:
                raise MatrixError(f"not connected to {self.settings.homeserver}; cannot post in {room_id}") from None
        if self.client.olm is not None:
            await self._until_synced(room_id)
        room = self.client.rooms.get(room_id)
        if room is not None and room.encrypted and self.client.olm is None:
            raise MatrixError(f"{room_id} is encrypted; set adapters.matrix.store_path (with matrix-nio[e2e])")
        failure = ""
        for attempt in range(self.settings.send_retries + 1):
            if attempt:
                await asyncio.sleep(min(self.settings.backoff_initial * 2 ** (attempt - 1), self.settings.backoff_max))
            try:
                response = await self.client.room_send(
                    room_id, "m.room.message", content, tx_id=tx_id, ignore_unverified_devices=True
                )
            except _TRANSIENT as error:
                failure = f"{type(error).__name__}: {error}"
                continue
            if isinstance(response, RoomSendResponse):
                return str(response.event_id)
            failure = str(response)
            status = getattr(response.transport_response, "status", 0) if response.transport_response else 0
            if status and status < 500 and status != 429:
                break  # the server refused this message; sending it again would not change that
        raise MatrixError(f"could not post in {room_id}: {failure}")

    async def _until_synced(self, room_id: str) -> None:
        """Encrypting needs the room's members, which nio learns from a sync (a new room is not there yet)."""
        deadline = asyncio.get_running_loop().time() + self.settings.request_timeout
        while room_id not in self.client.rooms:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise MatrixError(f"{room_id} did not appear in a sync; cannot encrypt for its members")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.client.synced.wait(), remaining)

    def _remember_thread(self, event_id: str, room_id: str, root: str) -> None:
        self._threads[event_id] = (room_id, root)
        while len(self._threads) > _THREADS_KEPT:
            self._threads.popitem(last=False)


def _client_config(settings: MatrixSettings) -> AsyncClientConfig:
    try:
        return AsyncClientConfig(
            max_limit_exceeded=settings.max_limit_exceeded,
            max_timeouts=settings.max_timeouts,
            request_timeout=settings.request_timeout,
            max_timeout_retry_wait_time=settings.backoff_max,
            store_sync_tokens=False,  # nio would store it before the events are handled; Warroom stores it after
            encryption_enabled=settings.store_path is not None,
        )
    except ImportWarning:
        raise MatrixError(
            "adapters.matrix.store_path turns on end-to-end encryption, which needs: pip install 'warroom[matrix-e2e]'"
        ) from None


def _store_path(settings: MatrixSettings) -> str:
    if settings.store_path is None:
        return ""
    settings.store_path.mkdir(parents=True, exist_ok=True)
    return str(settings.store_path)


def _tx_id(key: str) -> str:
    """A transaction id that is the same every time the same trigger is answered."""
    return "warroom-" + hashlib.sha256(key.encode()).hexdigest()[:32]
