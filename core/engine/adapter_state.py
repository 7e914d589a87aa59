"""Durable values an adapter keeps across restarts, in Warroom's database.

Reads see what is committed; writes go through the writer like every other
change, so an adapter can store a sync token in order with the events it
handled and never ahead of them.
"""

from __future__ import annotations

from typing import Any

from warroom.core.engine.transaction import Transaction
from warroom.core.engine.writer import Writer
from warroom.core.storage import values


class StoredState:
    def __init__(self, writer: Writer, platform: str) -> None:
        self._writer = writer
        self._owner = f"adapter:{platform}"

    def get(self, key: str, default: Any = None) -> Any:
        return values.load(self._writer.service.db, self._owner, key, default)

    async def set(self, key: str, value: Any) -> None:
        owner = self._owner

        def job(tx: Transaction) -> None:
            values.save(tx.service.db, owner, key, value, tx.at)

        await self._writer.submit(job, key=f"{owner}:{key}")
