"""Bounded retries for Teams and Graph calls: the Agents SDK gives up on the first 429.

Microsoft asks bots to retry 429 (throttled), 412 (precondition failed under
load), 502 and 504 with exponential backoff and jitter, honouring
``Retry-After``. Anything else fails at once. Retries are bounded in count and
in total delay, so a reply that cannot be delivered fails in seconds, not
never. A retried 502/504 on a POST may duplicate a message Teams did store:
Teams has no idempotency key, and losing the message is the worse outcome.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from aiohttp import ClientResponseError

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRIED = frozenset({412, 429, 502, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    base: float = 0.5  # seconds before the first retry, doubled each time (then jittered)
    cap: float = 8.0  # the longest backoff between two attempts
    max_retry_after: float = 30.0  # a longer Retry-After gives up instead of stalling replies

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Full jitter on the exponential step; a server's Retry-After is a floor."""
        backoff = random.uniform(0, min(self.cap, self.base * 2**attempt))
        return backoff if retry_after is None else retry_after + backoff / 4


async def with_retries(call: Callable[[], Awaitable[T]], what: str, policy: RetryPolicy = RetryPolicy()) -> T:
    """Run ``call`` (a fresh request each time) until it succeeds, fails for good, or the attempts run out."""
    for attempt in range(policy.attempts):
        try:
            return await call()
        except ClientResponseError as error:
            retry_after = _retry_after(error)
            last = attempt == policy.attempts - 1
            if error.status not in RETRIED or last or (retry_after or 0) > policy.max_retry_after:
                raise
            delay = policy.delay(attempt, retry_after)
            log.warning("%s: Teams answered %s; retrying in %.1f s", what, error.status, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _retry_after(error: ClientResponseError) -> float | None:
    value = error.headers.get("Retry-After") if error.headers else None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff
