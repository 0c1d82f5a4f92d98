"""Shared resources of a running bot, reachable from every handler and job.

Blocking SQLite work goes through ``Runtime.call`` (a domain service or Store method, given
``rt.store``) or ``Runtime.db`` (a table module's function of a connection, run through
``Store.run``): one worker thread owns the connection, so the event loop never blocks and
SQLite never sees two threads at once (docs/architecture.md, "Reaching the database"). That
thread also writes the delivery ledger, so nothing else may queue long work on it: pure CPU work
that needs no database (region suggestions) goes through ``Runtime.compute`` instead, on a small
pool of its own with a bounded number of jobs admitted at once.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from bot.config import Config

T = TypeVar("T")

# Threads of the CPU pool, and jobs admitted to it at once (the rest wait on the event loop,
# where waiting costs nothing): each job is itself bounded by capped arguments.
CPU_WORKERS = 2
CPU_JOBS = 8


# Where the application keeps its Runtime (``Application.bot_data``).
RUNTIME_KEY = "rt"


def utc_now() -> datetime:
    return datetime.now(UTC)


def runtime_of(context: Any) -> Runtime:
    """The Runtime of a PTB callback context (set by ``bot.app.build_application``)."""
    return context.application.bot_data[RUNTIME_KEY]


@dataclass
class Runtime:
    """Config, store and clock of one bot process. ``clock`` is injectable for tests."""

    config: Config
    store: Any  # briefings.store.Store
    clock: Callable[[], datetime] = utc_now
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
    )
    cpu: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(
            max_workers=CPU_WORKERS, thread_name_prefix="cpu"
        )
    )
    # The admission semaphore of the running loop (the console runs one loop per command).
    _cpu_slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = field(
        default=None, repr=False
    )

    async def call(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run blocking ``fn`` on the SQLite worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

    async def db(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a table module's ``fn(conn, *args, **kwargs)`` (``briefings.chats``, ``ledger``
        …) on the SQLite worker thread, under the store lock (``Store.run``)."""
        return await self.call(self.store.run, fn, *args, **kwargs)

    async def compute(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run CPU-bound ``fn`` (no database!) on the CPU pool, never on the SQLite thread.

        At most CPU_JOBS run or queue in the pool; later callers wait their turn here.
        """
        loop = asyncio.get_running_loop()
        if self._cpu_slots is None or self._cpu_slots[0] is not loop:
            self._cpu_slots = (loop, asyncio.Semaphore(CPU_JOBS))
        async with self._cpu_slots[1]:
            return await loop.run_in_executor(self.cpu, functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        self.cpu.shutdown(wait=True)
        self.executor.shutdown(wait=True)
        self.store.close()
