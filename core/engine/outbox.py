"""Ordered, non-blocking delivery of replies to one adapter.

The engine never waits on a platform's network: it queues, and one worker per
adapter sends in order, so a slow or failing platform delays only itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from warroom.core.adapter.messages import Message
from warroom.core.adapter.protocol import Adapter
from warroom.core.adapter.refs import ConversationRef, MessageRef, UserRef
from warroom.core.engine.queue import SingleConsumerQueue

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
        self._queue: SingleConsumerQueue[tuple[Outbound, _Then]] = SingleConsumerQueue()
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
        self._queue.put((outbound, then))

    async def close(self) -> None:
        """Wait until everything queued was sent (or failed), then stop the worker."""
        worker = self._worker
        if worker is not None:
            if not worker.done():  # a worker that died (a ``then`` that raised) sends nothing more
                await self._queue.drained()
            worker.cancel()
            self._worker = None

    async def abandon(self) -> None:
        """Stop the worker now; whatever is still queued is not sent."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)

    async def _run(self) -> None:
        queue = self._queue
        loop = asyncio.get_running_loop()
        while True:
            await queue.ready(loop)
            outbound, then = queue.popleft()
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


def _settle(sent: asyncio.Future[MessageRef | None], ref: MessageRef | None, error: Exception | None) -> None:
    if sent.done():
        return
    if error is not None:
        sent.set_exception(error)
    else:
        sent.set_result(ref)
