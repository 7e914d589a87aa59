"""Small durable values, namespaced by their owner: a plugin's own storage, an adapter's sync state.

Plugins (inside a command, or from their context) and adapters keep values the
same way, in one table; this is the one place that reads and writes it. A value
is JSON, so whatever is stored reads back as plain data. Writing is the caller's
to order: it happens on the caller's open transaction, which for every owner is
the writer's.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from warroom.core.storage.database import Database
from warroom.core.storage.tables import PLUGIN_VALUES

_VALUE = select(PLUGIN_VALUES.c.value).where(
    PLUGIN_VALUES.c.plugin == bindparam("owner"), PLUGIN_VALUES.c.key == bindparam("key")
)


def load(db: Database, owner: str, key: str, default: Any = None) -> Any:
    """The value ``owner`` stored under ``key``, or ``default`` when there is none."""
    rows = db.select(_VALUE, {"owner": owner, "key": key})
    return json.loads(rows[0][0]) if rows else default


def save(db: Database, owner: str, key: str, value: Any, at: datetime) -> None:
    """Insert or replace one value of ``owner``'s namespace (a plugin's name, or ``adapter:<platform>``)."""
    row = {"value": json.dumps(value), "updated_at": at}
    if not db.update(PLUGIN_VALUES, {"plugin": owner, "key": key}, row):
        db.add(PLUGIN_VALUES, {"plugin": owner, "key": key, **row})
