"""The same article stored twice on one date (a feed and an OCR'd page, or two feeds): found by
normalised title and body overlap, and kept once (the richer copy).

Cheap by construction: a ``DayIndex`` maps the normalised titles of a date's articles to their
ids and is refreshed incrementally (only rows added since, a full reload only after deletions),
so a poll costs one dictionary lookup per item, and bodies are read and compared only for
articles whose titles matched.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from briefings.normalize import for_matching
from briefings.store import ID_SPAN, id_base

log = logging.getLogger(__name__)

# Share of the shorter body's character trigrams found in the other: the same article.
SAME_BODY = 0.6


def norm_text(text: str) -> str:
    """Letters and digits only, normalised: what two copies of one article share."""
    return "".join(ch for ch in for_matching(text) if ch.isalnum())


def _grams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(max(len(text) - 2, 0))} or ({text} if text else set())


def body_overlap(a: str, b: str) -> float:
    """Share of the shorter normalised body's trigrams that the other has (0..1)."""
    ga, gb = _grams(a), _grams(b)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / min(len(ga), len(gb))


def title_keys(kicker: str, title: str, subtitle: str) -> tuple[str, ...]:
    """The normalised names a stored article answers to: a page's parser may split a two-line
    headline into title and subtitle either way, or keep a kicker apart."""
    k, t, s = norm_text(kicker), norm_text(title), norm_text(subtitle)
    return tuple(n for n in dict.fromkeys((t, s, k + t, t + s, k + t + s)) if n)


@dataclass
class Copy:
    """One stored article as the check sees it; ``body`` is filled in only when needed."""

    article_id: int
    document_id: int
    is_feed: bool
    keys: tuple[str, ...]
    url: str
    body: str | None = None  # normalised


@dataclass
class _Day:
    top: int = 0  # highest article id seen
    rows: int = 0  # articles of the date (any kind) at the last refresh
    copies: dict[int, Copy] = field(default_factory=dict)
    by_key: dict[str, set[int]] = field(default_factory=dict)

    def add(self, c: Copy) -> None:
        self.copies[c.article_id] = c
        for k in c.keys:
            self.by_key.setdefault(k, set()).add(c.article_id)

    def remove(self, article_id: int) -> None:
        c = self.copies.pop(article_id, None)
        if c is not None:
            self.rows -= 1
            for k in c.keys:
                self.by_key.get(k, set()).discard(article_id)


_SELECT = (
    "SELECT a.id, a.document_id, d.kind, a.kicker, a.title, a.subtitle, a.url "
    "FROM articles a JOIN documents d ON d.id = a.document_id "
    "WHERE a.id > ? AND a.id < ? AND a.kind = 'article' AND a.title != ''"
)


class DayIndex:
    """Normalised titles of each date's articles, kept in step with the database."""

    def __init__(self) -> None:
        self._days: dict[str, _Day] = {}
        self._fresh: set[str] = set()

    def begin(self) -> None:
        """Start a unit of work under the store lock: each date is checked against the database
        once in it (the drops made meanwhile go through ``forget``)."""
        self._fresh.clear()

    def day(self, conn: sqlite3.Connection, date: str) -> _Day:
        if date in self._fresh and date in self._days:
            return self._days[date]
        self._fresh.add(date)
        base = id_base(date)
        top, rows = conn.execute(
            "SELECT coalesce(max(id), 0), count(*) FROM articles WHERE id >= ? AND id < ?",
            (base, base + ID_SPAN),
        ).fetchone()
        day = self._days.get(date)
        if day is not None and (top, rows) == (day.top, day.rows):
            return day
        if day is not None and top > day.top:
            (added,) = conn.execute(
                "SELECT count(*) FROM articles WHERE id > ? AND id < ?", (day.top, base + ID_SPAN)
            ).fetchone()
            if day.rows + added != rows:
                day = None  # something was deleted meanwhile: start again
        else:
            day = None
        if day is None:
            day = _Day(top=base - 1)
        for aid, doc, kind, kicker, title, subtitle, url in conn.execute(
            _SELECT, (day.top, base + ID_SPAN)
        ):
            day.add(Copy(aid, doc, kind == "feed", title_keys(kicker, title, subtitle), url))
        day.top, day.rows = max(top, base - 1), rows
        self._days[date] = day
        return day

    def forget(self, date: str, article_id: int) -> None:
        day = self._days.get(date)
        if day is not None:
            day.remove(article_id)


def _body(conn: sqlite3.Connection, c: Copy) -> str:
    if c.body is None:
        row = conn.execute("SELECT body FROM articles WHERE id = ?", (c.article_id,)).fetchone()
        c.body = norm_text(row[0]) if row else ""
    return c.body


def _candidates(day: _Day, keys: Iterable[str]) -> list[Copy]:
    ids = set().union(*(day.by_key.get(k, ()) for k in keys))
    return [day.copies[i] for i in sorted(ids) if i in day.copies]


def find_copy(
    conn: sqlite3.Connection, index: DayIndex, date: str, title: str, text: str
) -> tuple[Copy | None, str]:
    """The stored article of ``date`` with this normalised title and a body sharing most of
    its trigrams with ``text``, if any; and ``text`` normalised ("" when no title matched: a
    body is only normalised when there is something to compare it with)."""
    if not title or not date:
        return None, ""
    candidates = _candidates(index.day(conn, date), (title,))
    if not candidates:
        return None, ""
    body = norm_text(text)
    best: tuple[float, Copy] | None = None
    for c in candidates:
        overlap = body_overlap(_body(conn, c), body)
        if overlap >= SAME_BODY and (best is None or overlap > best[0]):
            best = (overlap, c)
    return (best[1] if best else None), body


def richness(conn: sqlite3.Connection, c: Copy) -> int:
    return len(_body(conn, c))


def drop_article(conn: sqlite3.Connection, article_id: int) -> None:
    """Delete one stored article (a poorer copy) with its index rows, figures and mentions."""
    conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (article_id,))
    conn.execute("DELETE FROM figures WHERE article_id = ?", (article_id,))
    conn.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
    conn.execute("UPDATE articles SET part_of = NULL WHERE part_of = ?", (article_id,))
    conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))


def keep_link(conn: sqlite3.Connection, kept: Copy, url: str) -> None:
    """A page copy kept over a feed copy gains the feed's link (shown as 原文链接)."""
    if url and not kept.url:
        conn.execute(
            "UPDATE articles SET url = ? WHERE id = ? AND url = ''", (url, kept.article_id)
        )
        kept.url = url


def merge_day(
    conn: sqlite3.Connection, index: DayIndex, date: str, only: Sequence[int] | None = None
) -> int:
    """Keep one copy of each article that a feed and another document both hold on ``date``
    (every feed article of the date, or those in ``only``). Pairs of page articles are left as
    the page ingest stored them. Returns the number of copies dropped."""
    day = index.day(conn, date)
    feeds = [day.copies[i] for i in (only or list(day.copies)) if i in day.copies]
    dropped = 0
    for f in feeds:
        if not f.is_feed or f.article_id not in day.copies:
            continue
        for c in _candidates(day, f.keys):
            if c.article_id == f.article_id or c.document_id == f.document_id:
                continue
            if body_overlap(_body(conn, f), _body(conn, c)) < SAME_BODY:
                continue
            # The richer copy stays; on a tie the one stored first (lower id) does.
            keep, lose = (
                (f, c) if (len(f.body or ""), -f.article_id) > (len(c.body or ""), -c.article_id)
                else (c, f)
            )  # fmt: skip
            keep_link(conn, keep, lose.url)
            drop_article(conn, lose.article_id)
            day.remove(lose.article_id)
            dropped += 1
            if lose.is_feed:
                conn.execute(
                    "UPDATE feed_items SET status = 'duplicate', document_id = ? "
                    "WHERE document_id = ? AND status = 'stored'",
                    (keep.document_id, lose.document_id),
                )
            log.info("%s: article %s copies %s, dropped", date, lose.article_id, keep.article_id)
            if lose is f:
                break
    return dropped
