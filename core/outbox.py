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

from .adapter import Adapter
from .messages import Message
from .refs import ConversationRef, MessageRef

log = logging.getLogger(__name__)
_Then = Callable[[MessageRef | None, Exception | None], None]


@dataclass(frozen=True, slots=True)
class Outbound:
    conversation: ConversationRef
    message: Message
    key: str
    remember: str = ""  # record the posted message under this key (see Transaction.reply)
    replaces: MessageRef | None = None  # edit this earlier message instead of posting


class Outbox:
    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter
        self._queue: asyncio.Queue[tuple[Outbound, _Then]] = asyncio.Queue()
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
        self._queue.put_nowait((outbound, then))

    async def close(self) -> None:
        if self._worker is not None:
            await self._queue.join()
            self._worker.cancel()
            self._worker = None

    async def _run(self) -> None:
        while True:
            outbound, then = await self._queue.get()
            try:
                ref = await self._post(outbound)
            except Exception as error:  # a platform failure must not stop later replies
                log.exception("sending to %s failed", outbound.conversation)
                then(None, error)
            else:
                then(ref, None)
            finally:
                self._queue.task_done()

    async def _post(self, outbound: Outbound) -> MessageRef | None:
        if outbound.replaces is None:
            return await self.adapter.send(outbound.conversation, outbound.message, key=outbound.key)
        await self.adapter.edit(outbound.replaces, outbound.message)
        return outbound.replaces


def _settle(sent: asyncio.Future[MessageRef | None], ref: MessageRef | None, error: Exception | None) -> None:
    if sent.done():
        return
    if error is not None:
        sent.set_exception(error)
    else:
        sent.set_result(ref)
