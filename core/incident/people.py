"""People and their platform identities.

A person is found by a stable platform id, never by display name, and is
created the first time they are seen, so nobody has to register first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from warroom.core.adapter.refs import UserRef
from warroom.core.storage.database import Database
from warroom.core.storage.tables import IDENTITIES, PEOPLE

_FIND_IDENTITY = select(IDENTITIES.c.person_id).where(
    IDENTITIES.c.platform == bindparam("platform"), IDENTITIES.c.user_id == bindparam("user_id")
)
_PERSON_NAME = select(PEOPLE.c.display_name).where(PEOPLE.c.id == bindparam("id"))
_PERSON_IDENTITIES = select(IDENTITIES.c.platform, IDENTITIES.c.user_id, IDENTITIES.c.display_name).where(
    IDENTITIES.c.person_id == bindparam("id")
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is doing something, as the permission checks see them."""

    person_id: int
    user: UserRef
    admin: bool = False

    @property
    def name(self) -> str:
        return self.user.display or self.user.id


class People:
    def __init__(self, db: Database, admins: frozenset[str]) -> None:
        self._db = db
        self._admins = admins
        self.admins = admins  # who is an admin, for a reader's own People (IncidentService.reader)
        self._by_identity: dict[tuple[str, str], int] = {}
        self._names: dict[int, str] = {}
        # Actors are immutable, so one per (platform, user id, display name) is reused: building the frozen
        # dataclass and the admin key costs more than this lookup, on every command and captured message.
        self._actors: dict[tuple[str, str, str], Actor] = {}

    def forget(self) -> None:
        self._by_identity.clear()
        self._names.clear()
        self._actors.clear()

    def actor(self, user: UserRef, at: datetime) -> Actor:
        cache_key = (user.platform, user.id, user.display)
        actor = self._actors.get(cache_key)
        if actor is None:
            actor = Actor(self.person_id(user, at), user, user.key in self._admins)
            self._actors[cache_key] = actor
        return actor

    def person_id(self, user: UserRef, at: datetime) -> int:
        cache_key = (user.platform, user.id)
        found = self._by_identity.get(cache_key)
        if found is not None:
            return found
        rows = self._db.select(_FIND_IDENTITY, {"platform": user.platform, "user_id": user.id})
        if rows:
            found = int(rows[0][0])
        else:
            name = user.display or user.id
            found = self._db.insert(PEOPLE, {"display_name": name, "created_at": at})
            self._db.insert(
                IDENTITIES,
                {"person_id": found, "platform": user.platform, "user_id": user.id, "display_name": name},
            )
        self._by_identity[cache_key] = found
        return found

    def name(self, person_id: int) -> str:
        name = self._names.get(person_id)
        if name is None:
            rows = self._db.select(_PERSON_NAME, {"id": person_id})
            name = str(rows[0][0]) if rows else f"person {person_id}"
            self._names[person_id] = name
        return name

    def refs(self, person_id: int) -> list[UserRef]:
        """Every platform identity of a person, so a message can mention them anywhere."""
        rows = self._db.select(_PERSON_IDENTITIES, {"id": person_id})
        return [UserRef(platform, user_id, display) for platform, user_id, display in rows]
