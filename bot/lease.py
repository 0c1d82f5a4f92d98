"""The delivery lock as a process holds it: re-entrant, renewed while held, given up after.

The lock itself is a row in SQLite (briefings/delivery_lock.py). A process takes it when its
first delivery starts and lets it go when its last one ends; in between a heartbeat task renews
it every ``ttl / 3`` seconds, so a process that dies or hangs loses it within ``ttl``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

from bot.runtime import Runtime
from briefings import delivery_lock

log = logging.getLogger(__name__)


class DeliveryBusy(Exception):
    """Another process holds the delivery lock."""

    def __init__(self, holder: delivery_lock.Holder) -> None:
        super().__init__(f"另一个投递进程正在运行: {holder.describe()}")
        self.holder = holder


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def new_owner() -> str:
    """An owner name unique to this holder: host, pid, and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    """This process's hold on the delivery lock; ``kind`` names it to others (bot, push).

    Lock times are wall-clock (``wall_clock``), whatever the runtime's test clock says.
    """

    def __init__(
        self,
        rt: Runtime,
        kind: str,
        *,
        ttl: float = 60.0,
        poll: float = 1.0,
        wall_clock: Callable[[], datetime] = _wall_clock,
    ) -> None:
        self.rt, self.kind, self.ttl, self.poll, self.wall_clock = rt, kind, ttl, poll, wall_clock
        self.owner = new_owner()
        self._holders = 0
        self._lock = asyncio.Lock()
        self._heartbeat: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def hold(self, *, wait: float | None = None) -> AsyncIterator[None]:
        """Hold the lock for the block (re-entrant). If another process has it, wait up to
        ``wait`` seconds (None: as long as it takes), then raise ``DeliveryBusy``."""
        async with self._lock:
            if self._holders == 0:
                await self._acquire(wait)
            self._holders += 1
        try:
            yield
        finally:
            if self._holders > 0:  # close() may have let it go already (shutdown)
                self._holders -= 1
                if self._holders == 0:
                    await self._release()

    async def close(self) -> None:
        """Give the lock up if a pass was cut short (shutdown)."""
        if self._holders:
            self._holders = 0
            await self._release()

    async def _call(self, fn: Callable[..., object], **kwargs: object) -> object:
        """``fn(conn, owner, **kwargs)`` on the SQLite worker thread, under the store lock."""
        return await self.rt.db(fn, self.owner, **kwargs)

    async def _acquire(self, wait: float | None) -> None:
        started = time.monotonic()
        logged = False
        while True:
            holder = await self._call(
                delivery_lock.acquire, kind=self.kind, now=self.wall_clock(), ttl=self.ttl
            )
            assert isinstance(holder, delivery_lock.Holder)
            if holder.owner == self.owner:
                self._heartbeat = asyncio.get_running_loop().create_task(self._beat())
                return
            if wait is not None and time.monotonic() - started >= wait:
                raise DeliveryBusy(holder)
            if not logged:
                log.warning("delivery lock held by %s: waiting for it", holder.describe())
                logged = True
            await asyncio.sleep(self.poll)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            ours = await self._call(delivery_lock.heartbeat, now=self.wall_clock(), ttl=self.ttl)
            if not ours:
                log.error("lost the delivery lock (expired while this process stalled?)")

    async def _release(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
            self._heartbeat = None
        await self._call(delivery_lock.release)
