"""Sending the morning briefing: rate limits, Telegram errors, fan-out, exactly-once via the ledger.

One pass (``deliver_edition``) walks the subscribers, composes each chat's edition, claims the
ledger row, and sends the parts not yet recorded, committing each part's message id as soon as
Telegram accepts it. See docs/delivery.md for the exactly-once rule and its crash window.

Sends go through our own ``RateLimiter`` (bot/ratelimit.py: 30/s overall, 1/s per chat, 20/min
per group, one global pause on ``retry_after``) on a ``telegram.Bot`` that has no PTB rate
limiter, so nothing is limited twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Bot, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.config import Config
from bot.ratelimit import RateLimiter
from bot.request import AiohttpRequest
from bot.runtime import Runtime
from briefings import chats, editions, ledger
from briefings.migrations import transaction

log = logging.getLogger(__name__)

CONCURRENCY = 32
COMPOSE_CACHE_SIZE = 256
_TOO_LONG = "message is too long"
_NO_THREAD = "message thread not found"
_MIN_SPLIT = 256
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def retry_after_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds, whatever PTB_TIMEDELTA says (no deprecation warning)."""
    value = getattr(exc, "_retry_after", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = exc.retry_after
    return raw.total_seconds() if isinstance(raw, timedelta) else float(raw)


def error_text(kind: str, exc: BaseException) -> str:
    """``kind: message`` for the ledger's ``last_error`` (ledger.stats groups by ``kind``)."""
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"{kind}: {message}"[:500]


class SendFailed(Exception):
    """A part could not be sent; ``reason`` goes into the ledger as ``last_error``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class DeliveryReport:
    """What one delivery pass did. ``messages`` counts parts Telegram accepted."""

    date: str | None = None
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    already: int = 0
    messages: int = 0
    retries: int = 0
    rate_limited: int = 0
    migrated: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    note: str = ""

    def add(self, other: DeliveryReport) -> None:
        for name in ("sent", "skipped", "failed", "already", "messages", "retries"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rate_limited += other.rate_limited
        self.migrated += other.migrated
        for kind, n in other.errors.items():
            self.errors[kind] = self.errors.get(kind, 0) + n

    def summary(self) -> str:
        if self.note and not (self.sent or self.failed or self.already):
            return self.note
        text = (
            f"{self.date}: 送达 {self.sent} 个会话 ({self.messages} 条消息), "
            f"已送过 {self.already}, 跳过 {self.skipped}, 失败 {self.failed}"
        )
        if self.errors:
            text += " (" + ", ".join(f"{k} {n}" for k, n in sorted(self.errors.items())) + ")"
        return text


@dataclass(frozen=True)
class Prepared:
    """A claimed delivery, ready to send: the parts from ``start`` on are still missing."""

    chat_id: int
    thread_id: int | None
    parts: tuple[str, ...]
    start: int
    article_ids: tuple[int, ...]


# --- composition (runs on the SQLite worker thread) -----------------------------------------


def edition_parts(
    store: Any,
    prefs: chats.ChatPrefs,
    date: str,
    bundles: Sequence[Any],
    *,
    bot_username: str | None,
    limit: int = 4096,
    cache: dict[Any, tuple[list[str], list[int]]] | None = None,
) -> tuple[list[str], list[int]]:
    """The HTML messages of ``date``'s briefing for one chat, and the article ids they show.

    Chats with the same sections, follows and recent articles get the same edition, so
    ``cache`` composes it once per pass, not once per chat.
    """
    recent = ledger.recent_article_ids(store.conn, prefs.chat_id, days=7, before=date)
    key = (date, editions.digest_prefs(prefs, recent), bot_username, limit)
    if cache is not None and key in cache:
        return cache[key]
    edition = editions.compose_for_chat(
        store, prefs, date, bot_username=bot_username, bundles=bundles, limit=limit
    )
    result = (list(edition.messages), list(edition.article_ids))
    if cache is not None:
        if len(cache) >= COMPOSE_CACHE_SIZE:
            cache.clear()
        cache[key] = result
    return result


def prepare_delivery(
    store: Any,
    chat_id: int,
    date: str,
    bundles: Sequence[Any],
    *,
    bot_username: str | None,
    retry_failed: bool = False,
    limit: int = 4096,
    cache: dict[Any, tuple[list[str], list[int]]] | None = None,
) -> Prepared | str:
    """Compose and claim one chat's edition; or say why not: "inactive" or "already"."""
    with store.lock:
        conn = store.conn
        prefs = chats.get_chat(conn, chat_id)
        if prefs is None or not prefs.subscribed or not prefs.active:
            return "inactive"
        row = ledger.get(conn, chat_id, date)
        if row is not None and (
            row.status in ledger.FINAL or (row.status == ledger.FAILED and not retry_failed)
        ):
            return "already"
        parts, article_ids = edition_parts(
            store, prefs, date, bundles, bot_username=bot_username, limit=limit, cache=cache
        )
        claimed = ledger.claim(conn, chat_id, date, retry_failed=retry_failed, parts=len(parts))
        if claimed is None:
            return "already"
        return Prepared(
            chat_id, prefs.thread_id, tuple(parts), claimed.parts_sent, tuple(article_ids)
        )


def with_conn(store: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(store.conn, ...)`` under the store lock (briefings.chats and ledger take a conn)."""
    with store.lock:
        return fn(store.conn, *args, **kwargs)


def prepare_many(store: Any, requests: Sequence[dict[str, Any]]) -> list[Any]:
    """``prepare_delivery`` for several chats in one transaction (one fsync for all claims)."""
    out: list[Any] = []
    with store.lock, transaction(store.conn):
        for request in requests:
            try:
                out.append(prepare_delivery(store, **request))
            except Exception as exc:  # one chat's failure is that chat's, not the batch's
                out.append(exc)
    return out


def apply_records(
    store: Any, records: Sequence[tuple[int, str, int, tuple[int, ...] | None]]
) -> list[None]:
    """Commit accepted parts together: (chat, edition, message_id, article_ids if last part)."""
    with store.lock, transaction(store.conn):
        for chat_id, date, message_id, article_ids in records:
            if article_ids is None:
                ledger.record_part(store.conn, chat_id, date, message_id)
            else:
                ledger.mark_sent(store.conn, chat_id, date, article_ids, message_id=message_id)
    return [None] * len(records)


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


# --- sending --------------------------------------------------------------------------------


@dataclass
class Deliverer:
    """The bot-wide sender: one limiter and one concurrency bound shared by every pass and job."""

    rt: Runtime
    bot: Bot
    limiter: RateLimiter = field(default_factory=RateLimiter)
    concurrency: int = CONCURRENCY
    max_attempts: int = 4  # for timeouts, network errors and 5xx
    backoff: float = 0.5  # seconds, doubled per attempt
    max_backoff: float = 8.0
    max_pauses: int = 20  # retry_after answers tolerated for one message
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    part_limit: int = 4096  # UTF-16 units per message (smaller in tests, to get several parts)
    bundles_ttl: float = 60.0  # seconds a day's articles are reused between jobs
    _sem: asyncio.Semaphore | None = None
    _prepare: GroupCommit | None = None
    _records: GroupCommit | None = None
    _bundles: dict[str, tuple[float, list[Any]]] = field(default_factory=dict)
    _composed: dict[Any, tuple[list[str], list[int]]] = field(default_factory=dict)

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
                lambda items: self.rt.call(prepare_many, store, items), max_batch=8
            )
        return self._prepare

    @property
    def recorder(self) -> GroupCommit:
        if self._records is None:
            store = self.rt.store
            self._records = GroupCommit(
                lambda items: self.rt.call(apply_records, store, items), max_batch=256
            )
        return self._records

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
        return self.rt.call(with_conn, self.rt.store, fn, *args, **kwargs)

    async def send_part(
        self, chat_id: int, text: str, thread_id: int | None, report: DeliveryReport
    ) -> Message:
        """Send one message within the limits; retry what is worth retrying, raise the rest."""
        attempts = pauses = 0
        while True:
            try:
                async with self.limiter.slot(chat_id):
                    return await self.bot.send_message(
                        chat_id,
                        text,
                        parse_mode=ParseMode.HTML,
                        link_preview_options=_NO_PREVIEW,
                        message_thread_id=thread_id,
                    )
            except RetryAfter as exc:
                pauses += 1
                report.rate_limited += 1
                wait = retry_after_seconds(exc)
                log.warning("429 for chat %s: pausing all sends for %.1f s", chat_id, wait)
                self.limiter.pause(wait)
                if pauses > self.max_pauses:
                    raise SendFailed(error_text("flood", exc)) from exc
            except (BadRequest, Forbidden, ChatMigrated, InvalidToken):
                raise  # BadRequest before NetworkError: it is a subclass
            except (TimedOut, NetworkError) as exc:
                attempts += 1
                kind = "timeout" if isinstance(exc, TimedOut) else "network"
                if attempts >= self.max_attempts:
                    raise SendFailed(error_text(kind, exc)) from exc
                report.retries += 1
                delay = min(self.max_backoff, self.backoff * 2 ** (attempts - 1))
                log.info("%s for chat %s, retry %d in %.1f s", kind, chat_id, attempts, delay)
                await self.sleep(delay)

    async def _send_prepared(self, job: Prepared, date: str, report: DeliveryReport) -> str:
        """Send the missing parts of one claimed edition; return sent | failed."""
        chat_id, thread_id = job.chat_id, job.thread_id
        parts = list(job.parts)
        i = job.start
        migrations = 0
        limit = self.part_limit
        while i < len(parts):
            last = i == len(parts) - 1
            try:
                message = await self.send_part(chat_id, parts[i], thread_id, report)
            except ChatMigrated as exc:
                migrations += 1
                new_id = int(exc.new_chat_id)
                if migrations > 2:
                    await self._fail(chat_id, date, error_text("migrated", exc), report)
                    return "failed"
                log.info("chat %s became supergroup %s: moving its subscription", chat_id, new_id)
                await self._db(chats.migrate_chat, chat_id, new_id)
                chat_id = new_id
                report.migrated += 1
                continue
            except Forbidden as exc:
                # Blocked or kicked: stop sending, keep every preference; /start resumes it.
                await self._db(chats.set_active, chat_id, False)
                await self._fail(chat_id, date, error_text("forbidden", exc), report)
                return "failed"
            except BadRequest as exc:
                text = exc.message.lower()
                if _TOO_LONG in text and limit > _MIN_SPLIT:
                    # Telegram counted more than we did; cut this part finer and go on.
                    from briefings.messages import split_html

                    limit //= 2
                    parts[i : i + 1] = split_html([parts[i]], limit=limit)
                    await self._db(ledger.set_parts, chat_id, date, len(parts))
                    await self._db(ledger.note_error, chat_id, date, error_text("too_long", exc))
                    continue
                if _NO_THREAD in text and thread_id is not None:
                    thread_id = None  # the forum topic was deleted: post into the main chat
                    continue
                await self._fail(chat_id, date, error_text("bad_request", exc), report)
                return "failed"
            except SendFailed as exc:
                await self._fail(chat_id, date, exc.reason, report)
                return "failed"
            except TelegramError as exc:
                await self._fail(chat_id, date, error_text("telegram", exc), report)
                return "failed"
            report.messages += 1
            # Committed before the next part goes out: at most one part per chat is ever
            # accepted by Telegram but missing from the ledger.
            await self.recorder.submit(
                (chat_id, date, message.message_id, job.article_ids if last else None)
            )
            i += 1
        if i == job.start:  # every part was already recorded before a crash
            await self._db(ledger.mark_sent, chat_id, date, job.article_ids)
        return "sent"

    async def _fail(self, chat_id: int, date: str, reason: str, report: DeliveryReport) -> None:
        log.warning("delivery of %s to chat %s failed: %s", date, chat_id, reason)
        await self._db(ledger.mark_failed, chat_id, date, reason)
        kind = ledger.error_kind(reason)
        report.errors[kind] = report.errors.get(kind, 0) + 1

    async def deliver_chat(
        self,
        chat_id: int,
        date: str,
        bundles: Sequence[Any],
        report: DeliveryReport,
        *,
        retry_failed: bool = False,
    ) -> str:
        """Deliver ``date`` to one chat through the ledger; return sent|already|inactive|failed."""
        async with self.semaphore:
            try:
                prepared = await self.preparer.submit(
                    {
                        "chat_id": chat_id,
                        "date": date,
                        "bundles": bundles,
                        "bot_username": self.bot_username,
                        "retry_failed": retry_failed,
                        "limit": self.part_limit,
                        "cache": self._composed,
                    }
                )
                outcome = (
                    await self._send_prepared(prepared, date, report)
                    if isinstance(prepared, Prepared)
                    else prepared
                )
            except asyncio.CancelledError:
                raise  # shutdown: the row stays "sending" and resumes at the next start
            except Exception as exc:  # a bug for one chat must not stop the others
                log.exception("delivery of %s to chat %s crashed", date, chat_id)
                await self._fail(chat_id, date, error_text("error", exc), report)
                outcome = "failed"
        if outcome == "sent":
            report.sent += 1
        elif outcome == "already":
            report.already += 1
        elif outcome == "inactive":
            report.skipped += 1
        else:
            report.failed += 1
        return outcome

    @property
    def bot_username(self) -> str | None:
        try:
            return self.bot.username or self.rt.config.bot_username or None
        except RuntimeError:  # Bot not initialised (no getMe yet)
            return self.rt.config.bot_username or None

    async def deliver_edition(
        self,
        date: str,
        *,
        chat_ids: Sequence[int] | None = None,
        retry_failed: bool = False,
    ) -> DeliveryReport:
        """One pass: every active subscriber (or ``chat_ids``) that has not had ``date`` yet."""
        report = DeliveryReport(date=date)
        bundles = await self.bundles(date)
        if not bundles:
            report.note = f"{date} 没有稿件,未发送"
            return report
        if chat_ids is None:
            subs = await self.rt.call(with_conn, self.rt.store, chats.subscribers)
            chat_ids = [p.chat_id for p in subs]
        await asyncio.gather(
            *(
                self.deliver_chat(c, date, bundles, report, retry_failed=retry_failed)
                for c in chat_ids
            )
        )
        log.info("delivery pass: %s", report.summary())
        return report


async def deliver_edition(
    rt: Runtime,
    bot: Bot,
    date: str,
    *,
    chat_ids: Sequence[int] | None = None,
    limiter: RateLimiter | None = None,
) -> DeliveryReport:
    """One delivery pass of ``date``; running it twice sends nothing new."""
    deliverer = Deliverer(rt, bot, limiter or RateLimiter())
    return await deliverer.deliver_edition(date, chat_ids=chat_ids)


# --- which edition -----------------------------------------------------------------------------


def local_today(now_utc: datetime, tz: str) -> Date:
    return now_utc.astimezone(ZoneInfo(tz)).date()


def delivery_bot(
    config: Config, *, concurrency: int = CONCURRENCY, read_timeout: float = 15.0
) -> Bot:
    """A Bot with no PTB rate limiter (ours limits delivery) and a pool wide enough for fan-out."""
    request = AiohttpRequest(
        connection_pool_size=concurrency + 4, pool_timeout=30.0, read_timeout=read_timeout
    )
    kwargs: dict[str, Any] = {"request": request}
    if config.base_url:
        kwargs["base_url"] = config.base_url
    if config.base_file_url:
        kwargs["base_file_url"] = config.base_file_url
    return Bot(config.token, **kwargs)


async def push(
    config: Config, date: str | None, *, clock: Callable[[], datetime] | None = None
) -> DeliveryReport:
    """``python bot.py push``: one pass to every active subscriber that has not had the edition.

    ``date`` defaults to the newest issue on or before today (in ``config.timezone``), no older
    than editions.MAX_EDITION_AGE_DAYS.
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
        async with delivery_bot(config) as bot:
            return await Deliverer(rt, bot).deliver_edition(date)
    finally:
        rt.close()
