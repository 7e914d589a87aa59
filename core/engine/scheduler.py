"""Durable scheduled jobs on APScheduler 3, stored in Warroom's own database.

Jobs have fixed ids (so scheduling again replaces rather than duplicates), are
coalesced (a job that missed several runs while Warroom was down runs once),
and have no misfire limit by default (a reminder due during a restart still
fires, late, rather than never). A job that raises is logged and keeps its
schedule. Time comes from the injected clock, so tests move time instead of
sleeping: with a non-system clock the scheduler reads "now" from it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, ClassVar

from apscheduler.executors import base as executors_base
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers import base as schedulers_base
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine
from warroom.core.clock import Clock, SystemClock

log = logging.getLogger(__name__)
JOB_TABLE = "apscheduler_jobs"
Target = Callable[..., Awaitable[None]]


class _ClockTime(datetime):
    """Stands in for ``datetime`` inside APScheduler when a test clock is injected."""

    clock: ClassVar[Clock | None] = None

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        assert cls.clock is not None
        now = cls.clock.now()
        return now.astimezone(tz) if tz is not None else now


class Scheduler:
    """The process's scheduler; jobs name their target by a registered key, so they survive restarts.

    Stored jobs can only name a module-level function, so the running scheduler is
    found through a class attribute: one Warroom per process (the last started).
    """

    _current: ClassVar[Scheduler | None] = None

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.clock = clock
        self._targets: dict[str, Target] = {}
        self._running: set[asyncio.Task[Any]] = set()
        self._aps = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone="UTC",
        )

    def register(self, key: str, target: Target) -> None:
        """Make ``target`` callable by jobs under ``key`` (e.g. ``reminders.food``)."""
        self._targets[key] = target

    def unregister_prefix(self, prefix: str, *, remove_jobs: bool) -> None:
        """Forget a plugin's targets; with ``remove_jobs`` its stored jobs end too (it is being unloaded)."""
        for key in [k for k in self._targets if k.startswith(prefix)]:
            del self._targets[key]
        if remove_jobs:
            for job in self._aps.get_jobs():
                if job.args and str(job.args[0]).startswith(prefix):
                    job.remove()

    def start(self, *, paused: bool = False) -> None:
        if Scheduler._current is not None and Scheduler._current is not self:
            log.warning("another Warroom scheduler is still running in this process; this one takes over")
        Scheduler._current = self
        if not isinstance(self.clock, SystemClock):
            _ClockTime.clock = self.clock
            schedulers_base.datetime = _ClockTime
            executors_base.datetime = _ClockTime
        self._aps.start(paused=paused)

    def resume(self) -> None:
        self._aps.resume()

    async def stop(self) -> None:
        """Stop starting jobs, and let the ones running finish."""
        if self._aps.running:
            self._aps.shutdown(wait=False)
            await asyncio.sleep(0)  # APScheduler finishes shutting down on the loop's next turn
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)
        if Scheduler._current is self:
            Scheduler._current = None
            schedulers_base.datetime = datetime
            executors_base.datetime = datetime

    def at(self, job_id: str, when: datetime, key: str, *args: Any) -> None:
        """Run ``key`` once at ``when``; replaces an earlier job with the same id."""
        self._add(job_id, DateTrigger(run_date=when, timezone="UTC"), key, args)

    def every(self, job_id: str, interval: timedelta, key: str, *args: Any, keep: bool = False) -> None:
        """Run ``key`` every ``interval``; with ``keep``, an already stored job keeps its schedule (restarts)."""
        if keep and self._aps.get_job(job_id) is not None:
            return
        start = self.clock.now() + interval
        self._add(
            job_id, IntervalTrigger(seconds=interval.total_seconds(), start_date=start, timezone="UTC"), key, args
        )

    def cancel(self, job_id: str) -> bool:
        try:
            self._aps.remove_job(job_id)
        except JobLookupError:
            return False
        return True

    def next_run(self, job_id: str) -> datetime | None:
        job = self._aps.get_job(job_id)
        return job.next_run_time if job is not None else None

    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self._aps.get_jobs())

    async def run_due(self) -> None:
        """Start whatever is due now and wait for it; tests call this after moving the clock."""
        if not self._aps.running:
            return
        self._aps.wakeup()  # runs on the loop's next turn, and starts due jobs as tasks on the turn after
        for _ in range(3):
            await asyncio.sleep(0)
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    def busy(self) -> bool:
        return bool(self._running)

    def status(self) -> dict[str, Any]:
        """For ``/health``: running, paused or stopped, and how many jobs are due now."""
        state = {STATE_RUNNING: "running", STATE_PAUSED: "paused"}.get(self._aps.state, "stopped")
        now = self.clock.now()
        due: int | None = 0
        if state != "stopped":
            try:
                due = sum(
                    1 for job in self._aps.get_jobs() if job.next_run_time is not None and job.next_run_time <= now
                )
            except Exception:  # the jobs live in the database, which /health reports on its own
                due = None
        return {"state": state, "due": due}

    def _add(self, job_id: str, trigger: BaseTrigger, key: str, args: tuple[Any, ...]) -> None:
        if key not in self._targets:
            raise KeyError(f"no scheduled target {key!r} is registered")
        self._aps.add_job(_run, trigger, args=(key, job_id, *args), id=job_id, replace_existing=True)

    async def _run_target(self, key: str, job_id: str, args: tuple[Any, ...]) -> None:
        target = self._targets.get(key)
        if target is None:
            log.warning("job %s: nothing registered as %s (plugin not loaded?)", job_id, key)
            return
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await target(job_id, *args)
        except Exception:
            log.exception("job %s (%s) failed; it keeps its schedule", job_id, key)
        finally:
            self._running.discard(task)


async def _run(key: str, job_id: str, *args: Any) -> None:
    """What APScheduler stores and calls: a module-level function, so stored jobs outlive the process."""
    scheduler = Scheduler._current
    if scheduler is None:
        log.warning("job %s fired with no scheduler running", job_id)
        return
    await scheduler._run_target(key, job_id, args)
