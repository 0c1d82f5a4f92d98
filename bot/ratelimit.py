"""Telegram's broadcast limits as PTB's rate limiter: 30 messages/s overall, 1/s per chat,
20/min per group, replies to users ahead of digest parts, one global pause on ``retry_after``.

``RateLimiter`` is a ``telegram.ext.BaseRateLimiter`` (PTB's documented extension point), given
to the bot's ``ExtBot``, so every call of the application passes through it: handler replies,
edits, answers and the morning delivery alike, all counted against the same 30/s. Delivery
marks its sends ``rate_limit_args=LimitArgs(Priority.DIGEST)``; everything else is a reply.
See docs/delivery.md for why each send counts until one second after its answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import heapq
import itertools
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

# Telegram's broadcast limits (core.telegram.org/bots/faq#broadcasting-to-users).
OVERALL_PER_SECOND = 30.0
PER_CHAT_PER_SECOND = 1.0
GROUP_PER_MINUTE = 20
HEADROOM = 0.98
MAX_RETRIES = 20  # retry_after answers tolerated for one call before it is given up

ChatKey = int | str


class Priority(enum.IntEnum):
    """Lower goes first: a user waiting for an answer before a digest part queued for later."""

    REPLY = 0
    DIGEST = 1


@dataclass
class LimitArgs:
    """``rate_limit_args`` of one Bot call: its priority; ``retry_afters`` counts the 429s the
    limiter absorbed for it (the delivery report shows them)."""

    priority: Priority = Priority.REPLY
    retry_afters: int = 0


def retry_after_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds: a timedelta under ``PTB_TIMEDELTA=true`` (set at start-up
    by bot.py), a number of seconds otherwise."""
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# Calls that put a message into a chat, and so count against Telegram's message limits.
_MESSAGE_PREFIXES = ("send", "copyMessage", "forwardMessage", "editMessage")
_NOT_MESSAGES = frozenset({"sendChatAction"})


def message_chat(endpoint: str, data: dict[str, Any]) -> ChatKey | None:
    """The chat a call posts a message into, or None for calls that post none."""
    if endpoint in _NOT_MESSAGES or not endpoint.startswith(_MESSAGE_PREFIXES):
        return None
    chat = data.get("chat_id")
    if isinstance(chat, int):
        return chat
    if isinstance(chat, str):
        text = chat.strip()
        return int(text) if text.lstrip("-").isdigit() else text  # "@channel" stays a name
    return None


def is_group(chat: ChatKey) -> bool:
    """Negative ids are groups and channels; so are "@name" channels."""
    return isinstance(chat, str) or chat < 0


class _Waiter:
    __slots__ = ("chat", "future", "priority", "seq")

    def __init__(self, priority: int, seq: int, chat: ChatKey, future: asyncio.Future[bool]):
        self.priority, self.seq, self.chat, self.future = priority, seq, chat, future

    def __lt__(self, other: _Waiter) -> bool:
        return (self.priority, self.seq) < (other.priority, other.seq)


class RateLimiter(BaseRateLimiter[LimitArgs]):
    """Async limits on sends: overall, per chat, per group, plus a global pause on ``retry_after``.

    Telegram counts a send when it *arrives*, which is some unknown time after we release it and
    before we see the answer. So a send counts against a window from its release until one window
    after its answer (``acquire``/``done``): then no sliding window at the server can ever hold
    more than the limit, whatever the network or a busy event loop does to the timing in between.
    Releases are paced on one global timeline spaced ``1/(overall*headroom)`` apart by a single
    dispatcher that always releases the most urgent waiter first (replies before digest parts,
    then first come first served), so a reply never queues behind a fan-out.

    A digest part's chat waits ``1/per_chat`` after its previous answer (a chat's parts go one
    after another); a group (negative id) also waits until its ``group_per_minute``-th last
    answer is a minute old. Replies answer a message the user just sent: they keep the group
    limit but not the private per-chat spacing (PTB's AIORateLimiter has none at all), and
    they start the chat's cool-down like any send. ``scale`` multiplies every rate (the bench
    runs the fake server faster); ``clock`` and ``sleep`` are injectable so tests run in
    virtual time.
    """

    def __init__(
        self,
        *,
        overall: float = OVERALL_PER_SECOND,
        per_chat: float = PER_CHAT_PER_SECOND,
        group_per_minute: int = GROUP_PER_MINUTE,
        scale: float = 1.0,
        headroom: float = HEADROOM,
        max_retries: int = MAX_RETRIES,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / (overall * scale * headroom)
        self.chat_interval = 1.0 / (per_chat * scale * headroom)
        self.group_window = 60.0 / (scale * headroom)
        self.group_size = group_per_minute
        self.per_window = max(1, math.floor(overall * scale))  # sends counted in any second
        self.max_lag = max(4 * self.interval, 0.05)  # behind the timeline by more: idle, restart
        self.max_retries = max_retries
        self.clock = clock
        self.sleep = sleep
        self.in_flight = 0
        self._answered: deque[float] = deque(maxlen=self.per_window)  # newest answer times
        self._next = 0.0  # next free slot on the global timeline
        self._busy: set[ChatKey] = set()  # chats with a send released and not yet answered
        self._chat_next: dict[ChatKey, float] = {}
        self._groups: dict[ChatKey, deque[float]] = {}
        self._queue: list[_Waiter] = []
        self._seq = itertools.count()
        self._dispatcher: asyncio.Task[None] | None = None
        self.paused_until = 0.0
        self.pauses = 0
        self.released = {Priority.REPLY: 0, Priority.DIGEST: 0}

    # -- PTB's BaseRateLimiter ----------------------------------------------------------------

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        if self._dispatcher is not None and not self._queue:
            self._dispatcher.cancel()
            self._dispatcher = None

    async def process_request(  # noqa: PLR0917 (PTB's signature)
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: LimitArgs | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Every Bot API call of the bot (but getUpdates): messages wait for their slot, every
        call waits out a ``retry_after`` pause, and a 429 pauses everything and is retried."""
        chat = message_chat(endpoint, data)
        limits = rate_limit_args if isinstance(rate_limit_args, LimitArgs) else LimitArgs()
        retries = 0
        while True:
            try:
                if chat is None:
                    await self._wait_pause()
                    return await callback(*args, **kwargs)
                async with self.slot(chat, limits.priority):
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                retries += 1
                limits.retry_afters += 1
                wait = retry_after_seconds(exc)
                log.warning("429 on %s: pausing every send for %.1f s", endpoint, wait)
                self.pause(wait)
                if retries > self.max_retries:
                    raise

    # -- the limiter ---------------------------------------------------------------------------

    def pause(self, seconds: float) -> None:
        """Stop every send for ``seconds`` (Telegram's ``retry_after`` applies to the whole bot)."""
        until = self.clock() + max(0.0, seconds)
        if until > self.paused_until:
            self.paused_until = until
            self.pauses += 1

    @contextlib.asynccontextmanager
    async def slot(
        self, chat_id: ChatKey, priority: Priority = Priority.REPLY
    ) -> AsyncIterator[None]:
        """``async with limiter.slot(chat): await send(...)``: acquire, then ``done`` on exit."""
        await self.acquire(chat_id, priority)
        try:
            yield
        finally:
            self.done(chat_id)

    async def acquire(self, chat_id: ChatKey, priority: Priority = Priority.REPLY) -> None:
        """Wait until a message to ``chat_id`` may go out; it counts as in flight until ``done``."""
        loop = asyncio.get_running_loop()
        while True:
            now = self.clock()
            ready = self._chat_ready(chat_id, priority, now)
            if ready > now:
                # Wait for this chat first, off the queue, so one slow chat never holds a slot
                # the others could use.
                await self.sleep(ready - now)
                continue
            if not self._queue and self._slot_ready(now) <= now:
                self._grant(chat_id, priority, now)  # nobody waits: no hand-off to the dispatcher
                return
            waiter = _Waiter(priority, next(self._seq), chat_id, loop.create_future())
            heapq.heappush(self._queue, waiter)
            if self._dispatcher is None or self._dispatcher.done():
                self._dispatcher = loop.create_task(self._dispatch())
            try:
                granted = await waiter.future
            except asyncio.CancelledError:
                future = waiter.future
                if future.done() and not future.cancelled() and future.result():
                    self._release_unused(chat_id)
                raise
            if granted:
                return
            # The chat became busy while we queued (another send to it went first): wait again.

    def done(self, chat_id: ChatKey) -> None:
        """The answer to a send from ``acquire`` arrived (or it failed): start its cool-down."""
        now = self.clock()
        self.in_flight -= 1
        self._answered.append(now)
        self._busy.discard(chat_id)
        self._chat_next[chat_id] = now + self.chat_interval
        if is_group(chat_id):
            self._groups.setdefault(chat_id, deque(maxlen=self.group_size)).append(now)
        self._forget_idle(now)

    async def _dispatch(self) -> None:
        """Release waiters one slot apart, most urgent first, while the window has room."""
        while self._queue:
            now = self.clock()
            ready = self._slot_ready(now)
            if ready > now:
                await self.sleep(ready - now)
                continue
            waiter = heapq.heappop(self._queue)
            if waiter.future.done():  # its task was cancelled while queued
                continue
            if self._chat_ready(waiter.chat, waiter.priority, now) > now:
                waiter.future.set_result(False)
                continue
            self._grant(waiter.chat, waiter.priority, now)
            waiter.future.set_result(True)

    def _slot_ready(self, now: float) -> float:
        """When the next send may be released: paced, not paused, room in the window."""
        return max(self._next, self.paused_until, self._window_ready(now))

    def _grant(self, chat_id: ChatKey, priority: int, now: float) -> None:
        # The next slot follows this one's scheduled time, not the moment the loop got round to
        # it: waking late must not stretch every interval (a busy loop lost 20 % of the rate
        # that way); slots missed by a short stall are caught up, which the window rule keeps
        # within the limit. After an idle spell the timeline restarts from now.
        behind = now - self._next
        self._next = (self._next if behind < self.max_lag else now) + self.interval
        self.in_flight += 1
        self._busy.add(chat_id)
        self.released[Priority(priority)] += 1

    def _release_unused(self, chat_id: ChatKey) -> None:
        """A released slot whose task was cancelled before it could send."""
        self.in_flight -= 1
        self._busy.discard(chat_id)

    async def _wait_pause(self) -> None:
        while (left := self.paused_until - self.clock()) > 0:
            await self.sleep(left)

    def _chat_ready(self, chat_id: ChatKey, priority: int, now: float) -> float:
        ready = self.paused_until
        if priority == Priority.DIGEST:
            if chat_id in self._busy:
                # Its previous send is not answered yet, so its cool-down has not started: look
                # again later (the deliverer never does this; its parts go one after another).
                return max(ready, now + self.chat_interval)
            ready = max(ready, self._chat_next.get(chat_id, 0.0))
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
