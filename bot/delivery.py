"""Sending the morning briefing: the Telegram side of delivery.

One pass (``Deliverer.deliver_issue``) walks the subscribers; for each chat the domain
(briefings/delivery_plan.py, on the SQLite worker thread) claims the ledger row with the parts it
fixes, and this module sends the parts not yet recorded, maps Telegram's answers to outcomes, and
commits each part's message id as soon as Telegram accepts it. A retryable failure leaves the chat
``pending`` for a later attempt; only permanent errors end it. See docs/delivery.md.

Sends go through the bot's one ``RateLimiter`` (bot/ratelimit.py) as PTB's rate limiter, marked
as digest parts, so replies to users go first and everything shares the same 30/s. Only one
deliverer at a time per database: every pass holds the delivery lock (briefings/delivery_lock.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram import LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ExtBot

from bot.config import Config
from bot.edition_html import EditionHtml
from bot.extbot import briefing_bot
from bot.lease import Lease
from bot.ratelimit import LimitArgs, Priority, RateLimiter
from bot.redact import redact
from bot.request import AiohttpRequest
from bot.runtime import Runtime
from bot.telegram_html import MESSAGE_LIMIT, split_html
from briefings import chats, delivery_plan, editions, ledger
from briefings.delivery_plan import Claimed, PartRecord, PrepareRequest
from briefings.localtime import local_today

log = logging.getLogger(__name__)

CONCURRENCY = 32
_TOO_LONG = "message is too long"
_NO_THREAD = "message thread not found"
_MIN_SPLIT = 256
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def error_text(kind: str, exc: BaseException) -> str:
    """``kind: message`` for the ledger's ``last_error`` (ledger.stats groups by ``kind``).

    Redacted before it is cut: aiohttp's error texts can carry the Bot API URL with the token,
    and a cut token would no longer be recognised.
    """
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return redact(f"{kind}: {message}")[:500]


class Retryable(Exception):
    """A part could not be sent for now (network, 5xx, timeout, 429, …); try the chat later."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class DeliveryReport:
    """What one delivery pass did. ``messages`` counts parts Telegram accepted; ``pending``
    counts chats left for a later retry."""

    date: str | None = None
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    already: int = 0
    pending: int = 0
    messages: int = 0
    retries: int = 0
    rate_limited: int = 0
    migrated: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    note: str = ""

    def add(self, other: DeliveryReport) -> None:
        for name in ("sent", "skipped", "failed", "already", "pending", "messages", "retries"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rate_limited += other.rate_limited
        self.migrated += other.migrated
        for kind, n in other.errors.items():
            self.errors[kind] = self.errors.get(kind, 0) + n

    def count_error(self, reason: str) -> None:
        kind = ledger.error_kind(reason)
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def summary(self) -> str:
        if self.note and not (self.sent or self.failed or self.already or self.pending):
            return self.note
        text = (
            f"{self.date}: 送达 {self.sent} 个会话 ({self.messages} 条消息), "
            f"已送过 {self.already}, 跳过 {self.skipped}, 失败 {self.failed}"
        )
        if self.pending:
            text += f", 待重试 {self.pending}"
        if self.errors:
            text += " (" + ", ".join(f"{k} {n}" for k, n in sorted(self.errors.items())) + ")"
        return text


class GroupCommit:
    """Items submitted while a batch is being committed wait and go together in the next one.

    No added latency when idle (a lone item is committed at once); under load one commit (one
    fsync) serves many items. Callers wait for their own item's commit before going on.
    """

    def __init__(self, run: Callable[[list[Any]], Awaitable[list[Any]]], *, max_batch: int) -> None:
        self.run = run
        self.max_batch = max_batch
        self.batches = 0
        self._pending: list[tuple[Any, asyncio.Future[Any]]] = []
        self._task: asyncio.Task[None] | None = None

    async def submit(self, item: Any) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((item, future))
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self.max_batch]
            del self._pending[: self.max_batch]
            self.batches += 1
            try:
                results = await self.run([item for item, _ in batch])
            except Exception as exc:
                results = [exc] * len(batch)
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)


@dataclass
class Deliverer:
    """The process's sender: one concurrency bound, one delivery lock, shared by every pass.

    ``bot`` must carry a ``RateLimiter`` (bot/ratelimit.py): the application's own bot, or
    ``delivery_bot`` for ``push``.
    """

    rt: Runtime
    bot: ExtBot[Any]
    kind: str = "bot"  # how the lock names this deliverer to others: bot | push
    concurrency: int = CONCURRENCY
    max_attempts: int = 3  # tries of one part within a pass (timeouts, network errors, 5xx)
    backoff: float = 0.5  # seconds between those tries, doubled each time
    max_backoff: float = 8.0
    retry_base: float = 15.0  # seconds before a deferred chat's next pass, doubled per attempt
    retry_cap: float = 600.0
    read_timeout: float = 15.0
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    part_limit: int = MESSAGE_LIMIT  # UTF-16 units a message (smaller in tests: several parts)
    bundles_ttl: float = 60.0  # seconds a day's articles are reused between jobs
    lock_ttl: float = 60.0  # seconds the delivery lock lives without a heartbeat
    lock_poll: float = 1.0  # seconds between tries while another deliverer holds it
    _sem: asyncio.Semaphore | None = None
    _prepare: GroupCommit | None = None
    _records: GroupCommit | None = None
    _bundles: dict[str, tuple[float, list[Any]]] = field(default_factory=dict)
    _composed: delivery_plan.ComposeCache = field(default_factory=dict)
    _active: set[tuple[int, str]] = field(default_factory=set)
    _lease: Lease | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.bot.rate_limiter, RateLimiter):
            raise TypeError("delivery needs a bot whose rate_limiter is bot.ratelimit.RateLimiter")

    @property
    def lock(self) -> Lease:
        """This deliverer's hold on the one-deliverer-at-a-time lock (bot/lease.py)."""
        if self._lease is None:
            self._lease = Lease(self.rt, self.kind, ttl=self.lock_ttl, poll=self.lock_poll)
        return self._lease

    @property
    def semaphore(self) -> asyncio.Semaphore:
        if self._sem is None:
            self._sem = asyncio.Semaphore(self.concurrency)
        return self._sem

    @property
    def preparer(self) -> GroupCommit:
        if self._prepare is None:
            store = self.rt.store
            # Small batches: a part's record must not wait long behind compositions, since
            # that wait is the window in which a crash duplicates the part (docs/delivery.md).
            self._prepare = GroupCommit(
                lambda items: self.rt.call(delivery_plan.prepare_many, store, items), max_batch=8
            )
        return self._prepare

    @property
    def recorder(self) -> GroupCommit:
        if self._records is None:
            store = self.rt.store
            self._records = GroupCommit(
                lambda items: self.rt.call(delivery_plan.apply_records, store, items),
                max_batch=256,
            )
        return self._records

    def lease(self, *, wait: float | None = None) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold the delivery lock for a block (see ``Lease.hold``)."""
        return self.lock.hold(wait=wait)

    async def close(self) -> None:
        """Give the lock up if a pass was cut short (shutdown)."""
        if self._lease is not None:
            await self._lease.close()

    # -- the day's articles --------------------------------------------------------------------

    async def bundles(self, date: str) -> list[Any]:
        """The articles of ``date``, loaded once for the many jobs that fire at the same minute."""
        now = time.monotonic()
        cached = self._bundles.get(date)
        if cached is not None and now - cached[0] < self.bundles_ttl:
            return cached[1]
        loaded = await self.rt.call(self.rt.store.articles_on, date)
        self._bundles = {d: v for d, v in self._bundles.items() if now - v[0] < self.bundles_ttl}
        self._bundles[date] = (now, loaded)
        return loaded

    def forget_bundles(self) -> None:
        """Drop cached articles and editions (after an ingest changed an issue)."""
        self._bundles.clear()
        self._composed.clear()

    def _db(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Awaitable[Any]:
        return self.rt.db(fn, *args, **kwargs)

    # -- sending -------------------------------------------------------------------------------

    async def send_part(
        self, chat_id: int, text: str, thread_id: int | None, report: DeliveryReport
    ) -> Message:
        """Send one message as a digest part; retry short outages, raise the rest.

        429s are waited out by the limiter (a global pause, then the same message again);
        ``Retryable`` means: this chat should be tried again in a later pass.
        """
        attempts = 0
        while True:
            limits = LimitArgs(Priority.DIGEST)
            try:
                return await self.bot.send_message(
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=_NO_PREVIEW,
                    message_thread_id=thread_id,
                    read_timeout=self.read_timeout,
                    rate_limit_args=limits,
                )
            except RetryAfter as exc:  # the limiter has already retried it max_retries times
                raise Retryable(error_text("flood", exc)) from exc
            except (BadRequest, Forbidden, ChatMigrated):
                raise  # BadRequest before NetworkError: it is a subclass
            except (TimedOut, NetworkError) as exc:
                attempts += 1
                kind = "timeout" if isinstance(exc, TimedOut) else "network"
                if attempts >= self.max_attempts:
                    raise Retryable(error_text(kind, exc)) from exc
                report.retries += 1
                delay = min(self.max_backoff, self.backoff * 2 ** (attempts - 1))
                log.info("%s for chat %s, retry %d in %.1f s", kind, chat_id, attempts, delay)
                await self.sleep(delay)
            except TelegramError as exc:  # InvalidToken, Conflict, …: not this chat's fault
                raise Retryable(error_text("telegram", exc)) from exc
            finally:
                report.rate_limited += limits.retry_afters

    async def _send_claimed(self, job: Claimed, date: str, report: DeliveryReport) -> str:
        """Send the missing parts of one claimed edition; return sent | pending | failed."""
        chat_id, thread_id = job.chat_id, job.thread_id
        parts = list(job.parts)
        changed = False  # parts were cut finer: the next record stores them
        i = job.start
        migrations = 0
        limit = self.part_limit
        while i < len(parts):
            try:
                message = await self.send_part(chat_id, parts[i], thread_id, report)
            except ChatMigrated as exc:
                migrations += 1
                if migrations > 2:
                    return await self._fail(chat_id, date, error_text("migrated", exc), report)
                new_id = int(exc.new_chat_id)
                log.info("chat %s became supergroup %s: moving its subscription", chat_id, new_id)
                await self._db(chats.migrate_chat, chat_id, new_id)
                chat_id = new_id
                report.migrated += 1
                continue
            except Forbidden as exc:
                # Blocked or kicked: stop sending, keep every preference; /start resumes it.
                await self._db(chats.set_active, chat_id, False)
                return await self._fail(chat_id, date, error_text("forbidden", exc), report)
            except BadRequest as exc:
                text = exc.message.lower()
                if _TOO_LONG in text and limit > _MIN_SPLIT:
                    # Telegram counted more than we did; cut this part finer and go on. The new
                    # parts are stored with the first piece's message id.
                    limit //= 2
                    parts[i : i + 1] = split_html([parts[i]], limit=limit)
                    changed = True
                    await self._db(ledger.note_error, chat_id, date, error_text("too_long", exc))
                    continue
                if _NO_THREAD in text and thread_id is not None:
                    thread_id = None  # the forum topic was deleted: post into the main chat
                    continue
                return await self._fail(chat_id, date, error_text("bad_request", exc), report)
            except Retryable as exc:
                return await self._defer(chat_id, date, exc.reason, report)
            report.messages += 1
            # Committed before the next part goes out: at most one part per chat is ever
            # accepted by Telegram but missing from the ledger.
            await self.recorder.submit(
                PartRecord(
                    chat_id,
                    date,
                    message.message_id,
                    tuple(parts) if changed else None,
                    final=i == len(parts) - 1,
                )
            )
            changed = False
            i += 1
        if i == job.start:  # every part was already recorded before a crash
            await self._db(ledger.mark_sent, chat_id, date)
        return "sent"

    async def _fail(self, chat_id: int, date: str, reason: str, report: DeliveryReport) -> str:
        log.warning("delivery of %s to chat %s failed: %s", date, chat_id, reason)
        await self._db(ledger.mark_failed, chat_id, date, reason)
        report.count_error(reason)
        return "failed"

    async def _defer(self, chat_id: int, date: str, reason: str, report: DeliveryReport) -> str:
        status = await self.rt.call(
            delivery_plan.defer_or_give_up,
            self.rt.store,
            chat_id,
            date,
            reason,
            now=self.rt.clock(),
            base=self.retry_base,
            cap=self.retry_cap,
        )
        if status == ledger.PENDING:
            log.info("delivery of %s to chat %s will be retried: %s", date, chat_id, reason)
            return "pending"
        log.warning("delivery of %s to chat %s given up (stale): %s", date, chat_id, reason)
        report.count_error("stale:")
        return "failed"

    async def deliver_chat(
        self,
        chat_id: int,
        date: str,
        bundles: Sequence[Any],
        report: DeliveryReport,
        *,
        retry_failed: bool = False,
    ) -> str:
        """Deliver ``date`` to one chat through the ledger.

        Returns sent | pending | already | inactive | failed; "already" also when this process
        is sending it right now.
        """
        key = (chat_id, date)
        if key in self._active:
            report.already += 1
            return "already"
        self._active.add(key)
        try:
            async with self.lease(), self.semaphore:
                outcome = await self._deliver(chat_id, date, bundles, report, retry_failed)
        finally:
            self._active.discard(key)
        if outcome == "sent":
            report.sent += 1
        elif outcome == "pending":
            report.pending += 1
        elif outcome == delivery_plan.ALREADY:
            report.already += 1
        elif outcome == delivery_plan.INACTIVE:
            report.skipped += 1
        else:
            report.failed += 1
        return outcome

    async def _deliver(
        self, chat_id: int, date: str, bundles: Sequence[Any], report: DeliveryReport, retry: bool
    ) -> str:
        try:
            prepared = await self.preparer.submit(
                PrepareRequest(
                    chat_id=chat_id,
                    date=date,
                    bundles=bundles,
                    now=self.rt.clock(),
                    render=EditionHtml(self.bot_username, self.part_limit),
                    stale_hours=self.rt.config.stale_after_hours,
                    retry_failed=retry,
                    cache=self._composed,
                )
            )
            if isinstance(prepared, Exception):
                raise prepared
            if not isinstance(prepared, Claimed):
                if prepared == delivery_plan.STALE:
                    report.count_error("stale:")
                return prepared
            return await self._send_claimed(prepared, date, report)
        except asyncio.CancelledError:
            raise  # shutdown: the row stays "sending" and resumes at the next start
        except Exception as exc:  # a bug for one chat must not stop the others
            log.exception("delivery of %s to chat %s crashed", date, chat_id)
            return await self._fail(chat_id, date, error_text("error", exc), report)

    @property
    def bot_username(self) -> str | None:
        try:
            return self.bot.username or self.rt.config.bot_username or None
        except RuntimeError:  # Bot not initialised (no getMe yet)
            return self.rt.config.bot_username or None

    async def deliver_issue(
        self,
        date: str,
        *,
        chat_ids: Sequence[int] | None = None,
        retry_failed: bool = False,
        lock_wait: float | None = None,
    ) -> DeliveryReport:
        """One pass: every active subscriber (or ``chat_ids``) that has not had ``date`` yet.

        Holds the delivery lock throughout (waiting up to ``lock_wait`` s for another process
        to finish, then ``DeliveryBusy``).
        """
        report = DeliveryReport(date=date)
        bundles = await self.bundles(date)
        if not bundles:
            report.note = f"{date} 没有稿件,未发送"
            return report
        async with self.lease(wait=lock_wait):
            if chat_ids is None:
                # Subscribers, and chats still owed this edition although they left since
                # (the claim closes those rows instead of leaving them pending for ever).
                subs = await self._db(chats.subscribers)
                owed = await self._db(ledger.unfinished_chats, date)
                chat_ids = sorted({p.chat_id for p in subs} | set(owed))
            await asyncio.gather(
                *(
                    self.deliver_chat(c, date, bundles, report, retry_failed=retry_failed)
                    for c in chat_ids
                )
            )
        log.info("delivery pass: %s", report.summary())
        return report


# --- push: one pass from the command line -------------------------------------------------------


def delivery_bot(
    config: Config,
    limiter: RateLimiter | None = None,
    *,
    concurrency: int = CONCURRENCY,
    read_timeout: float = 15.0,
) -> ExtBot[Any]:
    """The bot for a delivery outside the running application (``push``, benches, tests):
    the same ExtBot and limiter set-up as the application's, with a pool wide enough for a
    fan-out."""
    request = AiohttpRequest(
        connection_pool_size=concurrency + 4, pool_timeout=30.0, read_timeout=read_timeout
    )
    return briefing_bot(config, limiter or RateLimiter(), request=request)


async def push(
    config: Config,
    date: str | None,
    *,
    clock: Callable[[], datetime] | None = None,
    limiter: RateLimiter | None = None,
    **options: Any,
) -> DeliveryReport:
    """``python bot.py push``: one pass to every active subscriber that has not had the edition.

    ``date`` defaults to the newest issue on or before today (in ``config.timezone``), no older
    than editions.MAX_EDITION_AGE_DAYS. Chats waiting for a retry of that edition are tried
    again now. Raises ``DeliveryBusy`` at once if another process is delivering. ``options``
    go to the ``Deliverer`` (tests: faster backoff).
    """
    from briefings.store import Store, db_path

    store = Store.open(db_path(config.db_path or None))
    rt = Runtime(config, store, **({"clock": clock} if clock else {}))
    try:
        if date is None:
            today = local_today(rt.clock(), config.timezone)
            date = await rt.call(editions.issue_for, store, today)
            if date is None:
                return DeliveryReport(note="没有最近的稿件可发送 (先 ingest 今日报纸)")
        async with delivery_bot(config, limiter) as bot:
            deliverer = Deliverer(rt, bot, kind="push", **options)
            report = await deliverer.deliver_issue(date, lock_wait=0)
            report.pending = await rt.db(ledger.count_unfinished, date)
            return report
    finally:
        rt.close()
