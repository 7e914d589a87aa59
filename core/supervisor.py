"""Adapters under supervision: an unexpected failure restarts the adapter instead of leaving it dead."""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Literal

from warroom.core.adapter.protocol import Adapter, Sink
from warroom.core.clock import Clock
from warroom.core.errors import ConfigError

log = logging.getLogger(__name__)
State = Literal["running", "restarting", "failed", "stopped"]


class AdapterFailed(Exception):
    """An adapter failed unexpectedly and ``lifecycle.on_adapter_failure`` is ``exit``."""


class Supervisor:
    """Runs one adapter's ``start(sink)``, restarting the same adapter object after an unexpected exception.

    ``ConfigError`` and cancellation pass through; a normal return ends supervision (the console
    at the end of its input). The backoff doubles from ``initial`` to ``maximum`` with jitter, and
    starts over once the adapter has run for ``reset_after`` seconds.
    """

    def __init__(
        self,
        adapter: Adapter,
        clock: Clock,
        *,
        policy: Literal["restart", "exit"] = "restart",
        initial: float = 1.0,
        maximum: float = 60.0,
        reset_after: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.adapter = adapter
        self.clock = clock
        self.policy = policy
        self.initial, self.maximum, self.reset_after = initial, maximum, reset_after
        self._sleep = sleep
        self.state: State = "running"
        self.restarts = 0
        self.last_error: str | None = None
        self.since: datetime = clock.now()

    async def run(self, sink: Sink) -> None:
        delay = self.initial
        while True:
            self._enter("running")
            started = asyncio.get_running_loop().time()
            try:
                await self.adapter.start(sink)
            except (ConfigError, asyncio.CancelledError):
                raise
            except Exception as error:
                self.last_error = describe(error)
                if self.policy == "exit":
                    self._enter("failed")  # the caller reports it (warroom run: one line on stderr, exit 1)
                    log.debug("adapter %s failure", self.adapter.platform, exc_info=error)
                    raise AdapterFailed(f"adapter {self.adapter.platform} failed: {self.last_error}") from error
                if asyncio.get_running_loop().time() - started >= self.reset_after:
                    delay = self.initial
                wait = delay * random.uniform(0.5, 1.0)
                self._enter("restarting")
                log.error(
                    "adapter %s failed: %s; restarting in %.1f s (restart %d)",
                    self.adapter.platform,
                    self.last_error,
                    wait,
                    self.restarts + 1,
                )
                log.debug("adapter %s failure", self.adapter.platform, exc_info=error)
                await (self._sleep or pause)(wait)
                self.restarts += 1
                delay = min(delay * 2, self.maximum)
                continue
            self._enter("stopped")
            return

    def report(self) -> dict[str, Any]:
        """The supervisor's view for ``/health``."""
        return {
            "state": self.state,
            "restarts": self.restarts,
            "last_error": self.last_error,
            "since": self.since.isoformat(),
        }

    @property
    def healthy(self) -> bool:
        return self.state not in ("restarting", "failed")

    def _enter(self, state: State) -> None:
        if state != self.state:
            self.state = state
            self.since = self.clock.now()


async def pause(seconds: float) -> None:
    """The wait before a restart (tests replace it to move through the backoff without waiting)."""
    await asyncio.sleep(seconds)


def describe(error: BaseException) -> str:
    """Type and first line of the message, with anything that looks like a credential blanked."""
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0] if lines else 'no details'}"
    return scrub(text)[:300]


def scrub(text: str) -> str:
    text = re.sub(r"(\w+://)[^/\s:@]*:[^/\s@]*@", r"\1***@", text)
    text = re.sub(r"(?i)(token|secret|password|authorization|bearer)([=: ]+)\S+", r"\1\2***", text)
    return text
