"""Shared resources of a running bot, reachable from every handler and job.

Blocking SQLite and jieba work goes through ``Runtime.call``: one worker thread owns the
connection, so the event loop never blocks and SQLite never sees two threads at once.
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


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    """Config, store and clock of one bot process. ``clock`` is injectable for tests."""

    config: Config
    store: Any  # briefings.store.Store
    clock: Callable[[], datetime] = utc_now
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
    )

    async def call(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run blocking ``fn`` on the SQLite worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.store.close()
