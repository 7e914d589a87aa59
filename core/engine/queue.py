"""A first-in, first-out queue with exactly one consumer, for the writer and the outboxes.

``asyncio.Queue`` serves any number of getters: each ``put`` wakes a getter
future and each ``get`` is a coroutine, a cost paid on every job and every
reply. With one consumer, a put is an append plus, only when the consumer is
parked on an empty queue, one wake-up; the consumer takes items synchronously
and awaits only when there is nothing left.

The queue is a ``deque``, so the consumer's takes are the deque's own (no
Python call per item). Items go in only through :meth:`put`, which is what
wakes the consumer. The consumer's loop is::

    loop = asyncio.get_running_loop()
    while True:
        await queue.ready(loop)
        item = queue.popleft()  # or queue.take(limit)
        ...
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleConsumerQueue(deque[T], Generic[T]):
    """A deque that one task consumes, waking it when an item arrives while it waits."""

    __slots__ = ("_done", "_drained", "_wakeup")

    def __init__(self) -> None:
        super().__init__()
        # The consumer's wake-up while it waits on an empty queue: None while it is taking or working.
        self._wakeup: asyncio.Future[None] | None = None
        self._done: asyncio.Future[None] | None = None  # what ready() returns while items wait: already done
        self._drained: asyncio.Event | None = None  # only while someone waits in drained()

    def put(self, item: T) -> None:
        """Append ``item``; never blocks, and wakes the consumer only if it is waiting."""
        self.append(item)
        wakeup = self._wakeup
        if wakeup is not None:
            self._wakeup = None
            if not wakeup.done():
                wakeup.set_result(None)

    def take(self, limit: int) -> list[T]:
        """The oldest ``limit`` items at most, in order (all of them in one step when that many are waiting)."""
        if len(self) <= limit:
            taken = list(self)
            self.clear()
            return taken
        return [self.popleft() for _ in range(limit)]

    def ready(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future[None]:
        """Consumer side: a future of ``loop`` (the consumer's) that is done once an item waits.

        While one does, the future is already done, and awaiting it does not suspend. A future
        rather than a coroutine, and the loop passed in rather than looked up, so the check costs
        little. While it waits, the consumer counts as done with everything it took (see :meth:`drained`).
        """
        if self:
            done = self._done
            if done is None:
                done = self._done = loop.create_future()
                done.set_result(None)
            return done
        if self._drained is not None:
            self._drained.set()
            self._drained = None
        self._wakeup = wakeup = loop.create_future()
        return wakeup

    async def drained(self) -> None:
        """Return once the queue is empty and the consumer waits for more, so all it took is done.

        Only while a consumer runs: a queue nobody consumes never drains.
        """
        while self or self._wakeup is None:
            self._drained = self._drained or asyncio.Event()
            await self._drained.wait()
