"""Feed items into the store: what is new, what is a copy of something already stored, and the
one transaction that writes a fetch (items, their record in ``feed_items``, the source's state).

Deduplication, cheapest first:
1. the same item of the same source with the same text: nothing to do (no analysis either);
2. the same text from any source (``feed_items.sha256``): a duplicate;
3. the same link already stored (another source, a JSON Lines record): the richer copy is kept;
4. the same article on the same date (an OCR'd page, another feed): titles equal after
   normalisation (or one containing the other) and bodies sharing most of their character
   trigrams; the richer copy (the longer body) is kept, and a kept page copy gains the link.
An item whose text changed replaces its earlier version (``Store.save_document`` does that).

``merge_day_copies`` applies rule 4 to whole days, for the case where the page arrives after
the feed; the poll runs it over recent days, so both orders end with one copy.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Literal

from briefings.errors import BriefingError
from briefings.feeds import FeedItem, ParsedFeed, document_key, item_document
from briefings.models import AnalyzedUnit, Document
from briefings.normalize import for_matching
from briefings.sources import Source, iso
from briefings.store import ID_SPAN, id_base

log = logging.getLogger(__name__)

# Share of the shorter body's character trigrams found in the other: the same article.
SAME_BODY = 0.6
# A title shorter than this only matches an equal title, never one that contains it.
MIN_CONTAINED_TITLE = 6

Action = Literal["store", "replace", "duplicate"]


def norm_text(text: str) -> str:
    """Letters and digits only, normalised: what two copies of one article share."""
    return "".join(ch for ch in for_matching(text) if ch.isalnum())


def titles_match(a: str, b: str) -> bool:
    """Normalised titles: equal, or the shorter (long enough) inside the longer."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= MIN_CONTAINED_TITLE and short in long_


def _grams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(max(len(text) - 2, 0))} or ({text} if text else set())


def body_overlap(a: str, b: str) -> float:
    """Share of the shorter normalised body's trigrams that the other has (0..1)."""
    ga, gb = _grams(a), _grams(b)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / min(len(ga), len(gb))


@dataclass
class Copy:
    """An article already stored on some date, as the same-article check sees it."""

    article_id: int
    document_id: int
    is_feed: bool
    titles: tuple[str, ...]  # normalised title, subtitle, both: an OCR'd page may swap them
    raw_body: str
    url: str

    def named(self, titles: Sequence[str]) -> bool:
        return any(titles_match(a, b) for a in self.titles for b in titles)

    @cached_property
    def body(self) -> str:
        """Normalised body: computed only for copies whose title matched (most never do)."""
        return norm_text(self.raw_body)

    @property
    def richness(self) -> int:
        return len(self.body)


def day_copies(conn: sqlite3.Connection, date: str) -> list[Copy]:
    """Titled articles of one date (an id range scan, see ``store.id_base``)."""
    if not date:
        return []
    base = id_base(date)
    rows = conn.execute(
        "SELECT a.id, a.document_id, d.kind, a.title, a.subtitle, a.body, a.url "
        "FROM articles a JOIN documents d ON d.id = a.document_id "
        "WHERE a.id >= ? AND a.id < ? AND a.date = ? AND a.kind = 'article' AND a.title != ''",
        (base, base + ID_SPAN, date),
    ).fetchall()
    return [
        Copy(aid, doc, kind == "feed", _titles(title, subtitle), body, url)
        for aid, doc, kind, title, subtitle, body, url in rows
    ]


def _titles(title: str, subtitle: str) -> tuple[str, ...]:
    names = (norm_text(title), norm_text(subtitle), norm_text(title + subtitle))
    return tuple(n for n in dict.fromkeys(names) if n)


def same_article(copies: Iterable[Copy], title: str, body: str) -> Copy | None:
    """The stored copy of an article with this normalised title and body, if any."""
    best: tuple[float, Copy] | None = None
    for c in copies:
        if not c.named((title,)):
            continue
        overlap = body_overlap(c.body, body)
        if overlap >= SAME_BODY and (best is None or overlap > best[0]):
            best = (overlap, c)
    return best[1] if best else None


def drop_article(conn: sqlite3.Connection, article_id: int) -> None:
    """Delete one stored article (a poorer copy) with its index rows, figures and mentions."""
    conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (article_id,))
    conn.execute("DELETE FROM figures WHERE article_id = ?", (article_id,))
    conn.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
    conn.execute("UPDATE articles SET part_of = NULL WHERE part_of = ?", (article_id,))
    conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))


def _keep_link(conn: sqlite3.Connection, kept: Copy, url: str) -> None:
    """A page copy kept over a feed copy gains the feed's link (shown as 原文链接)."""
    if url and not kept.url:
        conn.execute(
            "UPDATE articles SET url = ? WHERE id = ? AND url = ''", (url, kept.article_id)
        )


# ---- planning (reads only) -------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """What to do with one item that is not simply known already."""

    item: FeedItem
    action: Action
    doc: Document
    reason: str = ""  # for duplicates: what it duplicates
    kept_document: int | None = None  # duplicates: the document holding the kept copy
    supersedes: tuple[int, ...] = ()  # article ids of poorer copies to drop once stored
    kept_copy: Copy | None = None  # duplicates of a stored article: gains the item's link


@dataclass
class Plan:
    items: list[Planned] = field(default_factory=list)
    known: int = 0  # items seen before with the same text


def _existing_doc(conn: sqlite3.Connection, key: str) -> tuple[int, int] | None:
    """(document id, richness) of the document stored under ``key``."""
    row = conn.execute("SELECT id FROM documents WHERE key = ?", (key,)).fetchone()
    if row is None:
        return None
    bodies = conn.execute(
        "SELECT body FROM articles WHERE document_id = ? ORDER BY seq", (row[0],)
    ).fetchall()
    return row[0], len(norm_text("".join(b[0] for b in bodies)))


def plan_items(store, source: Source, items: Sequence[FeedItem], record_as: str) -> Plan:
    """Decide, from what is stored, which items to analyse and store (blocking, read-only)."""
    plan = Plan()
    conn = store.conn
    days: dict[str, list[Copy]] = {}
    with store.lock:
        for item in items:
            sha = item.sha256
            row = conn.execute(
                "SELECT sha256, doc_key, status FROM feed_items WHERE source_id = ? AND ident = ?",
                (source.id, item.ident),
            ).fetchone()
            if row is not None and row[0] == sha:
                plan.known += 1
                continue
            if row is not None and row[2] == "stored":
                doc = item_document(item, source=record_as, key=row[1])
                plan.items.append(Planned(item, "replace", doc))
                continue
            key = document_key(item, record_as)
            doc = item_document(item, source=record_as, key=key)
            twin = conn.execute(
                "SELECT document_id, doc_key FROM feed_items WHERE sha256 = ? "
                "AND document_id IS NOT NULL AND NOT (source_id = ? AND ident = ?) LIMIT 1",
                (sha, source.id, item.ident),
            ).fetchone()
            if twin is not None:
                plan.items.append(
                    Planned(item, "duplicate", doc, "same text", kept_document=twin[0])
                )
                continue
            body = norm_text(item.text)
            existing = _existing_doc(conn, key)
            if existing is not None:
                if existing[1] >= len(body):
                    plan.items.append(
                        Planned(item, "duplicate", doc, "same link", kept_document=existing[0])
                    )
                else:
                    plan.items.append(Planned(item, "replace", doc))
                continue
            if item.date not in days:
                days[item.date] = day_copies(conn, item.date)
            copy = same_article(days[item.date], norm_text(item.title), body)
            if copy is None:
                plan.items.append(Planned(item, "store", doc))
            elif copy.richness >= len(body):
                plan.items.append(
                    Planned(
                        item, "duplicate", doc, "same article",
                        kept_document=copy.document_id, kept_copy=copy,
                    )
                )  # fmt: skip
            else:
                plan.items.append(Planned(item, "store", doc, supersedes=(copy.article_id,)))
    return plan


# ---- writing (one transaction per fetch) -----------------------------------------------------


@dataclass
class Written:
    """What one fetch stored."""

    added: int = 0
    replaced: int = 0
    duplicates: int = 0
    superseded: int = 0  # poorer copies (page or other feed) dropped for a richer item
    failed: list[str] = field(default_factory=list)  # items that could not be stored, and why
    dates: set[str] = field(default_factory=set)
    articles: int = 0
    figures: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.superseded)


def _record_item(
    conn: sqlite3.Connection,
    source_id: int,
    item: FeedItem,
    *,
    key: str,
    status: str,
    document_id: int | None,
    now: str,
) -> None:
    conn.execute(
        "INSERT INTO feed_items (source_id, ident, doc_key, sha256, status, document_id, date, "
        "title, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (source_id, ident) DO UPDATE SET doc_key = excluded.doc_key, "
        "sha256 = excluded.sha256, status = excluded.status, document_id = excluded.document_id, "
        "date = excluded.date, title = excluded.title, last_seen = excluded.last_seen",
        (source_id, item.ident, key, item.sha256, status, document_id, item.date, item.title,
         now, now),
    )  # fmt: skip


def _apply(
    store, source: Source, p: Planned, units: Sequence[AnalyzedUnit], *, out: Written, now: str
) -> None:
    conn = store.conn
    if p.action == "duplicate":
        if p.kept_copy is not None:
            _keep_link(conn, p.kept_copy, p.item.link)
        _record_item(
            conn, source.id, p.item, key=p.doc.key, status="duplicate",
            document_id=p.kept_document, now=now,
        )  # fmt: skip
        out.duplicates += 1
        return
    result = store.save_document(p.doc, units)
    for article_id in p.supersedes:
        drop_article(conn, article_id)
        out.superseded += 1
    _record_item(
        conn, source.id, p.item, key=p.doc.key, status="stored",
        document_id=result.document_id, now=now,
    )  # fmt: skip
    if result.status == "added":
        out.added += 1
    elif result.status == "replaced":
        out.replaced += 1
    else:  # stored meanwhile by another source's fetch of the same link
        out.duplicates += 1
    if result.status != "unchanged":
        out.articles += result.articles
        out.figures += result.figures
        out.dates.add(p.doc.date)


def write_fetch(
    store,
    source: Source,
    analysed: Sequence[tuple[Planned, Sequence[AnalyzedUnit]]],
    *,
    parsed: ParsedFeed,
    etag: str,
    last_modified: str,
    status: str,
    now: datetime,
    next_poll: datetime,
    known: int = 0,
    failed: Sequence[str] = (),
) -> Written:
    """Store a fetch's items and the source's new state in one transaction.

    Each item runs in its own savepoint: one that cannot be stored is rolled back alone and
    listed in ``failed``; the ETag is saved only together with the items it vouches for.
    """
    out = Written(failed=list(failed))
    stamp = iso(now)
    with store.transaction() as conn:
        for n, (p, units) in enumerate(analysed):
            conn.execute(f"SAVEPOINT item{n}")
            try:
                _apply(store, source, p, units, out=out, now=stamp)
            except (BriefingError, ValueError, sqlite3.IntegrityError) as exc:
                conn.execute(f"ROLLBACK TO item{n}")
                out.failed.append(f"{p.item.title[:40] or p.item.ident[:60]}: {exc}")
            conn.execute(f"RELEASE item{n}")
        for day in sorted(out.dates):
            out.superseded += merge_day_copies(conn, day)
        stored = out.added + out.replaced
        conn.execute(
            "UPDATE sources SET kind = ?, etag = ?, last_modified = ?, last_checked = ?, "
            "last_success = ?, failures = 0, next_poll = ?, items = items + ?, "
            "last_status = ?, updated_at = ? WHERE id = ?",
            (parsed.kind, etag, last_modified, stamp, stamp, iso(next_poll), stored,
             status_line(status, out, parsed, known=known), stamp, source.id),
        )  # fmt: skip
    return out


def status_line(prefix: str, out: Written, parsed: ParsedFeed, *, known: int = 0) -> str:
    """One line for ``sources list`` and the log: counts, then anything the operator should know."""
    parts = [
        f"{prefix}: 新增 {out.added}, 更新 {out.replaced}, 重复 {out.duplicates}, 未变 {known}"
        + (f", 替换较短副本 {out.superseded}" if out.superseded else "")
    ]
    if parsed.capped:
        parts.append(f"只读前 {len(parsed.items)} 条, 共 {parsed.total} 条 (item cap)")
    if parsed.undated:
        parts.append(f"{parsed.undated} 条无日期, 记为抓取日期 (undated)")
    if parsed.empty:
        parts.append(f"跳过 {parsed.empty} 条无标题无正文 (empty items)")
    if out.failed:
        parts.append(f"{len(out.failed)} 条无法保存 (not stored): {out.failed[0]}")
    parts.extend(parsed.warnings[:1])
    return "; ".join(parts)[:500]


def record_not_modified(conn: sqlite3.Connection, source_id: int, now: datetime, nxt: datetime):
    """A 304: the source is fine and nothing else changes."""
    stamp = iso(now)
    conn.execute(
        "UPDATE sources SET last_checked = ?, last_success = ?, failures = 0, next_poll = ?, "
        "last_status = ?, updated_at = ? WHERE id = ?",
        (stamp, stamp, iso(nxt), "未变化 (304 not modified)", stamp, source_id),
    )


def record_failure(
    conn: sqlite3.Connection, source_id: int, reason: str, now: datetime, nxt: datetime
) -> None:
    """A failed poll: one more consecutive failure, the reason, and the backed-off next poll."""
    stamp = iso(now)
    conn.execute(
        "UPDATE sources SET last_checked = ?, failures = failures + 1, next_poll = ?, "
        "last_status = ?, updated_at = ? WHERE id = ?",
        (stamp, iso(nxt), f"失败 (failed): {reason}"[:500], stamp, source_id),
    )


# ---- whole days ------------------------------------------------------------------------------


def merge_day_copies(conn: sqlite3.Connection, date: str) -> int:
    """Keep one copy of each article that a feed and another document both hold on ``date``.

    Only pairs with at least one feed copy are considered (pages of the same paper are left
    as the page ingest stored them). Returns the number of copies dropped.
    """
    copies = day_copies(conn, date)
    feeds = [c for c in copies if c.is_feed]
    if not feeds:
        return 0
    dropped: set[int] = set()
    for f in feeds:
        if f.article_id in dropped:
            continue
        for c in copies:
            if (
                c.article_id in dropped
                or c.document_id == f.document_id
                or (c.is_feed and c.article_id < f.article_id)  # each feed pair once
                or not c.named(f.titles)
                or body_overlap(f.body, c.body) < SAME_BODY
            ):
                continue
            # The richer copy stays; on a tie the one stored first (lower id) does.
            keep, lose = (f, c) if (f.richness, -f.article_id) > (c.richness, -c.article_id) else (
                c, f,
            )  # fmt: skip
            _keep_link(conn, keep, lose.url)
            drop_article(conn, lose.article_id)
            dropped.add(lose.article_id)
            if lose.is_feed:
                conn.execute(
                    "UPDATE feed_items SET status = 'duplicate', document_id = ? "
                    "WHERE document_id = ? AND status = 'stored'",
                    (keep.document_id, lose.document_id),
                )
            log.info("%s: article %s copies %s, dropped", date, lose.article_id, keep.article_id)
            if lose is f:
                break
    return len(dropped)
