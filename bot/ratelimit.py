"""Telegram's broadcast limits as an async limiter: 30 messages/s overall, 1/s per chat,
20/min per group, and one global pause when Telegram answers 429 with ``retry_after``.

PTB's AIORateLimiter has no per-chat limit for private chats and lets a first burst through;
delivery uses this one instead (see docs/delivery.md for why each send counts until one second
after its answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

# Telegram's broadcast limits (core.telegram.org/bots/faq#broadcasting-to-users).
OVERALL_PER_SECOND = 30.0
PER_CHAT_PER_SECOND = 1.0
GROUP_PER_MINUTE = 20
HEADROOM = 0.98


class RateLimiter:
    """Async limits on sends: overall, per chat, per group, plus a global pause on ``retry_after``.

    Telegram counts a send when it *arrives*, which is some unknown time after we release it and
    before we see the answer. So a send counts against a window from its release until one window
    after its answer (``slot``/``done``): then no sliding window at the server can ever hold more
    than the limit, whatever the network or a busy event loop does to the timing in between.
    On top of that, releases are paced on one global timeline spaced ``1/(overall*headroom)``
    apart, so sends go out evenly and not in bursts at window edges (PTB's AIORateLimiter lets a
    burst through first). A chat's next send waits ``1/per_chat`` after its previous answer; a
    group (negative id) also waits until its ``group_per_minute``-th last answer is a minute old.
    ``scale`` multiplies every rate (the bench runs the fake server faster); ``clock`` and
    ``sleep`` are injectable so tests run in virtual time.
    """

    def __init__(
        self,
        *,
        overall: float = OVERALL_PER_SECOND,
        per_chat: float = PER_CHAT_PER_SECOND,
        group_per_minute: int = GROUP_PER_MINUTE,
        scale: float = 1.0,
        headroom: float = HEADROOM,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / (overall * scale * headroom)
        self.chat_interval = 1.0 / (per_chat * scale * headroom)
        self.group_window = 60.0 / (scale * headroom)
        self.group_size = group_per_minute
        self.per_window = max(1, math.floor(overall * scale))  # sends counted in any second
        self.clock = clock
        self.sleep = sleep
        self.in_flight = 0
        self._answered: deque[float] = deque(maxlen=self.per_window)  # newest answer times
        self._next = 0.0  # next free slot on the global timeline
        self._busy: set[int] = set()  # chats with a send reserved or in flight
        self._chat_next: dict[int, float] = {}
        self._groups: dict[int, deque[float]] = {}
        self.paused_until = 0.0
        self.pauses = 0

    def pause(self, seconds: float) -> None:
        """Stop every send for ``seconds`` (Telegram's ``retry_after`` applies to the whole bot)."""
        until = self.clock() + max(0.0, seconds)
        if until > self.paused_until:
            self.paused_until = until
            self.pauses += 1

    @contextlib.asynccontextmanager
    async def slot(self, chat_id: int) -> AsyncIterator[None]:
        """``async with limiter.slot(chat): await send(...)``: acquire, then ``done`` on exit."""
        await self.acquire(chat_id)
        try:
            yield
        finally:
            self.done(chat_id)

    async def acquire(self, chat_id: int) -> None:
        """Wait until a message to ``chat_id`` may go out; it counts as in flight until ``done``."""
        while True:
            now = self.clock()
            ready = max(self._chat_ready(chat_id, now), self._window_ready(now))
            if ready > now:
                # Wait for this chat, the pause or the window first, without holding a slot on
                # the timeline, so one slow chat never idles the others.
                await self.sleep(ready - now)
                continue
            slot = max(now, self._next)
            self._next = slot + self.interval
            self._busy.add(chat_id)
            try:
                if slot > now:
                    await self.sleep(slot - now)
            except BaseException:
                self._busy.discard(chat_id)
                raise
            now = self.clock()
            # A retry_after arrived while we waited, or we woke so late (a busy event loop)
            # that the window filled meanwhile: this slot is void, queue again.
            if self.paused_until > now or self._window_ready(now) > now:
                self._busy.discard(chat_id)
                continue
            self.in_flight += 1
            return

    def done(self, chat_id: int) -> None:
        """The answer to a send from ``acquire`` arrived (or it failed): start its cool-down."""
        now = self.clock()
        self.in_flight -= 1
        self._answered.append(now)
        self._busy.discard(chat_id)
        self._chat_next[chat_id] = now + self.chat_interval
        if chat_id < 0:
            self._groups.setdefault(chat_id, deque(maxlen=self.group_size)).append(now)
        self._forget_idle(now)

    def _chat_ready(self, chat_id: int, now: float) -> float:
        if chat_id in self._busy:
            # Its previous send is not answered yet, so its cool-down has not started: look
            # again later (the deliverer never does this; its parts go one after another).
            return now + self.chat_interval
        ready = max(self._chat_next.get(chat_id, 0.0), self.paused_until)
        window = self._groups.get(chat_id)
        if window is not None and len(window) >= self.group_size:
            ready = max(ready, window[0] + self.group_window)
        return ready

    def _window_ready(self, now: float) -> float:
        """When one more send fits: in flight plus answered in the last second under the limit."""
        answered = self._answered
        while answered and answered[0] + 1.0 <= now:
            answered.popleft()
        excess = self.in_flight + len(answered) - self.per_window + 1
        if excess <= 0:
            return 0.0
        if excess > len(answered):
            return now + self.interval  # the window is all in flight: look again soon
        return answered[excess - 1] + 1.0

    def _forget_idle(self, now: float) -> None:
        """Drop per-chat state nobody needs any more, so memory stays flat over months."""
        if len(self._chat_next) < 4096:
            return
        self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
        self._groups = {
            c: w for c, w in self._groups.items() if w and w[-1] + self.group_window > now
        }
