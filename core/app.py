"""One Warroom process: the database, the engine, the commands and every configured adapter."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping
from importlib.metadata import entry_points
from typing import Any

from pydantic import BaseModel

from . import queries
from .adapter import Adapter
from .clock import Clock, SystemClock
from .commands.builtin import builtin_commands
from .config import AdapterUnavailable, Config
from .db import Database
from .engine import Engine
from .inbound import Inbound
from .people import People
from .refs import ConversationRef
from .service import IncidentService
from .spaces import Spaces
from .store import open_engine, upgrade

log = logging.getLogger(__name__)
ADAPTER_GROUP = "warroom.adapters"


class InstalledAdapters(Mapping[str, type[BaseModel]]):
    """Settings models of the adapters installed as ``warroom.adapters`` entry points.

    An adapter is imported only when the config names it, so a missing
    platform SDK matters only to those who enable that platform.
    """

    def __init__(self) -> None:
        self._points = {point.name: point for point in entry_points(group=ADAPTER_GROUP)}

    def adapter(self, name: str) -> Any:
        try:
            return self._points[name].load()
        except ImportError as error:
            hint = f"install its extra: pip install 'warroom[{name}]'"
            raise AdapterUnavailable(f"cannot load this adapter ({error}); {hint}") from None

    def __getitem__(self, name: str) -> type[BaseModel]:
        settings: type[BaseModel] = self.adapter(name).Settings
        return settings

    def __iter__(self) -> Iterator[str]:
        return iter(self._points)

    def __len__(self) -> int:
        return len(self._points)


class Warroom:
    def __init__(self, config: Config, *, clock: Clock | None = None) -> None:
        self.config = config
        self.sql_engine = open_engine(config)
        upgrade(self.sql_engine)
        self.db = Database(self.sql_engine)
        self.people = People(self.db, frozenset(config.permissions.admins))
        self.service = IncidentService(self.db, config, self.people)
        self.engine = Engine(self.db, self.service, clock or SystemClock())
        self.spaces = Spaces(self.engine, config.incidents.channel_prefix)
        self.commands = builtin_commands()
        self.inbound = Inbound(self.engine, self.commands, config, self.spaces)
        self.adapters: list[Adapter] = []

    def add_adapter(self, adapter: Adapter) -> None:
        self.adapters.append(adapter)
        self.engine.add_adapter(adapter)

    def add_configured_adapters(self) -> None:
        installed = InstalledAdapters()
        for name in self.config.enabled_adapters():
            self.add_adapter(installed.adapter(name)(self.config.adapter_settings[name], self))

    def channels_of(self, reference: str, platform: str) -> list[ConversationRef]:
        """The channels an incident has on ``platform`` (``reference`` like ``INC-3``)."""
        number = reference.upper().removeprefix("INC-")
        if not number.isdigit():
            return []
        return [
            ConversationRef(p, conversation, name)
            for p, conversation, name in queries.channels(self.db, int(number))
            if p == platform
        ]

    async def run(self) -> None:
        """Start every adapter; return when all have stopped (the console stops at end of input)."""
        self.engine.start()
        try:
            await asyncio.gather(*(adapter.start(self.inbound) for adapter in self.adapters))
        finally:
            await self.close()

    async def close(self) -> None:
        await self.engine.stop()
        for adapter in self.adapters:
            await adapter.stop()
        self.close_storage()

    def close_storage(self) -> None:
        self.db.close()
        self.sql_engine.dispose()
