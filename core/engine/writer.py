"""The single writer: every change to Warroom's state runs here, in order.

Jobs (inbound events, and work the core schedules itself) queue up; the
writer takes as many as are waiting, runs each in its own savepoint of one
transaction, commits once, and only then releases their replies. A burst of
chat therefore costs one commit, not one per message, and no reply ever
announces something that is not yet durable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any

from warroom.core.adapter.messages import Message, Tone
from warroom.core.adapter.protocol import Adapter, Capabilities
from warroom.core.adapter.refs import ConversationRef, MessageRef
from warroom.core.clock import Clock
from warroom.core.engine.outbox import Outbound, Outbox
from warroom.core.engine.queue import SingleConsumerQueue
from warroom.core.engine.transaction import Duplicate, Job, Transaction
from warroom.core.errors import WarroomError
from warroom.core.incident.events import DomainEvent
from warroom.core.incident.service import IncidentService
from warroom.core.storage.database import Database
from warroom.core.storage.tables import POSTED

log = logging.getLogger(__name__)

MAX_BATCH = 512
Subscriber = Callable[[DomainEvent], Awaitable[None] | None]


_NO_CAPABILITIES = Capabilities()


@dataclass(slots=True)
class _Pending:
    job: Job
    key: str
    reply_to: ConversationRef | None
    done: asyncio.Future[Any]
    at: datetime | None = None
    in_reply_to: MessageRef | None = None
    tx: Transaction | None = None
    result: Any = None


class Writer:
    def __init__(self, db: Database, service: IncidentService, clock: Clock) -> None:
        self.db = db
        self.service = service
        self.clock = clock
        self._queue: SingleConsumerQueue[_Pending] = SingleConsumerQueue()
        self._outboxes: dict[str, Outbox] = {}
        self._subscribers: list[Subscriber] = []
        self._runner: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Future[Any]] = set()

    # Wiring
    def add_adapter(self, adapter: Adapter) -> None:
        self._outboxes[adapter.platform] = Outbox(adapter)

    def adapter(self, platform: str) -> Adapter | None:
        outbox = self._outboxes.get(platform)
        return outbox.adapter if outbox else None

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def start(self) -> None:
        if self._runner is None:
            self._runner = asyncio.create_task(self._run(), name="warroom-engine")

    async def stop(self) -> None:
        await self.settle()
        if self._runner is not None:
            self._runner.cancel()
            self._runner = None
        for outbox in self._outboxes.values():
            await outbox.close()

    async def abandon(self) -> None:
        """Stop at once, leaving queued jobs and unsent replies (a shutdown out of time); commits stay."""
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
            self._runner = None
        for outbox in self._outboxes.values():
            await outbox.abandon()

    def busy(self) -> bool:
        return bool(self._queue) or any(not work.done() for work in self._in_flight)

    async def settle(self) -> None:
        """Wait until every queued job, its replies and its follow-ups are done."""
        while waiting := [work for work in self._in_flight if not work.done()]:
            await asyncio.gather(*waiting, return_exceptions=True)

    # Submitting work
    async def submit(
        self,
        job: Job,
        *,
        key: str,
        reply_to: ConversationRef | None = None,
        in_reply_to: MessageRef | None = None,
        at: datetime | None = None,
    ) -> Any:
        """Run ``job`` in the writer; returns its result once committed and its replies sent.

        ``key`` names the trigger (a platform event id, a scheduled run) and makes
        outbound message ids deterministic. A :class:`WarroomError` raised by the job
        is answered in ``reply_to`` and rolled back with the job's other changes. ``in_reply_to``
        is the platform message (or event) that triggered the job, which the replies answer. ``at``
        is when it happened (a platform's timestamp); by default, the time it runs.
        """
        return await self.enqueue(job, key=key, reply_to=reply_to, in_reply_to=in_reply_to, at=at)

    def enqueue(
        self,
        job: Job,
        *,
        key: str,
        reply_to: ConversationRef | None = None,
        in_reply_to: MessageRef | None = None,
        at: datetime | None = None,
    ) -> asyncio.Future[Any]:
        """Queue ``job`` without waiting; the future is :meth:`submit`'s result."""
        if self._runner is None:
            self.start()
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        # Not _track: a job's future leaves _in_flight when _resolve answers it, without a done callback
        # (one loop callback per job less). One whose submitter was cancelled stays until then, but a done
        # future counts as finished in busy() and settle(), exactly as when it left on being done.
        self._in_flight.add(done)
        self._queue.put(_Pending(job, key, reply_to, done, at, in_reply_to))
        return done

    def _track(self, work: asyncio.Future[Any]) -> None:
        self._in_flight.add(work)
        work.add_done_callback(self._in_flight.discard)

    async def _run(self) -> None:
        queue = self._queue
        loop = asyncio.get_running_loop()
        while True:
            if self.db.outage is not None and not queue:
                await self._retry_while_idle(loop)
            await queue.ready(loop)
            batch = queue.take(MAX_BATCH)
            events = self._execute(batch)
            for pending in batch:
                self._release(pending)
            for event in events:
                self._publish(event)
            if queue:
                # Taking a waiting job never suspends: yield, so this group's replies go out (and
                # its submitters resume) before the next group runs rather than after all of them.
                await asyncio.sleep(0)

    async def _retry_while_idle(self, loop: asyncio.AbstractEventLoop) -> None:
        """While the database is lost and no work waits, reconnect on the backoff's schedule, so ``/health``
        recovers on its own rather than at the next command."""
        db = self.db
        while db.outage is not None and not self._queue:
            ready = self._queue.ready(loop)
            await asyncio.wait((ready,), timeout=db.retry_in())
            if not ready.done():
                db.reconnect()

    def _execute(self, batch: list[_Pending]) -> list[DomainEvent]:
        """Run a batch in one transaction; on a failed commit every job in it is answered with an error.

        A job alone in its batch runs without a savepoint: undoing it is rolling back the whole
        transaction, which is the same thing and saves two statements on every quiet-time command.
        While the connection is lost (and the backoff does not yet allow another try), the batch
        is answered at once. A commit cut off by the connection is answered as not saved though the
        server may have committed it; a retried event is then recognised as a duplicate.
        """
        service = self.service
        service.events.clear()
        db = self.db
        if db.outage is not None and not db.reconnect():
            return self._answer_all(batch, _UNAVAILABLE)
        alone = len(batch) == 1
        try:
            db.begin()
            for pending in batch:
                self._run_job(pending, alone)
            if db.in_transaction:  # not after a lone job was rolled back: nothing is left to commit
                db.commit()
        except Exception as error:
            log.exception("committing %d jobs failed; rolling them back", len(batch))
            kept = db.recover(error)  # never raises: a failed rollback discards the connection instead
            service.forget()
            return self._answer_all(batch, _SAVE_FAILED if kept else _UNAVAILABLE)
        return list(service.events)

    def _answer_all(self, batch: list[_Pending], message: Message) -> list[DomainEvent]:
        """Nothing of ``batch`` was stored: each job's replies become ``message``, and it returns None."""
        for pending in batch:
            pending.tx = self._transaction(pending)
            if pending.reply_to is not None:
                pending.tx.reply(pending.reply_to, message)
            pending.result = None
        return []

    def _run_job(self, pending: _Pending, alone: bool) -> None:
        tx = self._transaction(pending)
        events_before = len(self.service.events)
        if not alone:
            self.db.savepoint()
        try:
            pending.result = pending.job(tx)
        except (WarroomError, Duplicate) as error:
            self._undo(events_before, alone)
            pending.tx = self._transaction(pending)
            if isinstance(error, WarroomError) and pending.reply_to is not None:
                pending.tx.reply(pending.reply_to, _answer(error))
            elif isinstance(error, Duplicate):
                log.info("skipping %s: already handled", pending.key)
            return
        except Exception:
            log.exception("job %s failed; its changes were rolled back", pending.key)
            self._undo(events_before, alone)
            pending.tx = self._transaction(pending)
            if pending.reply_to is not None:
                pending.tx.reply(pending.reply_to, _CRASHED)
            return
        if not alone:
            self.db.release()
        pending.tx = tx

    def _undo(self, events_before: int, alone: bool) -> None:
        if alone:
            self.db.rollback()
        else:
            self.db.rollback_to_savepoint()
        del self.service.events[events_before:]
        self.service.forget()

    def _transaction(self, pending: _Pending) -> Transaction:
        at = pending.at or self.clock.now()
        return Transaction(self.service, at, pending.key, self._capabilities, pending.in_reply_to)

    def _capabilities(self, platform: str) -> Capabilities:
        adapter = self.adapter(platform)
        return adapter.capabilities if adapter is not None else _NO_CAPABILITIES

    def _release(self, pending: _Pending) -> None:
        tx = pending.tx
        assert tx is not None
        alone = len(tx.replies) <= 1 and not (tx.replies and tx.replies[0].remember)
        simple = alone and not tx.followups and not tx.reads
        if simple:  # the common case: no gather, no extra loop turns
            outbox = self._outboxes.get(tx.replies[0].conversation.platform) if tx.replies else None
            if outbox is not None:
                outbox.put_then(tx.replies[0], partial(self._sent, pending))
                return
            if not tx.replies:
                self._resolve(pending)
                return
        waits: list[Awaitable[Any]] = [self._deliver(outbound) for outbound in tx.replies]
        waits.extend(work() for work in tx.followups)
        waits.extend(self._read_then_reply(tx, n, where, read) for n, (where, read) in enumerate(tx.reads))
        task = asyncio.ensure_future(asyncio.gather(*waits, return_exceptions=True))
        task.add_done_callback(lambda _: self._resolve(pending))

    async def _read_then_reply(
        self, tx: Transaction, n: int, conversation: ConversationRef, read: Callable[[], Message]
    ) -> None:
        try:
            message = await asyncio.to_thread(read)
        except WarroomError as error:
            message = _answer(error)
        except Exception:
            log.exception("the read for %s failed", tx.key)
            message = _READ_FAILED
        trigger = tx.trigger
        same_platform = trigger is not None and trigger.conversation.platform == conversation.platform
        in_reply_to = trigger if same_platform else None
        await self._deliver(Outbound(conversation, message, f"{tx.key}:read:{n}", in_reply_to=in_reply_to))

    def _deliver(self, outbound: Outbound) -> asyncio.Future[MessageRef | None]:
        outbox = self._outboxes.get(outbound.conversation.platform)
        if outbox is None:
            log.warning("no adapter for %s; dropping a reply", outbound.conversation.platform)
            missing: asyncio.Future[MessageRef | None] = asyncio.get_running_loop().create_future()
            missing.set_result(None)
            return missing
        sent = outbox.put(outbound)
        if outbound.remember:
            sent.add_done_callback(partial(self._remember, outbound))
        return sent

    def _remember(self, outbound: Outbound, sent: asyncio.Future[MessageRef | None]) -> None:
        ref = None if sent.cancelled() or sent.exception() else sent.result()
        if ref is not None:
            self.enqueue(partial(_record_posted, ref, outbound.remember), key=f"posted:{outbound.key}")

    def _sent(self, pending: _Pending, _ref: MessageRef | None, _error: Exception | None) -> None:
        self._resolve(pending)  # a failed send is the outbox's to log; the job itself succeeded

    def _resolve(self, pending: _Pending) -> None:
        done = pending.done
        if not done.done():
            done.set_result(pending.result)
        self._in_flight.discard(done)

    def _publish(self, event: DomainEvent) -> None:
        """Hand a committed event to every subscriber; async ones run on their own, never in this loop."""
        for subscriber in self._subscribers:
            try:
                result = subscriber(event)
            except Exception:
                log.exception("a subscriber to %s failed", type(event).__name__)
                continue
            if result is not None:
                self._track(asyncio.ensure_future(_logged(result, type(event).__name__)))


async def _logged(work: Awaitable[None], name: str) -> None:
    try:
        await work
    except Exception:
        log.exception("a subscriber to %s failed", name)


def _answer(error: WarroomError) -> Message:
    """What the person who caused ``error`` is told: the message it carries, else its text."""
    if isinstance(error.message, Message):
        return replace(error.message, tone=Tone.ERROR)
    return Message.plain(str(error), tone=Tone.ERROR)


def _record_posted(ref: MessageRef, key: str, tx: Transaction) -> None:
    tx.service.db.add(
        POSTED,
        {
            "platform": ref.conversation.platform,
            "conversation_id": ref.conversation.id,
            "message_id": ref.id,
            "key": key,
            "posted_at": tx.at,
        },
    )


_SAVE_FAILED = Message.plain(
    "Sorry — I could not save that (the database refused the write). Nothing from it was recorded; "
    "please try again in a moment.",
    tone=Tone.ERROR,
)
_UNAVAILABLE = Message.plain(
    "Sorry — I could not save that: the database is unavailable. Nothing from it was recorded; "
    "please try again in a moment.",
    tone=Tone.ERROR,
)
_READ_FAILED = Message.plain(
    "Sorry — something went wrong on my side while reading the record for that. "
    "The details are in Warroom's log; please try again in a moment.",
    tone=Tone.ERROR,
)
_CRASHED = Message.plain(
    "Sorry — something went wrong on my side while handling that. Nothing from it was recorded; "
    "the details are in Warroom's log.",
    tone=Tone.ERROR,
)
