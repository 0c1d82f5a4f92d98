"""The SQLite store: idempotent atomic ingest of analysed documents, and every read the bot needs.

Threading: one connection opened with ``check_same_thread=False`` and every public method holds
``Store.lock`` (an RLock). The bot's queries take milliseconds, so serialising them is simpler
than a connection per thread and keeps transactions on the shared connection from interleaving;
the bot calls the store from its one SQLite worker thread and the event loop never blocks.
Other processes (the CLI, Datasette) may read at the same time: the file is in WAL mode.

The connection runs in autocommit mode (``isolation_level=None``); writes go through
``transaction()`` (BEGIN IMMEDIATE … COMMIT, ROLLBACK on any exception).

One way to reach the database (docs/architecture.md, "Reaching the database"):

- The ``Store`` owns the connection, its lock and its transactions; nothing else opens one.
- Table modules (``chats``, ``ledger``, ``sources``, ``delivery_lock``) are functions of a
  ``sqlite3.Connection``; a write commits itself (or joins the transaction already open). They
  never take the lock: call one through ``store.run(fn, *args)`` (under the lock), or with
  ``store.conn`` inside ``with store.lock:`` (reads that must agree) or ``with
  store.transaction() as conn:`` (writes that commit together).
- Domain services (``county``, ``editions``, ``delivery_plan``, ``inbox``, ``pipeline``,
  ``feedstore`` …) take the ``Store``, never a connection.
- The bot reaches the database only on its worker thread: ``Runtime.call`` for a service or a
  Store method, ``Runtime.db`` for a table function (``Runtime.call(store.run, …)``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date as Date
from pathlib import Path
from typing import Any, Literal, TypeVar

import sqlite_utils

from briefings import continuations, stories
from briefings.comparable import canonical_key
from briefings.errors import BriefingError, InvalidArgument
from briefings.migrations import migrate, now_iso, transaction
from briefings.models import (
    AnalyzedUnit,
    ArticleBundle,
    ArticleRegion,
    Document,
    Figure,
    Person,
    RegionMention,
    StoredArticle,
    StoredFigure,
    TopicScore,
)
from briefings.search import (
    SearchHit,
    SearchPage,
    index_text,
    match_for_chunks,
    query_chunks,
    snippet,
)
from briefings.topics import best_topic

log = logging.getLogger(__name__)

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "briefings.db"
ENV_VAR = "BRIEFINGS_DB"
# The file holds chat ids and group titles: owner-only, unless the operator lets a group read it
# (another account running Datasette, a backup job).
GROUP_READ_ENV = "BRIEFINGS_DB_GROUP_READ"
PRIVATE_MODE = 0o600
GROUP_READ_MODE = 0o640
BUSY_TIMEOUT_MS = 5000
# Article ids are days_since_1970(date) * ID_SPAN + n: rowid order is date order (newest last).
ID_SPAN = 1_000_000
# Search counts stop here and are shown as "1000+": an exact count costs 20-50 ms at 1M rows.
COUNT_CAP = 1000
MAX_PAGE = 100
# Parts are linked at most this deep (a block → its page's continuation → the front page).
_LINK_DEPTH = 8
# Lists read this many more units than they show, so that parts folded into their article
# still leave a full list.
_PART_SLACK = 4
_EPOCH = Date(1970, 1, 1)

SaveStatus = Literal["added", "unchanged", "replaced", "duplicate"]
T = TypeVar("T")


@dataclass(frozen=True)
class SaveResult:
    """What ``save_document`` did, and how many articles and figures the document now has.

    ``duplicate``: the same text is already stored under another key (``key`` is that one's,
    ``duplicate_of`` names it for people); nothing was written.
    """

    status: SaveStatus
    articles: int
    figures: int
    document_id: int
    key: str = ""
    sha256: str = ""  # of the document's text
    duplicate_of: str = ""
    article_ids: tuple[int, ...] = ()  # added or replaced: the ids of its articles now


@dataclass
class AnalysisChange:
    """What ``replace_analysis`` found for one document: rows before and after, and how many
    of its articles had their figures, mentions or topics rewritten."""

    articles: int = 0
    figures_before: int = 0
    figures_after: int = 0
    mentions_before: int = 0
    mentions_after: int = 0
    figures_changed: int = 0
    mentions_changed: int = 0
    topics_changed: int = 0


def db_path(explicit: str | Path | None = None) -> Path:
    """The database file: an explicit path, else ``$BRIEFINGS_DB``, else ``data/briefings.db``."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    return DEFAULT_DB


def file_mode(env: dict[str, str] | None = None) -> int:
    """0600 for the database and its -wal/-shm files; 0640 with BRIEFINGS_DB_GROUP_READ=1."""
    value = (os.environ if env is None else env).get(GROUP_READ_ENV, "").strip().lower()
    return GROUP_READ_MODE if value in ("1", "true", "yes", "on") else PRIVATE_MODE


def secure_files(path: Path, mode: int) -> None:
    """Create the database file with ``mode`` if it is missing, and take away from it and its
    -wal/-shm files any permission beyond ``mode`` (files made by older versions were 0644).

    SQLite gives the -wal and -shm files it creates the permissions of the database file, so
    this runs before the first connection. A file we do not own is left as it is.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        pass
    else:
        try:
            os.fchmod(fd, mode)  # exactly ``mode``, whatever the umask
        finally:
            os.close(fd)
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            current = file.stat().st_mode & 0o777
            if current & ~mode:
                file.chmod(current & mode)
        except FileNotFoundError:
            continue
        except PermissionError:
            log.warning("cannot restrict the permissions of %s (not its owner)", file)


def id_base(date: str) -> int:
    """The first article id of a publication date (``""`` → day 0)."""
    if not date:
        return 0
    try:
        day = Date.fromisoformat(date)
    except ValueError:
        raise InvalidArgument(f"日期格式应为 YYYY-MM-DD:{date!r}") from None
    return (day - _EPOCH).days * ID_SPAN


def document_key(doc: Document, digest: str) -> str:
    """``doc.key`` when the reader set one; otherwise the content hash (re-ingest stays a no-op)."""
    return doc.key or f"sha256:{digest}"


@dataclass(frozen=True)
class _PreparedUnit:
    """One unit turned into column values; article ids are assigned inside the transaction."""

    analyzed: AnalyzedUnit
    fts_title: str
    fts_body: str
    mentions: tuple[tuple[str, str, str, int], ...]  # adcode, name, level, count


def _merge_mentions(regions: Sequence[RegionMention]) -> tuple[tuple[str, str, str, int], ...]:
    # The primary key is (article_id, adcode): a region listed twice is counted once, summed.
    merged: dict[str, tuple[str, str, int]] = {}
    for m in regions:
        r = m.region
        name, level, count = merged.get(r.adcode, (r.short or r.name, r.level, 0))
        merged[r.adcode] = (name, level, count + m.count)
    return tuple((code, name, level, count) for code, (name, level, count) in merged.items())


def fts_texts(units: Sequence[AnalyzedUnit]) -> list[tuple[str, str]]:
    """The full-text index columns (heading, body) of each unit, as ``save_document`` stores
    them: segmenting is most of the cost of storing, and can run before, elsewhere."""
    out = []
    for au in units:
        u = au.unit
        heading = "\n".join([u.title, u.subtitle, u.kicker, *u.subheads])
        out.append((index_text(heading), index_text(u.body)))
    return out


def _prepare(au: AnalyzedUnit, fts: tuple[str, str]) -> _PreparedUnit:
    return _PreparedUnit(au, fts[0], fts[1], _merge_mentions(au.regions))


_ARTICLE_COLUMNS = (
    "id, date, source, page, kind, title, subtitle, kicker, section, dateline, body, url, topics, "
    "line_start, line_end, byline, subheads, notes"
)
_FIGURE_COLUMNS = (
    "indicator, value, unit, text, qualifier, period, region, adcode, sentence, subject, role, "
    "confident"
)
_F_FIGURE_COLUMNS = ", ".join(f"f.{c}" for c in _FIGURE_COLUMNS.split(", "))


def _article(row: Sequence) -> StoredArticle:
    # The first twelve columns of _ARTICLE_COLUMNS are the first twelve fields of StoredArticle.
    topics, line_start, line_end, byline, subheads, notes = row[12:18]
    return StoredArticle(
        *row[:12],
        topics=tuple(TopicScore(t["topic"], float(t["score"])) for t in json.loads(topics)),
        line_start=line_start,
        line_end=line_end,
        byline=tuple(Person(name=p["name"], role=p["role"]) for p in json.loads(byline)),
        subheads=tuple(json.loads(subheads)),
        notes=tuple(json.loads(notes)),
    )


def _figure(row: Sequence) -> Figure:
    # _FIGURE_COLUMNS lists the fields of Figure in order.
    return Figure(*row[:11], confident=bool(row[11]))


def _figure_columns(f: Figure) -> dict[str, object]:
    return {
        "adcode": f.adcode,
        "region": f.region,
        "indicator": f.indicator,
        "value": f.value,
        "unit": f.unit,
        "text": f.text,
        "qualifier": f.qualifier,
        "period": f.period,
        "sentence": f.sentence,
        "subject": f.subject,
        "role": f.role,
        "confident": int(f.confident),
        "canonical": canonical_key(f) or None,  # comparable indicator (briefings/comparable.py)
    }


@dataclass(frozen=True)
class _Derived:
    """The rows analysis gives one stored article: its topic columns, mentions and figures."""

    topics: dict[str, object]
    mentions: list[dict[str, object]]
    figures: list[dict[str, object]]


def _derived(
    aid: int, date: str, au: AnalyzedUnit, mentions: tuple[tuple[str, str, str, int], ...]
) -> _Derived:
    return _Derived(
        {
            "topic": best_topic(au.topics),
            "topics": _json([{"topic": t.topic, "score": t.score} for t in au.topics]),
        },
        [
            {"article_id": aid, "adcode": code, "name": name, "level": level, "count": count}
            for code, name, level, count in mentions
        ],
        [
            {"article_id": aid, "seq": i, "date": date} | _figure_columns(f)
            for i, f in enumerate(au.figures)
        ],
    )


# Derived rows as compared by ``replace_analysis`` (a figure's own id is not part of it).
_MENTION_ROW = ("article_id", "adcode", "name", "level", "count")
_FIGURE_ROW = ("article_id", "seq", "date", *_figure_columns(Figure("", 0.0, "", "")))


def _rows_by_article(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], order: str, ids_json: str
) -> dict[int, list[tuple]]:
    """Article id → its rows of ``table`` (``columns``, the article id first), by ``order``."""
    out: dict[int, list[tuple]] = {}
    for r in conn.execute(
        f"SELECT {', '.join(columns)} FROM {table} WHERE article_id IN"
        f" (SELECT value FROM json_each(?)) ORDER BY article_id, {order}",
        (ids_json,),
    ):
        out.setdefault(r[0], []).append(tuple(r))
    return out


def _insert(conn: sqlite3.Connection, table: str, rows: Sequence[dict[str, object]]) -> None:
    if rows:
        cols = list(rows[0])
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})",
            rows,
        )


def _insert_fts(conn: sqlite3.Connection, rows: Sequence[tuple[int, str, str]]) -> None:
    conn.executemany("INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)", rows)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


class Store:
    """The briefing database. Open with ``Store.open(path)``; use as a context manager."""

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path
        self.lock = threading.RLock()

    @classmethod
    def open(cls, path: str | Path, *, mode: int | None = None) -> Store:
        """Open (creating if needed) and migrate the database at ``path``.

        The file and its -wal/-shm files get ``mode`` (default ``file_mode()``: 0600, or 0640
        with BRIEFINGS_DB_GROUP_READ=1).
        """
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
            secure_files(path, file_mode() if mode is None else mode)
        conn = sqlite3.connect(
            str(path),
            check_same_thread=False,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL loses no committed transaction when the process dies (only on a
        # power cut), and commits stop waiting on fsync: the delivery ledger commits per message.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        db = sqlite_utils.Database(conn, execute_plugins=False)
        migrate(db)
        return cls(db, path)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``fn(conn, *args, **kwargs)`` under the store lock: the way to call a table module's
        function (``chats``, ``ledger``, ``sources`` …) outside a transaction."""
        with self.lock:
            return fn(self.conn, *args, **kwargs)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT under the store lock; any exception rolls back and re-raises."""
        with self.lock, transaction(self.conn) as conn:
            yield conn

    def end_transaction(self) -> None:
        """Roll back a transaction left open by a COMMIT that failed (``transaction()`` rolls
        back what raises inside it, not a COMMIT that cannot be done)."""
        with self.lock:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    # ---- ingest -------------------------------------------------------------------------------

    def save_document(
        self,
        doc: Document,
        units: Sequence[AnalyzedUnit],
        *,
        fts: Sequence[tuple[str, str]] | None = None,
        fts_rows: list[tuple[int, str, str]] | None = None,
    ) -> SaveResult:
        """Store a document and its analysed units: added, unchanged (same text) or replaced.

        All writes happen in one transaction, so a failure leaves the database as it was. Units
        are segmented before the write lock is taken (or were: ``fts`` may give
        ``fts_texts(units)``); ``part_of`` indices become article ids.

        With ``fts_rows``, the full-text rows are added to that list instead of written, for
        the caller to write with ``write_fts`` before its transaction ends: FTS5 writes out its
        pending index at every SAVEPOINT, so storing many documents in savepoints would
        otherwise make (and merge) an index segment per document.
        """
        digest = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
        key = document_key(doc, digest)
        base = id_base(doc.date)
        if fts is not None and len(fts) != len(units):
            raise ValueError("fts: one (heading, body) pair per unit")
        with self.lock:
            dated = bool(doc.date)
            known = self._unchanged(key, digest) or self._same_content(key, digest, dated)
            if known:
                return known
            texts = fts_texts(units) if fts is None else fts
            prepared = [_prepare(au, t) for au, t in zip(units, texts, strict=True)]
            # Inside a caller's transaction nothing can have changed since the check above.
            outer = self.conn.in_transaction
            with self.transaction() as conn:
                # Re-check inside the write lock: another process may have stored it meanwhile.
                if not outer:
                    known = self._unchanged(key, digest) or self._same_content(key, digest, dated)
                    if known:
                        return known
                if dated:
                    self._adopt_undated(conn, key, digest)
                row = conn.execute("SELECT id FROM documents WHERE key = ?", (key,)).fetchone()
                # Allocate before deleting, so a replaced article never hands its id to another.
                first = self._next_id(conn, base)
                if first + len(prepared) > base + ID_SPAN:
                    raise BriefingError(f"{doc.date or '无日期'} 的文章超过 {ID_SPAN - 1} 篇")
                fields = {
                    "kind": doc.kind,
                    "source": doc.source,
                    "date": doc.date,
                    "page": doc.page,
                    "path": doc.path,
                    "url": doc.url,
                    "sha256": digest,
                    "ingested_at": now_iso(),
                }
                if row:
                    document_id = row[0]
                    self._delete_articles(conn, document_id)
                    sets = ", ".join(f"{c} = :{c}" for c in fields)
                    conn.execute(
                        f"UPDATE documents SET {sets}, versions = versions + 1 WHERE id = :id",
                        fields | {"id": document_id},
                    )
                    status: SaveStatus = "replaced"
                else:
                    values = {"key": key} | fields
                    document_id = conn.execute(
                        f"INSERT INTO documents ({', '.join(values)}) "
                        f"VALUES ({', '.join(':' + c for c in values)})",
                        values,
                    ).lastrowid
                    status = "added"
                figures = self._insert_units(
                    conn, doc, document_id, prepared, first, fts_rows=fts_rows
                )
                # Continuations across this issue's pages, relinked now that this page is in.
                continuations.link_issue(conn, doc.source, doc.date)
        ids = tuple(range(first, first + len(prepared)))
        return SaveResult(status, len(prepared), figures, document_id, key, digest, "", ids)

    def _counts(self, document_id: int) -> tuple[int, int]:
        """(articles, figures) of a stored document."""
        return self.conn.execute(
            "SELECT count(*), (SELECT count(*) FROM figures WHERE article_id IN "
            "(SELECT id FROM articles WHERE document_id = ?)) FROM articles WHERE document_id = ?",
            (document_id, document_id),
        ).fetchone()

    def _unchanged(self, key: str, digest: str) -> SaveResult | None:
        row = self.conn.execute(
            "SELECT id FROM documents WHERE key = ? AND sha256 = ?", (key, digest)
        ).fetchone()
        if not row:
            return None
        articles, figures = self._counts(row[0])
        return SaveResult("unchanged", articles, figures, row[0], key, digest)

    def _same_content(self, key: str, digest: str, dated: bool = False) -> SaveResult | None:
        """The document that already holds this exact text under another key, if any.

        Documents are keyed by content as well as by name: the same page saved as two files
        (``page.txt``, ``page (1).txt``) would otherwise show every hit and figure twice. A copy
        stored without a date does not count against a dated one: the dated one replaces it
        (``_adopt_undated``), which is how ``ingest --date`` repairs an undated file.
        """
        undated = " AND date != ''" if dated else ""
        row = self.conn.execute(
            f"SELECT id, key, path FROM documents WHERE sha256 = ? AND key != ?{undated}"
            " ORDER BY id LIMIT 1",
            (digest, key),
        ).fetchone()
        if not row:
            return None
        document_id, other_key, other_path = row
        articles, figures = self._counts(document_id)
        name = f"{other_path} ({other_key})" if other_path else other_key
        return SaveResult("duplicate", articles, figures, document_id, other_key, digest, name)

    @staticmethod
    def _adopt_undated(conn: sqlite3.Connection, key: str, digest: str) -> None:
        """Give an undated copy of this text the new, dated key, so that saving replaces it."""
        row = conn.execute(
            "SELECT id FROM documents WHERE sha256 = ? AND date = '' AND key != ? ORDER BY id"
            " LIMIT 1",
            (digest, key),
        ).fetchone()
        if row and not conn.execute("SELECT 1 FROM documents WHERE key = ?", (key,)).fetchone():
            conn.execute("UPDATE documents SET key = ? WHERE id = ?", (key, row[0]))

    # ---- files already ingested ---------------------------------------------------------------

    def known_file(self, sha256: str, size: int) -> tuple[int, str] | None:
        """(how many documents, which path) a file with these bytes gave, if it was ingested
        before and every one of them is still stored with the same text; None if it must be
        read again.

        The cheap check before parsing: re-ingesting a folder re-analyses only what changed.
        """
        with self.lock:
            row = self.conn.execute(
                "SELECT documents, path FROM ingested_files WHERE sha256 = ? AND size = ?",
                (sha256, size),
            ).fetchone()
            if row is None:
                return None
            wanted = json.loads(row[0])
            if not wanted:
                return None
            (found,) = self.conn.execute(
                "SELECT count(DISTINCT d.id) FROM json_each(?) j JOIN documents d"
                " ON d.key = json_extract(j.value, '$[0]')"
                " AND d.sha256 = json_extract(j.value, '$[1]')",
                (row[0],),
            ).fetchone()
        return (len(wanted), row[1]) if found == len({tuple(w) for w in wanted}) else None

    def remember_files(
        self, files: Sequence[tuple[str, int, str, Sequence[tuple[str, str]]]]
    ) -> None:
        """Record, for each (bytes sha256, size, path, documents) in one transaction, that a
        file's bytes gave these (key, text sha256) documents. The first path a file came from
        stays: a later copy under another name is reported as its duplicate."""
        now = now_iso()
        rows = [
            (sha, size, path, _json([list(d) for d in docs]), now)
            for sha, size, path, docs in files
        ]
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO ingested_files (sha256, size, path, documents, ingested_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET size = excluded.size,"
                " documents = excluded.documents, ingested_at = excluded.ingested_at",
                rows,
            )

    @staticmethod
    def _next_id(conn: sqlite3.Connection, base: int) -> int:
        (top,) = conn.execute(
            "SELECT max(id) FROM articles WHERE id >= ? AND id < ?", (base, base + ID_SPAN)
        ).fetchone()
        return (top if top is not None else base) + 1

    @staticmethod
    def _delete_articles(conn: sqlite3.Connection, document_id: int) -> None:
        old = "(SELECT id FROM articles WHERE document_id = ?)"
        conn.execute(f"DELETE FROM articles_fts WHERE rowid IN {old}", (document_id,))
        conn.execute(f"DELETE FROM figures WHERE article_id IN {old}", (document_id,))
        conn.execute(f"DELETE FROM mentions WHERE article_id IN {old}", (document_id,))
        conn.execute("DELETE FROM articles WHERE document_id = ?", (document_id,))

    @staticmethod
    def _insert_units(
        conn: sqlite3.Connection,
        doc: Document,
        document_id: int,
        prepared: Sequence[_PreparedUnit],
        first: int,
        *,
        fts_rows: list[tuple[int, str, str]] | None = None,
    ) -> int:
        ids = [first + i for i in range(len(prepared))]
        articles, mentions, figures, fts = [], [], [], []
        for seq, (aid, p) in enumerate(zip(ids, prepared, strict=True)):
            u = p.analyzed.unit
            # A link to itself or outside the page is a parser slip: store the unit unlinked.
            linked = u.part_of is not None and 0 <= u.part_of < len(ids) and u.part_of != seq
            articles.append(
                {
                    "id": aid,
                    "document_id": document_id,
                    "seq": seq,
                    "kind": u.kind,
                    "title": u.title,
                    "subtitle": u.subtitle,
                    "kicker": u.kicker,
                    "section": u.section,
                    "dateline": u.dateline,
                    "byline": _json([{"name": b.name, "role": b.role} for b in u.byline]),
                    "subheads": _json(list(u.subheads)),
                    "notes": _json(list(u.notes)),
                    "body": u.body,
                    "continued_from": u.continued_from,
                    "continued_to": u.continued_to,
                    "line_start": u.line_start,
                    "line_end": u.line_end,
                    "part_of": ids[u.part_of] if linked else None,
                    "date": doc.date,
                    "source": doc.source,
                    "page": doc.page,
                    "url": doc.url,
                }
            )
            derived = _derived(aid, doc.date, p.analyzed, p.mentions)
            articles[-1].update(derived.topics)
            mentions.extend(derived.mentions)
            figures.extend(derived.figures)
            fts.append((aid, p.fts_title, p.fts_body))
        # Parents before children: the foreign keys are checked row by row.
        _insert(conn, "articles", articles)
        _insert(conn, "mentions", mentions)
        _insert(conn, "figures", figures)
        if fts_rows is None:
            _insert_fts(conn, fts)
        else:
            fts_rows.extend(fts)
        return len(figures)

    def replace_analysis(
        self, document_id: int, sha256: str, units: Sequence[tuple[int, AnalyzedUnit]]
    ) -> AnalysisChange | None:
        """Replace what analysis derived for a stored document's articles (topic columns,
        mentions, figures) by ``units`` (article id, analysis), in one transaction; article
        ids, texts and full-text rows stay. Nothing is written for an article whose rows come
        out the same. None, writing nothing, when the document is no longer the one read (its
        text or its articles changed since: an ingest replaced it)."""
        ids = [aid for aid, _ in units]
        wanted = json.dumps(ids)
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT date FROM documents WHERE id = ? AND sha256 = ?", (document_id, sha256)
            ).fetchone()
            stored = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM articles WHERE document_id = ? ORDER BY seq", (document_id,)
                )
            ]
            if row is None or stored != ids:
                return None
            old_topics: dict[int, dict[str, object]] = {
                r[0]: {"topic": r[1], "topics": r[2]}
                for r in conn.execute(
                    "SELECT id, topic, topics FROM articles"
                    " WHERE id IN (SELECT value FROM json_each(?))",
                    (wanted,),
                )
            }
            old_mentions = _rows_by_article(conn, "mentions", _MENTION_ROW, "adcode", wanted)
            old_figures = _rows_by_article(conn, "figures", _FIGURE_ROW, "seq", wanted)
            change = AnalysisChange(
                articles=len(ids),
                figures_before=sum(map(len, old_figures.values())),
                mentions_before=sum(map(len, old_mentions.values())),
            )
            for aid, au in units:
                new = _derived(aid, row[0], au, _merge_mentions(au.regions))
                mentions = sorted(tuple(m[c] for c in _MENTION_ROW) for m in new.mentions)
                figures = [tuple(f[c] for c in _FIGURE_ROW) for f in new.figures]
                change.figures_after += len(figures)
                change.mentions_after += len(mentions)
                if new.topics != old_topics.get(aid):
                    change.topics_changed += 1
                    conn.execute(
                        "UPDATE articles SET topic = :topic, topics = :topics WHERE id = :id",
                        new.topics | {"id": aid},
                    )
                if mentions != old_mentions.get(aid, []):
                    change.mentions_changed += 1
                    conn.execute("DELETE FROM mentions WHERE article_id = ?", (aid,))
                    _insert(conn, "mentions", new.mentions)
                if figures != old_figures.get(aid, []):
                    change.figures_changed += 1
                    conn.execute("DELETE FROM figures WHERE article_id = ?", (aid,))
                    _insert(conn, "figures", new.figures)
        return change

    def write_fts(self, rows: Sequence[tuple[int, str, str]]) -> None:
        """Write full-text rows kept back by ``save_document(fts_rows=…)``, inside the caller's
        transaction; rows of articles deleted meanwhile (a copy dropped) are left out."""
        if not rows:
            return
        with self.lock:
            live = {
                i
                for (i,) in self.conn.execute(
                    "SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps([r[0] for r in rows]),),
                )
            }
            _insert_fts(self.conn, [r for r in rows if r[0] in live])

    # ---- search -------------------------------------------------------------------------------

    def search(self, query: str, *, limit: int = 10, offset: int = 0) -> SearchPage:
        """Articles matching every word of ``query``, newest first, with a capped total.

        Any text is accepted: what cannot be searched is dropped, and a query with nothing
        searchable left gives an empty page.
        """
        limit = min(max(limit, 1), MAX_PAGE)
        offset = max(offset, 0)
        chunks = query_chunks(query)
        terms = tuple(w for words in chunks for w in words)
        match = match_for_chunks(chunks)
        if match is None:
            return SearchPage(query, [], 0, False, terms)
        with self.lock:
            ids = [
                r[0]
                for r in self.conn.execute(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
                    "ORDER BY rowid DESC LIMIT ? OFFSET ?",
                    (match, limit, offset),
                )
            ]
            if offset == 0 and len(ids) < limit:
                count = len(ids)  # the first page holds every hit: no need to count them again
            else:
                (count,) = self.conn.execute(
                    "SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? "
                    "LIMIT ?)",
                    (match, COUNT_CAP + 1),
                ).fetchone()
            articles = self._wholes(ids)
            if offset == 0 and len(ids) < limit:
                count = len(articles)  # parts of one article are one result
            elif offset > 0 and ids:
                articles = self._not_shown_before(articles, match, ids[0])
        hits = [SearchHit(a, snippet(a.body, terms, title=a.title)) for a in articles]
        return SearchPage(query, hits, min(count, COUNT_CAP), count > COUNT_CAP, terms)

    def _not_shown_before(
        self, articles: list[StoredArticle], match: str, top: int
    ) -> list[StoredArticle]:
        """The articles of a later search page that no earlier page showed: one of whose other
        parts matched with a newer id (above ``top``, this page's first hit) was shown there."""
        newer = [uid for a in articles for uid in a.ids if uid > top]
        if not newer:
            return articles
        shown = {
            r[0]
            for r in self.conn.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
                "AND rowid IN (SELECT value FROM json_each(?))",
                (match, json.dumps(newer)),
            )
        }
        return [a for a in articles if not shown.intersection(a.ids)]

    # ---- reads --------------------------------------------------------------------------------

    def _articles(self, ids: Sequence[int]) -> list[StoredArticle]:
        """Articles by id, in the order given; unknown ids are skipped."""
        if not ids:
            return []
        rows = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(ids)),),
        ).fetchall()
        by_id = {row[0]: _article(row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    def _roots(self, ids: Sequence[int]) -> dict[int, int]:
        """Each stored id → the article it is a part of (itself when it is none), following
        ``part_of`` links up; a link to an article no longer stored is not followed."""
        # Scalar subqueries, not a join: joining ``articles`` here made SQLite 3.40 build a
        # Bloom filter over the whole table for every call (70 ms at 200,000 articles).
        rows = self.conn.execute(
            "WITH RECURSIVE up(start, id, depth) AS ("
            " SELECT value, value, 0 FROM json_each(?)"
            " UNION ALL"
            " SELECT start, (SELECT part_of FROM articles WHERE id = up.id), depth + 1 FROM up"
            f" WHERE up.id IS NOT NULL AND depth < {_LINK_DEPTH})"
            " SELECT start, id FROM up WHERE id IS NOT NULL"
            " AND EXISTS (SELECT 1 FROM articles WHERE id = up.id) ORDER BY depth",
            (json.dumps(list(ids)),),
        ).fetchall()
        return dict(rows)  # the deepest stored ancestor wins (rows come in depth order)

    def _members(self, roots: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
        """Each root → its units in reading order as (id, continued_from): the root, then
        depth first each part, parts on the part's own page before continuations elsewhere."""
        rows = self.conn.execute(
            "WITH RECURSIVE down(root, id, parent, depth, doc, cont) AS ("
            " SELECT j.value, a.id, NULL, 0, a.document_id, a.continued_from"
            " FROM json_each(?) j JOIN articles a ON a.id = j.value"
            " UNION ALL"
            " SELECT down.root, a.id, down.id, down.depth + 1, a.document_id, a.continued_from"
            f" FROM down JOIN articles a ON a.part_of = down.id WHERE down.depth < {_LINK_DEPTH})"
            " SELECT root, id, parent, doc, cont FROM down",
            (json.dumps(list(roots)),),
        ).fetchall()
        children: dict[int, list[tuple[bool, int]]] = {}
        docs: dict[int, int] = {}
        cont: dict[int, str] = {}
        for _, aid, _parent, doc, cfrom in rows:
            docs[aid], cont[aid] = doc, cfrom
        for _, aid, parent, doc, _ in rows:
            if parent is not None:
                children.setdefault(parent, []).append((doc != docs.get(parent), aid))
        out: dict[int, list[tuple[int, str]]] = {}
        for root in dict.fromkeys(r[0] for r in rows):
            order: list[tuple[int, str]] = []
            stack = [root]
            while stack:
                aid = stack.pop()
                if any(aid == seen for seen, _ in order):
                    continue  # a link cycle would be a bug; never loop on it
                order.append((aid, cont.get(aid, "")))
                stack.extend(a for _, a in sorted(children.get(aid, ()), reverse=True))
            out[root] = order
        return out

    def _wholes(self, ids: Sequence[int]) -> list[StoredArticle]:
        """Whole articles for stored ids, in the order of first appearance: a part stands for
        its article, and an article named twice (or by two parts) comes once."""
        if not ids:
            return []
        roots = self._roots(ids)
        wanted = list(dict.fromkeys(roots[i] for i in ids if i in roots))
        members = self._members(wanted)
        units = {
            a.id: a for a in self._articles([m for r in wanted for m, _ in members.get(r, ())])
        }
        out = []
        for root in wanted:
            parts = [
                replace(units[m], continued_from=cfrom) if cfrom else units[m]
                for m, cfrom in members.get(root, ())
                if m in units
            ]
            if parts:
                out.append(stories.join(parts))
        return out

    def article(self, id: int) -> StoredArticle | None:
        """The whole article a stored id belongs to (its parts joined)."""
        with self.lock:
            found = self._wholes([id])
        return found[0] if found else None

    def bundles(self, ids: Sequence[int]) -> list[ArticleBundle]:
        """Whole articles with their regions (most mentioned first, counted over every part)
        and figures (part by part), in the order given; a part stands for its article."""
        with self.lock:
            articles = self._wholes(ids)
            if not articles:
                return []
            wanted = json.dumps([uid for a in articles for uid in a.ids])
            by_unit: dict[int, list[ArticleRegion]] = {}
            for aid, code, name, count in self.conn.execute(
                "SELECT article_id, adcode, name, count FROM mentions "
                "WHERE article_id IN (SELECT value FROM json_each(?)) "
                "ORDER BY article_id, count DESC, adcode",
                (wanted,),
            ):
                by_unit.setdefault(aid, []).append(ArticleRegion(code, name, count))
            figures: dict[int, list[Figure]] = {}
            for row in self.conn.execute(
                f"SELECT article_id, {_FIGURE_COLUMNS} FROM figures "
                "WHERE article_id IN (SELECT value FROM json_each(?)) ORDER BY article_id, seq",
                (wanted,),
            ):
                figures.setdefault(row[0], []).append(_figure(row[1:]))
        out = []
        for a in articles:
            if a.parts:  # counted over every part, most mentioned first
                summed: dict[str, list] = {}
                for uid in a.ids:
                    for r in by_unit.get(uid, ()):
                        summed.setdefault(r.adcode, [r.name, 0])[1] += r.count
                regions = sorted(
                    (ArticleRegion(code, name, n) for code, (name, n) in summed.items()),
                    key=lambda r: (-r.count, r.adcode),
                )
                found = [f for uid in a.ids for f in figures.get(uid, ())]
            else:
                regions, found = by_unit.get(a.id, []), figures.get(a.id, [])
            out.append(ArticleBundle(a, tuple(regions), tuple(found)))
        return out

    def bundle(self, id: int) -> ArticleBundle | None:
        """One article with its regions and figures."""
        found = self.bundles([id])
        return found[0] if found else None

    def county_articles(self, adcode: str, *, limit: int = 10) -> list[StoredArticle]:
        """The latest articles that mention a region (any level, in any part), newest first."""
        with self.lock:
            ids = [
                r[0]
                for r in self.conn.execute(
                    "SELECT article_id FROM mentions WHERE adcode = ? "
                    "ORDER BY article_id DESC LIMIT ?",
                    (adcode, limit + _PART_SLACK),  # parts of one article are one article
                )
            ]
            return self._wholes(ids)[:limit]

    def county_figures(self, adcode: str, *, limit: int = 20) -> list[StoredFigure]:
        """The latest figures attributed to a region, newest publication date first."""
        with self.lock:
            rows = self.conn.execute(
                f"SELECT f.article_id, f.date, a.source, {_F_FIGURE_COLUMNS} "
                "FROM figures f JOIN articles a ON a.id = f.article_id "
                "WHERE f.adcode = ? ORDER BY f.date DESC, f.article_id DESC, f.seq LIMIT ?",
                (adcode, limit),
            ).fetchall()
        return [StoredFigure(r[0], r[1], r[2], _figure(r[3:])) for r in rows]

    def last_mention_date(self, adcode: str) -> str | None:
        """Publication date of the newest article naming the region; None if never (or undated)."""
        with self.lock:
            row = self.conn.execute(
                "SELECT a.date FROM mentions m JOIN articles a ON a.id = m.article_id "
                "WHERE m.adcode = ? ORDER BY m.article_id DESC LIMIT 1",
                (adcode,),
            ).fetchone()
        return row[0] if row and row[0] else None

    def mention_counts(self) -> dict[str, int]:
        """Adcode → number of articles that mention it."""
        with self.lock:
            rows = self.conn.execute(
                "SELECT adcode, count(*) FROM mentions GROUP BY adcode"
            ).fetchall()
        return dict(rows)

    def articles_on(self, date: str) -> list[ArticleBundle]:
        """Every article published on ``date``, in page order, with regions and figures."""
        base = id_base(date)
        with self.lock:
            ids = [
                r[0]
                for r in self.conn.execute(
                    "SELECT id FROM articles WHERE id >= ? AND id < ? AND date = ? ORDER BY id",
                    (base, base + ID_SPAN, date),
                )
            ]
            return self.bundles(ids)

    def has_articles(self) -> bool:
        """Whether anything at all was ingested (a fresh database answers with a hint)."""
        with self.lock:
            return self.conn.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None

    def latest_date(self) -> str | None:
        """The newest publication date in the store."""
        found = self.dates(limit=1)
        return found[0] if found else None

    def dates(self, limit: int = 30) -> list[str]:
        """Distinct publication dates, newest first (undated articles are left out)."""
        # A loose index scan: one index seek per date instead of reading every article.
        with self.lock:
            rows = self.conn.execute(
                "WITH RECURSIVE d(date) AS ("
                " SELECT max(date) FROM articles"
                " UNION ALL"
                " SELECT (SELECT max(date) FROM articles WHERE date < d.date) FROM d"
                " WHERE d.date > ''"
                ") SELECT date FROM d WHERE date > '' LIMIT ?",
                (limit,),
            ).fetchall()
        return [r[0] for r in rows]

    def topic_bundles(self, topic: str, *, limit: int = 10) -> list[ArticleBundle]:
        """Latest articles whose best topic is ``topic``, newest first.

        The best topic (stored in ``articles.topic`` at ingest) rather than a score threshold:
        it is one index range scan, and every article lands under exactly one heading.
        """
        with self.lock:
            ids = [
                r[0]
                for r in self.conn.execute(
                    "SELECT id FROM articles WHERE topic = ? ORDER BY id DESC LIMIT ?",
                    (topic, limit + _PART_SLACK),  # parts of one article are one article
                )
            ]
            return self.bundles(ids)[:limit]

    def stats(self) -> dict[str, int]:
        """Row counts for the operator: stored items, chats, subscribers, deliveries by status."""
        with self.lock:
            one = self.conn.execute
            out = {
                name: one(f"SELECT count(*) FROM {name}").fetchone()[0]
                for name in ("documents", "articles", "figures", "mentions", "chats")
            }
            out["subscribers"] = one(
                "SELECT count(*) FROM chats WHERE subscribed = 1 AND active = 1"
            ).fetchone()[0]
            for status in ("sent", "failed", "pending"):
                out[f"deliveries_{status}"] = one(
                    "SELECT count(*) FROM deliveries WHERE status = ?", (status,)
                ).fetchone()[0]
        return out
