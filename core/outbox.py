"""Ordered, non-blocking delivery of replies to one adapter.

The engine never waits on a platform's network: it queues, and one worker per
adapter sends in order, so a slow or failing platform delays only itself.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from .adapter import Adapter
from .messages import Message
from .refs import ConversationRef, MessageRef

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outbound:
    conversation: ConversationRef
    message: Message
    key: str


class Outbox:
    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter
        self._queue: asyncio.Queue[tuple[Outbound, asyncio.Future[MessageRef | None]]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    def put(self, outbound: Outbound) -> asyncio.Future[MessageRef | None]:
        if self._worker is None:
            self._worker = asyncio.create_task(self._run(), name=f"outbox-{self.adapter.platform}")
        sent: asyncio.Future[MessageRef | None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((outbound, sent))
        return sent

    async def close(self) -> None:
        if self._worker is not None:
            await self._queue.join()
            self._worker.cancel()
            self._worker = None

    async def _run(self) -> None:
        while True:
            outbound, sent = await self._queue.get()
            try:
                ref = await self.adapter.send(outbound.conversation, outbound.message, key=outbound.key)
            except Exception as error:  # a platform failure must not stop later replies
                log.exception("sending to %s failed", outbound.conversation)
                if not sent.done():
                    sent.set_exception(error)
            else:
                if not sent.done():
                    sent.set_result(ref)
            finally:
                self._queue.task_done()
