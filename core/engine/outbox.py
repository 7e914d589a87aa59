"""Ordered, non-blocking delivery of replies to one adapter.

The engine never waits on a platform's network: it queues, and one worker per
adapter sends in order, so a slow or failing platform delays only itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from warroom.core.adapter.messages import Message
from warroom.core.adapter.protocol import Adapter
from warroom.core.adapter.refs import ConversationRef, MessageRef, UserRef

log = logging.getLogger(__name__)
_Then = Callable[[MessageRef | None, Exception | None], None]


@dataclass(frozen=True, slots=True)
class Outbound:
    conversation: ConversationRef
    message: Message
    key: str
    remember: str = ""  # record the posted message under this key (see Transaction.reply)
    replaces: MessageRef | None = None  # edit this earlier message instead of posting
    invite: UserRef | None = None  # let this person into the conversation instead of posting (``message`` unused)
    in_reply_to: MessageRef | None = None  # what the message answers (see Adapter.send)


class Outbox:
    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter
        # A deque and one waiter instead of asyncio.Queue: the worker is the only consumer, so a put
        # needs no getter future, and join() is replaced by ``_idle`` (set while nothing is queued or sending).
        self._queue: deque[tuple[Outbound, _Then]] = deque()
        self._wakeup: asyncio.Future[None] | None = None
        self._idle: asyncio.Event | None = None
        self._sending = False
        self._worker: asyncio.Task[None] | None = None

    def put(self, outbound: Outbound) -> asyncio.Future[MessageRef | None]:
        """Queue ``outbound``; the future tells when it was sent (or why not)."""
        sent: asyncio.Future[MessageRef | None] = asyncio.get_running_loop().create_future()
        self.put_then(outbound, partial(_settle, sent))
        return sent

    def put_then(self, outbound: Outbound, then: _Then) -> None:
        """Queue ``outbound``; ``then(ref, error)`` is called as soon as it was sent or failed.

        Cheaper than :meth:`put` when nothing awaits the send itself: no future, and no
        extra turn of the event loop between the send and ``then``. ``then`` must not raise.
        """
        if self._worker is None:
            self._worker = asyncio.create_task(self._run(), name=f"outbox-{self.adapter.platform}")
        self._queue.append((outbound, then))
        wakeup = self._wakeup
        if wakeup is not None:
            self._wakeup = None
            if not wakeup.done():
                wakeup.set_result(None)

    async def close(self) -> None:
        """Wait until everything queued was sent (or failed), then stop the worker."""
        if self._worker is not None:
            while self._queue or self._sending:
                self._idle = self._idle or asyncio.Event()
                await self._idle.wait()
            self._worker.cancel()
            self._worker = None

    async def _run(self) -> None:
        queue = self._queue
        loop = asyncio.get_running_loop()
        while True:
            while not queue:
                if self._idle is not None:
                    self._idle.set()
                    self._idle = None
                self._wakeup = loop.create_future()
                await self._wakeup
            outbound, then = queue.popleft()
            self._sending = True
            try:
                # Inline rather than a helper coroutine: one coroutine less per reply.
                ref: MessageRef | None
                if outbound.invite is not None:
                    await self.adapter.invite(outbound.conversation, outbound.invite)
                    ref = None
                elif outbound.replaces is None:
                    ref = await self.adapter.send(
                        outbound.conversation, outbound.message, key=outbound.key, in_reply_to=outbound.in_reply_to
                    )
                else:
                    await self.adapter.edit(outbound.replaces, outbound.message)
                    ref = outbound.replaces
            except Exception as error:  # a platform failure must not stop later replies
                if outbound.invite is not None:
                    log.exception("inviting %s to %s failed", outbound.invite.key, outbound.conversation)
                else:
                    log.exception("sending to %s failed", outbound.conversation)
                then(None, error)
            else:
                then(ref, None)
            finally:
                self._sending = False


def _settle(sent: asyncio.Future[MessageRef | None], ref: MessageRef | None, error: Exception | None) -> None:
    if sent.done():
        return
    if error is not None:
        sent.set_exception(error)
    else:
        sent.set_result(ref)
