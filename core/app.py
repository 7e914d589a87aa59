"""One Warroom process: the database, the engine, the commands and every configured adapter."""

from __future__ import annotations

import asyncio
import logging
from importlib.metadata import entry_points
from typing import Any

from pydantic import BaseModel

from . import queries
from .adapter import Adapter
from .clock import Clock, SystemClock
from .commands.builtin import builtin_commands
from .config import Config, ConfigError
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


def adapter_classes(names: list[str]) -> dict[str, Any]:
    """The adapter classes for ``names``, from the ``warroom.adapters`` entry points."""
    found = {ep.name: ep for ep in entry_points(group=ADAPTER_GROUP)}
    classes: dict[str, Any] = {}
    errors = []
    for name in names:
        if name not in found:
            known = ", ".join(sorted(found)) or "none"
            errors.append(f"adapters.{name}: no such adapter is installed (installed: {known})")
            continue
        try:
            classes[name] = found[name].load()
        except ImportError as error:
            errors.append(
                f"adapters.{name}: cannot load ({error}); install its extra, e.g. pip install 'warroom[{name}]'"
            )
    if errors:
        raise ConfigError(errors)
    return classes


def adapter_models(names: list[str]) -> dict[str, type[BaseModel]]:
    return {name: cls.Settings for name, cls in adapter_classes(names).items()}


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
        classes = adapter_classes(self.config.enabled_adapters())
        for name, cls in classes.items():
            self.add_adapter(cls(self.config.adapter_settings[name], self))

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
        self.db.close()
        self.sql_engine.dispose()
