"""Durable values an adapter keeps across restarts, in Warroom's database.

Reads see what is committed; writes go through the writer like every other
change, so an adapter can store a sync token in order with the events it
handled and never ahead of them.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, select
from warroom.core.engine.writer import Transaction, Writer
from warroom.core.storage.tables import PLUGIN_VALUES

_VALUE = select(PLUGIN_VALUES.c.value).where(
    PLUGIN_VALUES.c.plugin == bindparam("owner"), PLUGIN_VALUES.c.key == bindparam("key")
)


class StoredState:
    def __init__(self, writer: Writer, platform: str) -> None:
        self._writer = writer
        self._owner = f"adapter:{platform}"

    def get(self, key: str, default: Any = None) -> Any:
        rows = self._writer.service.db.select(_VALUE, {"owner": self._owner, "key": key})
        return json.loads(rows[0][0]) if rows else default

    async def set(self, key: str, value: Any) -> None:
        owner = self._owner

        def job(tx: Transaction) -> None:
            store(tx, owner, key, value)

        await self._writer.submit(job, key=f"{owner}:{key}")


def store(tx: Transaction, owner: str, key: str, value: Any) -> None:
    """Insert or replace one value of ``owner``'s namespace (a plugin's, or ``adapter:<platform>``)."""
    db = tx.service.db
    row = {"value": json.dumps(value), "updated_at": tx.at}
    if not db.update(PLUGIN_VALUES, {"plugin": owner, "key": key}, row):
        db.add(PLUGIN_VALUES, {"plugin": owner, "key": key, **row})
