"""Feed items into the store: what is new, what is a copy of something already stored, and the
one transaction that writes a fetch (items, their record in ``feed_items``, the source's state).

Deduplication, cheapest first:
1. the same item of the same source with the same text: nothing to do (no analysis either);
2. the same text from any source (``feed_items.sha256``): a duplicate;
3. the same link already stored (another source, a JSON Lines record): the richer copy is kept;
4. the same article on the same date (an OCR'd page, another feed): equal normalised titles
   and bodies sharing most of their character trigrams (``briefings.daycopies``); the richer
   copy (the longer body) is kept, and a kept page copy gains the link.
An item whose text changed replaces its earlier version (``Store.save_document`` does that).

``daycopies.merge_day`` applies rule 4 again after writing (another source may have stored the
same article meanwhile) and, from the poll, over recent days: a page that arrives after the
feed ends as one copy too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from briefings.daycopies import (
    Copy,
    DayIndex,
    drop_article,
    find_copy,
    keep_link,
    merge_day,
    norm_text,
    richness,
)
from briefings.errors import BriefingError
from briefings.feeds import FeedItem, ParsedFeed, document_key, item_document
from briefings.models import AnalyzedUnit, Document
from briefings.sources import Source, iso

Action = Literal["store", "replace", "duplicate"]

# ---- planning (reads only) -------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """What to do with one item that is not simply known already."""

    item: FeedItem
    action: Action
    doc: Document
    kept_document: int | None = None  # duplicates: the document holding the kept copy
    supersedes: tuple[int, ...] = ()  # article ids of poorer copies to drop once stored
    kept_copy: Copy | None = None  # duplicates of a stored article: gains the item's link


# An item to write with its analysed units and their full-text columns (see store.fts_texts).
Analysed = tuple[Planned, Sequence[AnalyzedUnit], Sequence[tuple[str, str]]]


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


def plan_items(
    store, source: Source, items: Sequence[FeedItem], record_as: str, index: DayIndex | None = None
) -> Plan:
    """Decide, from what is stored, which items to analyse and store (blocking, read-only)."""
    plan = Plan()
    conn = store.conn
    index = index or DayIndex()
    with store.lock:
        index.begin()
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
                    Planned(item, "duplicate", doc, kept_document=twin[0])  # same text
                )
                continue
            existing = _existing_doc(conn, key)
            if existing is not None:
                if existing[1] >= len(norm_text(item.text)):
                    plan.items.append(
                        Planned(item, "duplicate", doc, kept_document=existing[0])  # same link
                    )
                else:
                    plan.items.append(Planned(item, "replace", doc))
                continue
            copy, body = find_copy(conn, index, item.date, norm_text(item.title), item.text)
            if copy is None:
                plan.items.append(Planned(item, "store", doc))
            elif richness(conn, copy) >= len(body):
                plan.items.append(
                    Planned(
                        item, "duplicate", doc,
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
    new_ids: dict[str, list[int]] = field(default_factory=dict)  # date → articles just stored
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
    store,
    source: Source,
    p: Planned,
    units: Sequence[AnalyzedUnit],
    fts: Sequence[tuple[str, str]],
    *,
    out: Written,
    now: str,
    index: DayIndex,
    fts_rows: list[tuple[int, str, str]],
) -> None:
    conn = store.conn
    if p.action == "duplicate":
        if p.kept_copy is not None:
            keep_link(conn, p.kept_copy, p.item.link)
        _record_item(
            conn, source.id, p.item, key=p.doc.key, status="duplicate",
            document_id=p.kept_document, now=now,
        )  # fmt: skip
        out.duplicates += 1
        return
    result = store.save_document(p.doc, units, fts=fts, fts_rows=fts_rows)
    for article_id in p.supersedes if result.status != "unchanged" else ():
        drop_article(conn, article_id)
        index.forget(p.doc.date, article_id)
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
        if result.status in ("added", "replaced"):
            ids = list(result.article_ids)
        else:
            ids = [i for (i,) in conn.execute(
                "SELECT id FROM articles WHERE document_id = ?", (result.document_id,)
            )]  # fmt: skip
        out.new_ids.setdefault(p.doc.date, []).extend(ids)


def write_fetch(
    store,
    source: Source,
    analysed: Sequence[Analysed],
    *,
    parsed: ParsedFeed,
    etag: str,
    last_modified: str,
    status: str,
    now: datetime,
    next_poll: datetime,
    known: int = 0,
    failed: Sequence[str] = (),
    index: DayIndex | None = None,
) -> Written:
    """Store a fetch's items and the source's new state in one transaction.

    Each item runs in its own savepoint: one that cannot be stored is rolled back alone and
    listed in ``failed``; the ETag is saved only together with the items it vouches for. The
    items' full-text rows are written together at the end (see ``Store.save_document``).
    """
    out = Written(failed=list(failed))
    stamp = iso(now)
    index = index or DayIndex()
    fts_rows: list[tuple[int, str, str]] = []
    with store.transaction() as conn:
        for n, (p, units, fts) in enumerate(analysed):
            conn.execute(f"SAVEPOINT item{n}")
            rows: list[tuple[int, str, str]] = []
            try:
                _apply(store, source, p, units, fts, out=out, now=stamp, index=index, fts_rows=rows)
            except (BriefingError, ValueError, sqlite3.IntegrityError) as exc:
                conn.execute(f"ROLLBACK TO item{n}")
                out.failed.append(f"{p.item.title[:40] or p.item.ident[:60]}: {exc}")
            else:
                fts_rows.extend(rows)
            conn.execute(f"RELEASE item{n}")
        index.begin()
        for day, ids in sorted(out.new_ids.items()):
            out.superseded += merge_day(conn, index, day, only=ids)
        store.write_fts(fts_rows)
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
