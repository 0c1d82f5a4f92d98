"""Delivery decisions, without Telegram: prepare and claim a chat's edition, record what was
accepted, decide retries and staleness, plan the catch-up after downtime.

``bot/delivery.py`` sends; everything here runs on the SQLite worker thread and takes the
``Store`` (its lock and connection). The claim stores the rendered parts in the ledger, so a
resumed or retried delivery sends exactly what was claimed (docs/delivery.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dtime
from typing import TYPE_CHECKING, Any

from briefings import chats, editions, ledger
from briefings.localtime import clock_time, local_now, local_today, zone
from briefings.models import ArticleBundle

if TYPE_CHECKING:
    from briefings.store import Store

COMPOSE_CACHE_SIZE = 256
# A chat whose delivery time is at or after the catch-up limit still gets this much grace.
LATE_GRACE = timedelta(hours=2)

# What ``prepare`` says when there is nothing to send.
INACTIVE, ALREADY, STALE = "inactive", "already", "stale"

ComposeCache = dict[Any, tuple[list[str], list[int]]]


# --- which parts -------------------------------------------------------------------------------


def compose_parts(
    store: Store,
    prefs: chats.ChatPrefs,
    date: str,
    bundles: Sequence[ArticleBundle],
    *,
    render: editions.Renderer,
    cache: ComposeCache | None = None,
) -> tuple[list[str], list[int]]:
    """The messages of ``date``'s briefing for one chat as ``render`` writes them (bot/: Telegram
    HTML), in the chat's language (``ChatPrefs.language``, carried by the composed
    ``ChatEdition``), and the article ids they show.

    Chats with the same sections, follows, recent articles and language get the same edition, so
    ``cache`` composes it once per pass, not once per chat (``render`` is part of its key).
    """
    recent = store.run(ledger.recent_article_ids, prefs.chat_id, days=7, before=date)
    key = (date, editions.digest_prefs(prefs, recent), prefs.language, render)
    if cache is not None and key in cache:
        return cache[key]
    edition = editions.compose_for_chat(store, prefs, date, bundles=bundles)
    result = (list(render(edition)), list(edition.article_ids))
    if cache is not None:
        if len(cache) >= COMPOSE_CACHE_SIZE:
            cache.clear()
        cache[key] = result
    return result


def stale_deadline(now: datetime, tz: str, hours: float = 0.0) -> datetime:
    """When a delivery first claimed at ``now`` stops being retried.

    ``hours`` > 0: that long after; otherwise the end of the chat's local day (its next local
    midnight), when the next morning's edition takes over.
    """
    if hours > 0:
        return now + timedelta(hours=hours)
    tomorrow = local_today(now, tz) + timedelta(days=1)
    return datetime.combine(tomorrow, dtime(0), tzinfo=zone(tz))


def retry_delay(attempts: int, *, base: float, cap: float) -> float:
    """Seconds before the next try of a delivery that has had ``attempts`` claims."""
    return min(cap, base * 2 ** max(0, attempts - 1))


# --- claiming ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    """A claimed delivery, ready to send: the parts from ``start`` on are still missing."""

    chat_id: int
    thread_id: int | None
    parts: tuple[str, ...]
    start: int
    article_ids: tuple[int, ...]


@dataclass(frozen=True)
class PrepareRequest:
    """One chat's edition to prepare; ``now`` and ``stale_hours`` fix its retry deadline.

    ``render`` turns the composed edition into the parts the claim stores and the sender sends
    (bot/edition_html.py's ``EditionHtml``); it must be hashable.
    """

    chat_id: int
    date: str
    bundles: Sequence[ArticleBundle]
    now: datetime
    render: editions.Renderer
    stale_hours: float = 0.0
    retry_failed: bool = False
    cache: ComposeCache | None = field(default=None, compare=False)


def prepare(store: Store, request: PrepareRequest) -> Claimed | str:
    """Claim one chat's edition, composing it only if no earlier claim stored its parts.

    Or say why not: ``inactive`` (unsubscribed or blocked; an unfinished row is closed),
    ``already`` (sent, skipped, failed), ``stale`` (past its deadline with nothing sent yet:
    marked failed). A row with some parts out is finished even when stale: half an edition is
    worse than a late one.
    """
    chat_id, date = request.chat_id, request.date
    with store.lock:
        conn = store.conn
        prefs = chats.get_chat(conn, chat_id)
        row = ledger.get(conn, chat_id, date)
        if prefs is None or not prefs.subscribed or not prefs.active:
            if row is not None and row.status in ledger.UNFINISHED:
                ledger.mark_failed(conn, chat_id, date, "inactive: unsubscribed or blocked")
            return INACTIVE
        if row is not None:
            if row.status in ledger.FINAL or (
                row.status == ledger.FAILED and not request.retry_failed
            ):
                return ALREADY
            unfinished = row.status in ledger.UNFINISHED
            if unfinished and row.is_stale(request.now) and not row.message_ids:
                reason = f"stale: not delivered by {row.stale_at}; last {row.last_error or 'none'}"
                ledger.mark_failed(conn, chat_id, date, reason[:500])
                return STALE
        if row is not None and row.part_texts:
            parts: Sequence[str] = row.part_texts
            article_ids: Sequence[int] = row.article_ids
        else:
            parts, article_ids = compose_parts(
                store,
                prefs,
                date,
                request.bundles,
                render=request.render,
                cache=request.cache,
            )
        claimed = ledger.claim(
            conn,
            chat_id,
            date,
            retry_failed=request.retry_failed,
            parts=parts,
            article_ids=article_ids,
            stale_at=stale_deadline(request.now, prefs.tz, request.stale_hours),
        )
        if claimed is None:
            return ALREADY
        return Claimed(
            chat_id, prefs.thread_id, claimed.part_texts, claimed.parts_sent, claimed.article_ids
        )


def prepare_many(
    store: Store, requests: Sequence[PrepareRequest]
) -> list[Claimed | str | Exception]:
    """``prepare`` for several chats in one transaction (one commit for all claims)."""
    out: list[Claimed | str | Exception] = []
    with store.transaction():
        for request in requests:
            try:
                out.append(prepare(store, request))
            except Exception as exc:  # one chat's failure is that chat's, not the batch's
                out.append(exc)
    return out


@dataclass(frozen=True)
class PartRecord:
    """A part Telegram accepted. ``parts``: the edition's parts if a re-split changed them."""

    chat_id: int
    issue: str
    message_id: int
    parts: tuple[str, ...] | None = None
    final: bool = False


def apply_records(store: Store, records: Sequence[PartRecord]) -> list[None]:
    """Commit accepted parts together (group commit: one fsync for many chats)."""
    with store.transaction() as conn:
        for r in records:
            ledger.record_part(
                conn, r.chat_id, r.issue, r.message_id, parts=r.parts, final=r.final
            )
    return [None] * len(records)


def defer_or_give_up(
    store: Store,
    chat_id: int,
    date: str,
    error: str,
    *,
    now: datetime,
    base: float,
    cap: float,
) -> str:
    """After a retryable failure: ``pending`` with a next attempt, or ``failed`` if that
    attempt would come after the row's deadline with nothing of it delivered."""
    with store.lock:
        conn = store.conn
        row = ledger.get(conn, chat_id, date)
        attempts = row.attempts if row is not None else 1
        next_attempt = now + timedelta(seconds=retry_delay(attempts, base=base, cap=cap))
        if (
            row is not None
            and row.stale_at
            and ledger.utc_iso(next_attempt) >= row.stale_at
            and not row.message_ids
        ):
            ledger.mark_failed(conn, chat_id, date, f"stale: {error}"[:500])
            return ledger.FAILED
        ledger.defer(conn, chat_id, date, error, next_attempt=next_attempt)
        return ledger.PENDING


# --- retries and catch-up -------------------------------------------------------------------------


def plan_retries(store: Store, now: datetime) -> dict[str, list[int]]:
    """Chats per issue the retry job should try now: pending retries that are due, and rows
    left ``sending`` by an interrupted deliverer (the caller holds the delivery lock and skips
    its own sends in progress)."""
    with store.lock:
        conn = store.conn
        rows = ledger.due(conn, now)
        rows += [r for r in ledger.unfinished(conn) if r.status == ledger.SENDING]
    out: dict[str, list[int]] = {}
    for row in rows:
        out.setdefault(row.issue, []).append(row.chat_id)
    return out


def catchup_deadline(chat_time: str, catchup_until: str) -> dtime:
    """Local time after which a missed edition is skipped rather than sent late.

    ``catchup_until`` (12:00 by default) for morning chats; a chat that asked for a later time
    gets LATE_GRACE after it, so an evening subscriber is not skipped for good.
    """
    chosen, until = clock_time(chat_time), clock_time(catchup_until)
    if chosen < until:
        return until
    late = datetime.combine(datetime(2000, 1, 1), chosen) + LATE_GRACE
    return late.time() if late.day == 1 else dtime(23, 59, 59)


@dataclass(frozen=True)
class CatchupPlan:
    """What start-up owes each chat: deliver now, or record the edition as skipped."""

    deliver: list[tuple[int, str]] = field(default_factory=list)
    skip: list[tuple[int, str, str]] = field(default_factory=list)  # chat, issue, reason
    abandon: list[tuple[int, str]] = field(default_factory=list)


def _started(row: ledger.Delivery | None) -> bool:
    """A delivery that has been claimed at least once: interrupted, or waiting for a retry."""
    return row is not None and (
        row.status == ledger.SENDING or (row.status == ledger.PENDING and row.attempts > 0)
    )


def plan_catchup(
    store: Store, now_utc: datetime, catchup_until: str, *, skip_late: bool = True
) -> CatchupPlan:
    """Decide, for every subscriber whose time has passed today, what to do about today's issue.

    Before the chat's deadline (catchup_deadline) a missing edition is delivered; after it, it is
    marked ``skipped`` (with ``skip_late``). A delivery already started (interrupted, or waiting
    for a retry) is always continued: ``prepare`` gives up on it if it is stale. Unfinished rows
    too old to be anyone's current edition are abandoned (marked failed).
    """
    plan = CatchupPlan()
    with store.lock:
        conn = store.conn
        subs = {p.chat_id: p for p in chats.subscribers(conn)}
        issues: dict[Any, str | None] = {}
        current: set[tuple[int, str]] = set()
        for prefs in subs.values():
            local = local_now(now_utc, prefs.tz)
            if local.time() < clock_time(prefs.time):
                continue
            if local.date() not in issues:
                issues[local.date()] = editions.issue_for(store, local.date())
            date = issues[local.date()]
            if date is None:
                continue
            current.add((prefs.chat_id, date))
            row = ledger.get(conn, prefs.chat_id, date)
            if row is not None and row.status not in ledger.UNFINISHED:
                continue
            deadline = catchup_deadline(prefs.time, catchup_until)
            if local.time() < deadline or _started(row):
                plan.deliver.append((prefs.chat_id, date))
            elif skip_late:
                reason = (
                    f"skipped: not sent at {prefs.time} {prefs.tz} (bot down?);"
                    f" catch-up ends at {deadline:%H:%M}"
                )
                plan.skip.append((prefs.chat_id, date, reason))
        for row in ledger.unfinished(conn):
            key = (row.chat_id, row.issue)
            if key in current:
                continue
            prefs = subs.get(row.chat_id)
            today = local_today(now_utc, prefs.tz if prefs else "UTC")
            oldest = today - timedelta(days=editions.MAX_ISSUE_AGE_DAYS)
            if prefs is not None and row.issue >= oldest.isoformat() and _started(row):
                plan.deliver.append(key)
            else:
                plan.abandon.append(key)
    return plan
