"""Updates of different chats handled at once; updates of one chat strictly in order.

PTB handles updates one after another by default, so every chat waits for the round trip of
every other chat's reply: against Telegram (50-200 ms per reply) that caps a bot at 5-20
updates per second however idle its CPU. PTB's ``concurrent_updates`` lifts the cap but drops
the order, and a chat's ``/subscribe`` followed by ``/time 07:30`` must not run the other way
round. This processor keeps one queue per chat (per user for inline queries, which have no
chat) and lets up to ``concurrency`` chats run at once. SQLite work still runs one call at a
time on the worker thread (bot/runtime.py).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def order_key(update: object) -> int | None:
    """Updates with the same key are handled in arrival order; None: no order needed."""
    if not isinstance(update, Update):
        return None
    if (chat := update.effective_chat) is not None:
        return chat.id
    if (user := update.effective_user) is not None:
        return user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Up to ``concurrency`` chats handled at once, each chat's updates one after another.

    PTB's own limit (``max_concurrent_updates``) counts updates that have arrived and not yet
    finished, including those waiting for their chat's turn; it is set to ``max_pending`` so
    that one chat sending a burst cannot fill every slot and stall the others.
    """

    def __init__(self, concurrency: int, *, max_pending: int = 256) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        super().__init__(max(concurrency, max_pending))
        self.concurrency = concurrency
        self._running = asyncio.Semaphore(concurrency)
        # key -> a future resolved when the chat's newest update so far has been handled
        self._tails: dict[int, asyncio.Future[None]] = {}

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def busy_chats(self) -> int:
        """Chats with an update being handled or waiting its turn."""
        return len(self._tails)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        if key is None:
            await self._run(coroutine, None)
            return
        previous = self._tails.get(key)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = done
        try:
            await self._run(coroutine, previous)
        finally:
            done.set_result(None)
            if self._tails.get(key) is done:
                del self._tails[key]

    async def _run(self, coroutine: Awaitable[Any], after: asyncio.Future[None] | None) -> None:
        """Wait for the chat's previous update and a free slot, then handle this one."""
        try:
            if after is not None:
                # shield: a cancelled waiter must not cancel the chat's earlier update
                await asyncio.shield(after)
            await self._running.acquire()
        except asyncio.CancelledError:
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never started: no "never awaited" warning
            raise
        try:
            await coroutine
        finally:
            self._running.release()
