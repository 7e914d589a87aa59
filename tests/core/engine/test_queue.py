"""The single-consumer queue the writer and the outboxes share: order, batches, wake-ups, draining."""

from __future__ import annotations

import asyncio

from warroom.core.engine.queue import SingleConsumerQueue


async def consume(queue: SingleConsumerQueue[int], seen: list[int], gate: asyncio.Event | None = None) -> None:
    loop = asyncio.get_running_loop()
    while True:
        await queue.ready(loop)
        item = queue.popleft()
        if gate is not None:
            await gate.wait()
        seen.append(item)


async def test_items_come_out_in_order_and_a_waiting_consumer_is_woken() -> None:
    queue: SingleConsumerQueue[int] = SingleConsumerQueue()
    seen: list[int] = []
    worker = asyncio.create_task(consume(queue, seen))
    await asyncio.sleep(0)  # the consumer now waits on the empty queue
    for item in range(5):
        queue.put(item)
    await queue.drained()
    assert seen == [0, 1, 2, 3, 4]
    queue.put(5)
    await queue.drained()
    assert seen == [0, 1, 2, 3, 4, 5]
    worker.cancel()


async def test_take_returns_at_most_the_limit_oldest_first() -> None:
    queue: SingleConsumerQueue[int] = SingleConsumerQueue()
    for item in range(5):
        queue.put(item)
    assert queue.take(2) == [0, 1]
    assert queue.take(10) == [2, 3, 4]
    assert not queue
    assert queue.take(3) == []


async def test_drained_waits_for_the_item_the_consumer_is_working_on() -> None:
    queue: SingleConsumerQueue[int] = SingleConsumerQueue()
    seen: list[int] = []
    gate = asyncio.Event()
    worker = asyncio.create_task(consume(queue, seen, gate))
    queue.put(1)
    drained = asyncio.create_task(queue.drained())
    for _ in range(3):
        await asyncio.sleep(0)
    assert not queue and not drained.done()  # taken, but not finished
    gate.set()
    await drained
    assert seen == [1]
    worker.cancel()


async def test_ready_is_done_at_once_while_items_wait_and_on_the_next_put_otherwise() -> None:
    queue: SingleConsumerQueue[int] = SingleConsumerQueue()
    loop = asyncio.get_running_loop()
    waiting = queue.ready(loop)
    assert not waiting.done()
    queue.put(1)
    assert waiting.done()
    assert queue.ready(loop).done() and queue.ready(loop).done()  # nothing taken: still ready
    assert queue.popleft() == 1
    assert not queue.ready(loop).done()
