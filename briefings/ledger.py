"""Delivery ledger: which chat got its edition of which issue, part by part, and which articles it
has seen. (The ``edition`` column of ``deliveries`` and ``sent_items`` holds the issue date.)

The ledger is what makes delivery exactly-once across crashes and retries (docs/delivery.md): a
row is claimed (``sending``, committed) before the first message goes out, *with the rendered
parts themselves*, so a resume sends exactly what was claimed whatever changed since; every part's
message id is committed right after Telegram accepts it, and ``sent`` plus the ``sent_items`` rows
are committed together with the last one. A delivery that failed for a reason worth retrying goes
back to ``pending`` with a next-attempt time, until its ``stale_at``. A table module: every function
takes a ``sqlite3.Connection`` and commits its own change (or joins the caller's transaction);
call them through ``Store.run`` or inside the store's lock or transaction (briefings/store.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import date as Date

from briefings.errors import InvalidArgument
from briefings.migrations import now_iso, transaction

PENDING, SENDING, SENT, FAILED, SKIPPED = "pending", "sending", "sent", "failed", "skipped"
STATUSES: tuple[str, ...] = (PENDING, SENDING, SENT, FAILED, SKIPPED)
# Rows in these states are finished: a later pass must not send them again.
FINAL: frozenset[str] = frozenset({SENT, SKIPPED})
UNFINISHED: tuple[str, str] = (PENDING, SENDING)


def utc_iso(moment: datetime) -> str:
    """One sortable text form for every ledger time (``next_attempt_at``, ``stale_at``)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Delivery:
    """One (chat, issue) row of the ledger: the chat's edition of that issue."""

    chat_id: int
    issue: str
    status: str
    attempts: int
    parts: int
    message_ids: tuple[int, ...]
    last_error: str
    created_at: str
    updated_at: str
    part_texts: tuple[str, ...] = ()  # the claimed messages; empty before the first claim
    article_ids: tuple[int, ...] = ()
    next_attempt_at: str = ""  # a pending retry's time (utc_iso)
    stale_at: str = ""  # no new attempt after this (utc_iso)

    @property
    def parts_sent(self) -> int:
        """How many parts Telegram has accepted; a resumed send starts at this index."""
        return len(self.message_ids)

    def is_stale(self, now: datetime) -> bool:
        return bool(self.stale_at) and self.stale_at <= utc_iso(now)


_COLUMNS = (
    "chat_id, edition, status, attempts, parts, message_ids, last_error, created_at, updated_at,"
    " part_texts, article_ids, next_attempt_at, stale_at"
)


def _ints(text: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(i) for i in json.loads(text or "[]"))
    except (ValueError, TypeError):
        return ()


def _texts(text: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return ()
    return tuple(str(t) for t in value) if isinstance(value, list) else ()


def _row(row: tuple) -> Delivery:
    (chat_id, issue, status, attempts, parts, ids, error, created, updated) = row[:9]
    texts, articles, next_at, stale_at = row[9:]
    return Delivery(
        chat_id,
        issue,
        status,
        attempts,
        parts,
        _ints(ids),
        error,
        created,
        updated,
        _texts(texts),
        _ints(articles),
        next_at,
        stale_at,
    )


def _check_date(issue: str) -> str:
    try:
        Date.fromisoformat(issue)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"日期格式应为 YYYY-MM-DD: {issue!r}") from exc
    return issue


def get(conn: sqlite3.Connection, chat_id: int, issue: str) -> Delivery | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM deliveries WHERE chat_id = ? AND edition = ?", (chat_id, issue)
    ).fetchone()
    return _row(row) if row else None


def deliveries(conn: sqlite3.Connection, issue: str | None = None) -> list[Delivery]:
    """All rows, or those of one issue, ordered by chat id."""
    if issue is None:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM deliveries ORDER BY edition, chat_id")
    else:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM deliveries WHERE edition = ? ORDER BY chat_id", (issue,)
        )
    return [_row(r) for r in rows.fetchall()]


def unfinished(conn: sqlite3.Connection) -> list[Delivery]:
    """Rows left ``pending`` or ``sending``: interrupted by a crash, or waiting for a retry."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM deliveries WHERE status IN (?, ?) ORDER BY edition, chat_id",
        UNFINISHED,
    ).fetchall()
    return [_row(r) for r in rows]


def due(conn: sqlite3.Connection, now: datetime) -> list[Delivery]:
    """Pending retries whose next attempt time has come."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM deliveries WHERE status = ? AND next_attempt_at != ''"
        " AND next_attempt_at <= ? ORDER BY edition, chat_id",
        (PENDING, utc_iso(now)),
    ).fetchall()
    return [_row(r) for r in rows]


def unfinished_chats(conn: sqlite3.Connection, issue: str) -> list[int]:
    """Chats still owed their edition of ``issue`` (pending retries and interrupted sends)."""
    rows = conn.execute(
        "SELECT chat_id FROM deliveries WHERE edition = ? AND status IN (?, ?) ORDER BY chat_id",
        (issue, *UNFINISHED),
    ).fetchall()
    return [r[0] for r in rows]


def count_unfinished(conn: sqlite3.Connection, issue: str) -> int:
    """How many chats are still owed their edition of ``issue``."""
    row = conn.execute(
        "SELECT count(*) FROM deliveries WHERE edition = ? AND status IN (?, ?)",
        (issue, *UNFINISHED),
    ).fetchone()
    return int(row[0])


def _ensure_row(conn: sqlite3.Connection, chat_id: int, issue: str, now: str) -> None:
    """A ``pending`` row for (chat, issue) unless one exists (inside the caller's transaction)."""
    conn.execute(
        "INSERT OR IGNORE INTO deliveries (chat_id, edition, status, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (chat_id, issue, PENDING, now, now),
    )


def claim(
    conn: sqlite3.Connection,
    chat_id: int,
    issue: str,
    *,
    retry_failed: bool = False,
    parts: Sequence[str] | None = None,
    article_ids: Iterable[int] = (),
    stale_at: datetime | None = None,
) -> Delivery | None:
    """Take (chat, issue) for sending: the row becomes ``sending`` with one more attempt.

    Returns None when the edition must not be sent: it is already sent or skipped, or it failed
    and ``retry_failed`` is False. A row found ``sending`` (a crash) or ``pending`` (a retry) is
    claimed again and keeps its recorded message ids *and its stored parts*: ``parts`` and
    ``article_ids`` (the freshly composed edition) are stored in the same commit only when the
    row has none yet, so every attempt sends what the first claim fixed. ``stale_at`` is set on
    the first claim (and again when a failed row is retried on purpose).
    """
    _check_date(issue)
    now = now_iso()
    allowed = (PENDING, SENDING, FAILED) if retry_failed else (PENDING, SENDING)
    marks = ", ".join("?" for _ in allowed)
    with transaction(conn):
        _ensure_row(conn, chat_id, issue, now)
        before = get(conn, chat_id, issue)
        cur = conn.execute(
            "UPDATE deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = '',"
            f" updated_at = ? WHERE chat_id = ? AND edition = ? AND status IN ({marks})",
            (SENDING, now, chat_id, issue, *allowed),
        )
        if cur.rowcount == 0:
            return None
        if parts is not None and before is not None and not before.part_texts:
            conn.execute(
                "UPDATE deliveries SET part_texts = ?, article_ids = ?,"
                " parts = max(?, json_array_length(message_ids))"
                " WHERE chat_id = ? AND edition = ?",
                (
                    json.dumps(list(parts), ensure_ascii=False),
                    json.dumps([int(a) for a in article_ids]),
                    len(parts),
                    chat_id,
                    issue,
                ),
            )
        if (
            stale_at is not None
            and before is not None
            and (not before.stale_at or before.status == FAILED)
        ):
            conn.execute(
                "UPDATE deliveries SET stale_at = ? WHERE chat_id = ? AND edition = ?",
                (utc_iso(stale_at), chat_id, issue),
            )
    return get(conn, chat_id, issue)


def _append_id(
    conn: sqlite3.Connection,
    chat_id: int,
    issue: str,
    message_id: int,
    parts: Sequence[str] | None,
) -> None:
    row = conn.execute(
        "SELECT message_ids FROM deliveries WHERE chat_id = ? AND edition = ?", (chat_id, issue)
    ).fetchone()
    if row is None:
        raise KeyError((chat_id, issue))
    ids = [*json.loads(row[0] or "[]"), int(message_id)]
    conn.execute(
        "UPDATE deliveries SET message_ids = ?, updated_at = ? WHERE chat_id = ? AND edition = ?",
        (json.dumps(ids), now_iso(), chat_id, issue),
    )
    if parts is not None:
        conn.execute(
            "UPDATE deliveries SET part_texts = ?, parts = ? WHERE chat_id = ? AND edition = ?",
            (json.dumps(list(parts), ensure_ascii=False), len(parts), chat_id, issue),
        )


def record_part(
    conn: sqlite3.Connection,
    chat_id: int,
    issue: str,
    message_id: int,
    *,
    parts: Sequence[str] | None = None,
    final: bool = False,
) -> None:
    """Commit one accepted part at once: a crash after this point will not resend it.

    ``parts``: the edition's parts after a part was cut finer ("message too long"), stored in
    the same commit as the id of the first piece. ``final``: this was the last part, so the row
    becomes ``sent`` with its articles in ``sent_items``, still in the same commit.
    """
    with transaction(conn):
        _append_id(conn, chat_id, issue, message_id, parts)
        if final:
            _finish(conn, chat_id, issue, None)


def _finish(
    conn: sqlite3.Connection, chat_id: int, issue: str, article_ids: Iterable[int] | None
) -> None:
    if article_ids is None:
        row = get(conn, chat_id, issue)
        article_ids = row.article_ids if row is not None else ()
    conn.execute(
        "UPDATE deliveries SET status = ?, last_error = '', next_attempt_at = '', updated_at = ?"
        " WHERE chat_id = ? AND edition = ?",
        (SENT, now_iso(), chat_id, issue),
    )
    conn.executemany(
        "INSERT INTO sent_items (chat_id, article_id, edition) VALUES (?, ?, ?)"
        " ON CONFLICT(chat_id, article_id) DO UPDATE SET edition = excluded.edition"
        " WHERE excluded.edition > sent_items.edition",
        [(chat_id, int(a), issue) for a in article_ids],
    )


def mark_sent(
    conn: sqlite3.Connection,
    chat_id: int,
    issue: str,
    article_ids: Iterable[int] | None = None,
    *,
    message_id: int | None = None,
) -> None:
    """Finish a delivery: optionally record its last part, then ``sent`` and ``sent_items``.

    One transaction, so "sent" and "these articles were seen" can never disagree. The articles
    default to those stored at claim time.
    """
    with transaction(conn):
        if message_id is not None:
            _append_id(conn, chat_id, issue, message_id, None)
        _finish(conn, chat_id, issue, article_ids)


def note_error(conn: sqlite3.Connection, chat_id: int, issue: str, error: str) -> None:
    """Record a transient error (a retry is coming) without changing the status."""
    with transaction(conn):
        conn.execute(
            "UPDATE deliveries SET last_error = ?, updated_at = ?"
            " WHERE chat_id = ? AND edition = ?",
            (error, now_iso(), chat_id, issue),
        )


def defer(
    conn: sqlite3.Connection, chat_id: int, issue: str, error: str, *, next_attempt: datetime
) -> bool:
    """Put an unfinished delivery back to ``pending`` until ``next_attempt`` (a retryable error).

    Its stored parts and recorded message ids stay: the retry resumes where this one stopped.
    False if the row is not unfinished (nothing changed).
    """
    now = now_iso()
    with transaction(conn):
        _ensure_row(conn, chat_id, issue, now)
        cur = conn.execute(
            "UPDATE deliveries SET status = ?, last_error = ?, next_attempt_at = ?, updated_at = ?"
            " WHERE chat_id = ? AND edition = ? AND status IN (?, ?)",
            (PENDING, error, utc_iso(next_attempt), now, chat_id, issue, *UNFINISHED),
        )
    return cur.rowcount > 0


def mark_failed(conn: sqlite3.Connection, chat_id: int, issue: str, error: str) -> None:
    """Give up on this delivery, keeping the reason (``kind: detail``) for /stats and operators."""
    now = now_iso()
    with transaction(conn):
        _ensure_row(conn, chat_id, issue, now)
        conn.execute(
            "UPDATE deliveries SET status = ?, last_error = ?, next_attempt_at = '', updated_at = ?"
            " WHERE chat_id = ? AND edition = ? AND status != ?",
            (FAILED, error, now, chat_id, issue, SENT),
        )


def mark_skipped(conn: sqlite3.Connection, chat_id: int, issue: str, reason: str) -> bool:
    """Record that this edition will not be sent (missed the catch-up window, say).

    Only a row of which no part has gone out can be skipped, and not while it is being sent;
    False otherwise.
    """
    _check_date(issue)
    now = now_iso()
    with transaction(conn):
        _ensure_row(conn, chat_id, issue, now)
        cur = conn.execute(
            "UPDATE deliveries SET status = ?, last_error = ?, next_attempt_at = '',"
            " updated_at = ? WHERE chat_id = ? AND edition = ? AND status IN (?, ?)"
            " AND json_array_length(message_ids) = 0",
            (SKIPPED, reason, now, chat_id, issue, PENDING, FAILED),
        )
    return cur.rowcount > 0


def recent_article_ids(
    conn: sqlite3.Connection, chat_id: int, *, days: int = 7, before: str
) -> frozenset[int]:
    """Articles this chat received in the ``days`` issues before ``before`` (no-repeat rule).

    The issue ``before`` itself is excluded: it is the one being composed.
    """
    start = (Date.fromisoformat(_check_date(before)) - timedelta(days=days)).isoformat()
    rows = conn.execute(
        "SELECT article_id FROM sent_items WHERE chat_id = ? AND edition >= ? AND edition < ?",
        (chat_id, start, before),
    ).fetchall()
    return frozenset(r[0] for r in rows)


def error_kind(error: str) -> str:
    """The part of ``last_error`` before the first colon: forbidden, bad_request, network …"""
    return (error.split(":", 1)[0].strip() or "unknown") if error else "unknown"


def stats(conn: sqlite3.Connection, issue: str | None = None) -> dict[str, int]:
    """Counts per status (all five always present), ``total``, and ``error:<kind>`` per failure."""
    where, args = ("WHERE edition = ?", (issue,)) if issue else ("", ())
    out = dict.fromkeys(STATUSES, 0)
    for status, n in conn.execute(
        f"SELECT status, count(*) FROM deliveries {where} GROUP BY status", args
    ):
        out[status] = n
    out["total"] = sum(out[s] for s in STATUSES)
    failed_where = f"{where} AND" if where else "WHERE"
    for error, n in conn.execute(
        f"SELECT last_error, count(*) FROM deliveries {failed_where} status = ?"
        " GROUP BY last_error",
        (*args, FAILED),
    ):
        key = f"error:{error_kind(error)}"
        out[key] = out.get(key, 0) + n
    return out


def record_issue_sizes(conn: sqlite3.Connection, counts: dict[str, int]) -> None:
    """Note each issue's article count and when it was (re)composed, after an ingest."""
    now = now_iso()
    with transaction(conn):
        conn.executemany(
            "INSERT INTO editions (date, articles, composed_at) VALUES (?, ?, ?)"
            " ON CONFLICT(date) DO UPDATE SET articles = excluded.articles,"
            " composed_at = excluded.composed_at",
            [(_check_date(d), n, now) for d, n in sorted(counts.items())],
        )
