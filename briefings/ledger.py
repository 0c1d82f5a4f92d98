"""Delivery ledger: which chat got which edition, part by part, and which articles it has seen.

The ledger is what makes delivery exactly-once across crashes (see docs/delivery.md): a row is
claimed (``sending``, committed) before the first message goes out, every part's message id is
committed right after Telegram accepts it, and ``sent`` plus the ``sent_items`` rows are committed
together at the end. A row still ``sending`` at start-up therefore names the one part whose fate is
unknown. Pure SQLite: every function takes a ``sqlite3.Connection`` and commits its own change.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta

from briefings.errors import InvalidArgument
from briefings.migrations import now_iso, transaction

PENDING, SENDING, SENT, FAILED, SKIPPED = "pending", "sending", "sent", "failed", "skipped"
STATUSES: tuple[str, ...] = (PENDING, SENDING, SENT, FAILED, SKIPPED)
# Rows in these states are finished: a later pass must not send them again.
FINAL: frozenset[str] = frozenset({SENT, SKIPPED})


@dataclass(frozen=True)
class Delivery:
    """One (chat, edition) row of the ledger."""

    chat_id: int
    edition: str
    status: str
    attempts: int
    parts: int
    message_ids: tuple[int, ...]
    last_error: str
    created_at: str
    updated_at: str

    @property
    def parts_sent(self) -> int:
        """How many parts Telegram has accepted; a resumed send starts at this index."""
        return len(self.message_ids)


_COLUMNS = (
    "chat_id, edition, status, attempts, parts, message_ids, last_error, created_at, updated_at"
)


def _row(row: tuple) -> Delivery:
    chat_id, edition, status, attempts, parts, ids, error, created, updated = row
    try:
        message_ids = tuple(int(i) for i in json.loads(ids))
    except (ValueError, TypeError):
        message_ids = ()
    return Delivery(chat_id, edition, status, attempts, parts, message_ids, error, created, updated)


def _check_date(edition: str) -> str:
    try:
        Date.fromisoformat(edition)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"日期格式应为 YYYY-MM-DD: {edition!r}") from exc
    return edition


def get(conn: sqlite3.Connection, chat_id: int, edition: str) -> Delivery | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM deliveries WHERE chat_id = ? AND edition = ?", (chat_id, edition)
    ).fetchone()
    return _row(row) if row else None


def deliveries(conn: sqlite3.Connection, edition: str | None = None) -> list[Delivery]:
    """All rows, or those of one edition, ordered by chat id."""
    if edition is None:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM deliveries ORDER BY edition, chat_id")
    else:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM deliveries WHERE edition = ? ORDER BY chat_id", (edition,)
        )
    return [_row(r) for r in rows.fetchall()]


def unfinished(conn: sqlite3.Connection) -> list[Delivery]:
    """Rows left ``pending`` or ``sending`` — after a crash, the deliveries to resume."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM deliveries WHERE status IN (?, ?) ORDER BY edition, chat_id",
        (PENDING, SENDING),
    ).fetchall()
    return [_row(r) for r in rows]


def _ensure_row(conn: sqlite3.Connection, chat_id: int, edition: str, now: str) -> None:
    """A ``pending`` row for (chat, edition) unless one exists (inside the caller's transaction)."""
    conn.execute(
        "INSERT OR IGNORE INTO deliveries (chat_id, edition, status, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (chat_id, edition, PENDING, now, now),
    )


def claim(
    conn: sqlite3.Connection,
    chat_id: int,
    edition: str,
    *,
    retry_failed: bool = False,
    parts: int | None = None,
) -> Delivery | None:
    """Take (chat, edition) for sending: the row becomes ``sending`` with one more attempt.

    Returns None when the edition must not be sent: it is already sent or skipped, or it failed
    and ``retry_failed`` is False. A row found in ``sending`` was interrupted (crash); it is
    claimed again and keeps its recorded message ids, so only the missing parts go out.
    ``parts`` (the number of messages composed) is stored in the same commit.
    """
    _check_date(edition)
    now = now_iso()
    allowed = (PENDING, SENDING, FAILED) if retry_failed else (PENDING, SENDING)
    marks = ", ".join("?" for _ in allowed)
    with transaction(conn):
        _ensure_row(conn, chat_id, edition, now)
        cur = conn.execute(
            "UPDATE deliveries SET status = ?, attempts = attempts + 1, updated_at = ?"
            f" WHERE chat_id = ? AND edition = ? AND status IN ({marks})",
            (SENDING, now, chat_id, edition, *allowed),
        )
        if cur.rowcount == 0:
            return None
        if parts is not None:
            conn.execute(
                "UPDATE deliveries SET parts = max(?, json_array_length(message_ids))"
                " WHERE chat_id = ? AND edition = ?",
                (parts, chat_id, edition),
            )
    return get(conn, chat_id, edition)


def set_parts(conn: sqlite3.Connection, chat_id: int, edition: str, parts: int) -> None:
    """Record how many messages this chat's edition has (it may grow when a part is re-split)."""
    with transaction(conn):
        conn.execute(
            "UPDATE deliveries SET parts = ?, updated_at = ? WHERE chat_id = ? AND edition = ?",
            (parts, now_iso(), chat_id, edition),
        )


def _append_id(conn: sqlite3.Connection, chat_id: int, edition: str, message_id: int) -> None:
    row = conn.execute(
        "SELECT message_ids FROM deliveries WHERE chat_id = ? AND edition = ?", (chat_id, edition)
    ).fetchone()
    if row is None:
        raise KeyError((chat_id, edition))
    ids = [*json.loads(row[0] or "[]"), int(message_id)]
    conn.execute(
        "UPDATE deliveries SET message_ids = ?, updated_at = ? WHERE chat_id = ? AND edition = ?",
        (json.dumps(ids), now_iso(), chat_id, edition),
    )


def record_part(conn: sqlite3.Connection, chat_id: int, edition: str, message_id: int) -> None:
    """Commit one accepted part at once: a crash after this point will not resend it."""
    with transaction(conn):
        _append_id(conn, chat_id, edition, message_id)


def mark_sent(
    conn: sqlite3.Connection,
    chat_id: int,
    edition: str,
    article_ids: Iterable[int] = (),
    *,
    message_id: int | None = None,
) -> None:
    """Finish a delivery: optionally record its last part, then ``sent`` and ``sent_items``.

    One transaction, so "sent" and "these articles were seen" can never disagree.
    """
    now = now_iso()
    with transaction(conn):
        if message_id is not None:
            _append_id(conn, chat_id, edition, message_id)
        conn.execute(
            "UPDATE deliveries SET status = ?, last_error = '', updated_at = ?"
            " WHERE chat_id = ? AND edition = ?",
            (SENT, now, chat_id, edition),
        )
        conn.executemany(
            "INSERT INTO sent_items (chat_id, article_id, edition) VALUES (?, ?, ?)"
            " ON CONFLICT(chat_id, article_id) DO UPDATE SET edition = excluded.edition"
            " WHERE excluded.edition > sent_items.edition",
            [(chat_id, int(a), edition) for a in article_ids],
        )


def note_error(conn: sqlite3.Connection, chat_id: int, edition: str, error: str) -> None:
    """Record a transient error (a retry is coming) without changing the status."""
    with transaction(conn):
        conn.execute(
            "UPDATE deliveries SET last_error = ?, updated_at = ?"
            " WHERE chat_id = ? AND edition = ?",
            (error, now_iso(), chat_id, edition),
        )


def mark_failed(conn: sqlite3.Connection, chat_id: int, edition: str, error: str) -> None:
    """Give up on this delivery, keeping the reason (``kind: detail``) for /stats and operators."""
    now = now_iso()
    with transaction(conn):
        _ensure_row(conn, chat_id, edition, now)
        conn.execute(
            "UPDATE deliveries SET status = ?, last_error = ?, updated_at = ?"
            " WHERE chat_id = ? AND edition = ? AND status != ?",
            (FAILED, error, now, chat_id, edition, SENT),
        )


def mark_skipped(conn: sqlite3.Connection, chat_id: int, edition: str, reason: str) -> bool:
    """Record that this edition will not be sent (missed the catch-up window, say).

    Only a row that has not started sending can be skipped; False otherwise.
    """
    _check_date(edition)
    now = now_iso()
    with transaction(conn):
        _ensure_row(conn, chat_id, edition, now)
        cur = conn.execute(
            "UPDATE deliveries SET status = ?, last_error = ?, updated_at = ?"
            " WHERE chat_id = ? AND edition = ? AND status IN (?, ?)",
            (SKIPPED, reason, now, chat_id, edition, PENDING, FAILED),
        )
    return cur.rowcount > 0


def recent_article_ids(
    conn: sqlite3.Connection, chat_id: int, *, days: int = 7, before: str
) -> frozenset[int]:
    """Articles this chat received in the ``days`` editions before ``before`` (no-repeat rule).

    The edition ``before`` itself is excluded, so composing it again (a resumed send) gives the
    same result as the first time.
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


def stats(conn: sqlite3.Connection, edition: str | None = None) -> dict[str, int]:
    """Counts per status (all five always present), ``total``, and ``error:<kind>`` per failure."""
    where, args = ("WHERE edition = ?", (edition,)) if edition else ("", ())
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


def record_editions(conn: sqlite3.Connection, counts: dict[str, int]) -> None:
    """Note each issue's article count and when it was (re)composed, after an ingest."""
    now = now_iso()
    with transaction(conn):
        conn.executemany(
            "INSERT INTO editions (date, articles, composed_at) VALUES (?, ?, ?)"
            " ON CONFLICT(date) DO UPDATE SET articles = excluded.articles,"
            " composed_at = excluded.composed_at",
            [(_check_date(d), n, now) for d, n in sorted(counts.items())],
        )
