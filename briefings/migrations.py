"""Schema of the SQLite store, as an ordered list of named migrations.

Each migration runs once, inside a transaction, and is recorded in ``_migrations``. The file stays
plain SQLite: FTS5 uses the built-in ``unicode61`` tokenizer over text that we segment with jieba
before inserting, so the ``sqlite3`` CLI and Datasette open it without extensions.

Article ids are date-ordered (``days_since_epoch * 1_000_000 + n``), so ``ORDER BY rowid DESC`` on
the FTS table means newest first without touching ``articles``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlite_utils

Migration = tuple[str, str]


_DOCUMENTS_AND_ARTICLES = """
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,       -- source|date|page, or source|path, or url
            kind TEXT NOT NULL,             -- page | article | jsonl
            source TEXT NOT NULL,
            date TEXT NOT NULL,             -- yyyy-mm-dd, '' if unknown
            page TEXT NOT NULL DEFAULT '',
            path TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            sha256 TEXT NOT NULL,           -- of the decoded text: same hash = nothing to do
            versions INTEGER NOT NULL DEFAULT 1,
            ingested_at TEXT NOT NULL
        );
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,         -- date-ordered, see module docstring
            document_id INTEGER NOT NULL REFERENCES documents(id),
            seq INTEGER NOT NULL,           -- position of the unit in its document
            kind TEXT NOT NULL,             -- article | continuation | fragment | caption
            title TEXT NOT NULL DEFAULT '',
            subtitle TEXT NOT NULL DEFAULT '',
            kicker TEXT NOT NULL DEFAULT '',
            section TEXT NOT NULL DEFAULT '',
            dateline TEXT NOT NULL DEFAULT '',
            byline TEXT NOT NULL DEFAULT '[]',   -- JSON [{name, role}]
            subheads TEXT NOT NULL DEFAULT '[]', -- JSON [str]
            body TEXT NOT NULL DEFAULT '',
            continued_from TEXT NOT NULL DEFAULT '',
            continued_to TEXT NOT NULL DEFAULT '',
            line_start INTEGER NOT NULL DEFAULT 0,
            line_end INTEGER NOT NULL DEFAULT 0,
            part_of INTEGER,                -- article id this unit belongs to, if linked
            date TEXT NOT NULL,
            source TEXT NOT NULL,
            page TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            topic TEXT NOT NULL DEFAULT 'other', -- best topic key
            topics TEXT NOT NULL DEFAULT '[]'    -- JSON [{topic, score}]
        );
        CREATE INDEX articles_document ON articles(document_id);
        CREATE INDEX articles_date ON articles(date);
        CREATE INDEX articles_topic ON articles(topic, id DESC);
        CREATE TABLE mentions (
            article_id INTEGER NOT NULL REFERENCES articles(id),
            adcode TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (article_id, adcode)
        );
        CREATE INDEX mentions_adcode ON mentions(adcode, article_id DESC);
        CREATE TABLE figures (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            seq INTEGER NOT NULL,
            date TEXT NOT NULL,
            adcode TEXT NOT NULL DEFAULT '',
            region TEXT NOT NULL DEFAULT '',
            indicator TEXT NOT NULL,
            value REAL NOT NULL,
            unit TEXT NOT NULL,
            text TEXT NOT NULL,
            qualifier TEXT NOT NULL DEFAULT '',
            period TEXT NOT NULL DEFAULT '',
            sentence TEXT NOT NULL
        );
        CREATE INDEX figures_adcode ON figures(adcode, date DESC);
        CREATE INDEX figures_article ON figures(article_id);
        -- Segmented text (space-separated jieba search tokens); rowid = articles.id.
        CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, tokenize='unicode61');
    """


_CHATS_AND_DELIVERIES = """
        CREATE TABLE chats (
            chat_id INTEGER PRIMARY KEY,
            type TEXT NOT NULL DEFAULT 'private',  -- private | group | supergroup | console
            title TEXT NOT NULL DEFAULT '',
            subscribed INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1,     -- 0 after Forbidden; preferences are kept
            time TEXT NOT NULL DEFAULT '07:30',    -- local delivery time HH:MM
            tz TEXT NOT NULL DEFAULT 'Asia/Shanghai',
            topics TEXT NOT NULL DEFAULT '["county","film","finance"]', -- JSON list of topic keys
            thread_id INTEGER,                     -- forum topic to post into
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE follows (
            chat_id INTEGER NOT NULL REFERENCES chats(chat_id),
            adcode TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (chat_id, adcode)
        );
        CREATE TABLE deliveries (
            chat_id INTEGER NOT NULL,
            edition TEXT NOT NULL,                 -- edition date yyyy-mm-dd
            status TEXT NOT NULL,                  -- pending | sending | sent | failed | skipped
            attempts INTEGER NOT NULL DEFAULT 0,
            parts INTEGER NOT NULL DEFAULT 0,      -- messages in the edition for this chat
            message_ids TEXT NOT NULL DEFAULT '[]',-- JSON list, one per part sent
            last_error TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (chat_id, edition)
        );
        CREATE INDEX deliveries_status ON deliveries(status);
        CREATE TABLE sent_items (
            chat_id INTEGER NOT NULL,
            article_id INTEGER NOT NULL,
            edition TEXT NOT NULL,
            PRIMARY KEY (chat_id, article_id)
        );
        CREATE INDEX sent_items_edition ON sent_items(chat_id, edition);
        CREATE TABLE editions (
            date TEXT PRIMARY KEY,
            articles INTEGER NOT NULL,
            composed_at TEXT NOT NULL
        );
    """


_FEEDS = """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT '',          -- rss20 | rss10 | atom10 | json1.1 … once read
            source TEXT NOT NULL DEFAULT '',        -- paper name recorded on items; '' = feed title
            enabled INTEGER NOT NULL DEFAULT 1,
            removed INTEGER NOT NULL DEFAULT 0,     -- hidden, never polled, never re-seeded
            origin TEXT NOT NULL DEFAULT 'cli',     -- cli | bot | toml
            last_status TEXT NOT NULL DEFAULT '',   -- one line: what the last poll did or why not
            etag TEXT NOT NULL DEFAULT '',
            last_modified TEXT NOT NULL DEFAULT '',
            last_checked TEXT NOT NULL DEFAULT '',  -- UTC ISO times
            last_success TEXT NOT NULL DEFAULT '',
            failures INTEGER NOT NULL DEFAULT 0,    -- consecutive
            next_poll TEXT NOT NULL DEFAULT '',     -- '' = due now
            items INTEGER NOT NULL DEFAULT 0,       -- items stored from it, all time
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE feed_items (
            source_id INTEGER NOT NULL REFERENCES sources(id),
            ident TEXT NOT NULL,                    -- guid, else link, else title|date
            doc_key TEXT NOT NULL,                  -- documents.key it is stored under
            sha256 TEXT NOT NULL,                   -- of title + text as read
            status TEXT NOT NULL,                   -- stored | duplicate
            document_id INTEGER,                    -- its document, or the one kept instead
            date TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            PRIMARY KEY (source_id, ident)
        );
        CREATE INDEX feed_items_sha256 ON feed_items(sha256);
        CREATE INDEX feed_items_doc_key ON feed_items(doc_key);
    """


MIGRATIONS: list[Migration] = [
    ("0001_documents_and_articles", _DOCUMENTS_AND_ARTICLES),
    ("0002_chats_and_deliveries", _CHATS_AND_DELIVERIES),
    # Region names on mentions, so bundles show 缙云 without loading the gazetteer.
    (
        "0003_mention_names",
        """
            ALTER TABLE mentions ADD COLUMN name TEXT NOT NULL DEFAULT '';
            ALTER TABLE mentions ADD COLUMN level TEXT NOT NULL DEFAULT ''
        """,
    ),
    # Documents are keyed by content as well as by name (the same text under a second key is
    # a duplicate), and files already ingested are recognised by their bytes before parsing.
    (
        "0012_ingest_content_keys",
        """
            CREATE INDEX documents_sha256 ON documents(sha256);
            CREATE TABLE ingested_files (
                sha256 TEXT PRIMARY KEY,        -- of the file's bytes
                size INTEGER NOT NULL,
                path TEXT NOT NULL,             -- where it was last read from (for people)
                documents TEXT NOT NULL,        -- JSON [[document key, text sha256], ...]
                ingested_at TEXT NOT NULL
            )
        """,
    ),
    # Whose figure it is, its role (current, from, goal, each, shared) and whether it may be
    # shown as a figure line; figures stored before this are not confident until re-ingested.
    (
        "0010_figures_subject_role",
        """
            ALTER TABLE figures ADD COLUMN subject TEXT NOT NULL DEFAULT '';
            ALTER TABLE figures ADD COLUMN role TEXT NOT NULL DEFAULT 'current';
            ALTER TABLE figures ADD COLUMN confident INTEGER NOT NULL DEFAULT 0
        """,
    ),
    # Feed sources polled on a schedule (briefings/sources.py) and the items read from them
    # (briefings/feedstore.py): what makes a second fetch, or a restart, add nothing.
    ("0013_feeds_sources", _FEEDS),
    # Delivery: the claimed parts themselves (a resume sends exactly them), retry state, and
    # the one-deliverer-at-a-time lock (docs/delivery.md, docs/reliability.md).
    (
        "0011_delivery_claimed_parts_retries_lock",
        """
            -- The parts fixed at claim time (JSON list of HTML) and the articles they show.
            ALTER TABLE deliveries ADD COLUMN part_texts TEXT NOT NULL DEFAULT '';
            ALTER TABLE deliveries ADD COLUMN article_ids TEXT NOT NULL DEFAULT '[]';
            -- Retry state of a pending row (UTC ISO times): next try, and no try after stale_at.
            ALTER TABLE deliveries ADD COLUMN next_attempt_at TEXT NOT NULL DEFAULT '';
            ALTER TABLE deliveries ADD COLUMN stale_at TEXT NOT NULL DEFAULT '';
            CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);
            CREATE TABLE delivery_lock (
                name TEXT PRIMARY KEY,            -- 'delivery': one deliverer per database
                owner TEXT NOT NULL,              -- unique per deliverer instance
                kind TEXT NOT NULL,               -- bot | push
                pid INTEGER NOT NULL,
                host TEXT NOT NULL,
                acquired_at TEXT NOT NULL,
                heartbeat_at TEXT NOT NULL,
                expires_at TEXT NOT NULL          -- UTC ISO; a holder that stops beating loses it
            );
        """,
    ),
    # Lines printed after an article's text that are not part of it, kept as printed: author
    # notes (（作者为…）), photo and graphics credits, sources, signatures (…讲述 / …整理).
    (
        "0014_parse_article_notes",
        "ALTER TABLE articles ADD COLUMN notes TEXT NOT NULL DEFAULT '[]'",  # JSON [str]
    ),
    # Charts: the comparable indicator of each figure (briefings/comparable.py; NULL for a
    # plain figure, so that the indexes hold only comparable ones), filled at ingest and here
    # for figures stored before; the indexes make /rank one seek per county and /compare one
    # per indicator (docs/comparable.md). A change of the vocabulary appends a migration that
    # runs the same UPDATE again.
    (
        "0015_charts_canonical",
        """
            ALTER TABLE figures ADD COLUMN canonical TEXT;
            UPDATE figures SET canonical =
                nullif(canonical_indicator(indicator, subject, unit, period, role, confident), '');
            CREATE INDEX figures_canonical ON figures(canonical, adcode, date DESC, article_id DESC)
                WHERE canonical IS NOT NULL;
            CREATE INDEX figures_county_canonical
                ON figures(adcode, canonical, date DESC, article_id DESC)
                WHERE canonical IS NOT NULL
        """,
    ),
    # Whole articles (briefings/stories.py): the read paths follow ``part_of`` down from a host
    # to its parts, and ingest links continuations across the pages of one issue
    # (briefings/continuations.py), looking only at units that carry a continuation mark.
    (
        "0016_reader_part_links",
        """
            CREATE INDEX articles_part_of ON articles(part_of) WHERE part_of IS NOT NULL;
            CREATE INDEX articles_jumps ON articles(date, source)
                WHERE continued_from != '' OR continued_to != '';
            CREATE INDEX documents_issue ON documents(date, source)
        """,
    ),
    # Interface language per chat (briefings/chats.py): ``lang`` is the chat's /language choice
    # ('' = follow each reader's Telegram language); ``seen_lang`` the language of the last
    # reader who wrote in it, which a scheduled digest (no sender) is written in.
    (
        "0017_i18n_chat_language",
        """
            ALTER TABLE chats ADD COLUMN lang TEXT NOT NULL DEFAULT '';
            ALTER TABLE chats ADD COLUMN seen_lang TEXT NOT NULL DEFAULT ''
        """,
    ),
]


def _statements(script: str) -> list[str]:
    lines = [ln.split("--", 1)[0] for ln in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception; nests as a no-op inside another.

    Works whatever the connection's isolation_level, unlike ``with conn:``.
    """
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sql_functions(conn: sqlite3.Connection) -> None:
    """Python functions migrations call (a figure's comparable indicator, 0015_charts_canonical)."""
    from briefings.comparable import canonical_indicator

    conn.create_function("canonical_indicator", 6, canonical_indicator, deterministic=True)


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations in order; return the names applied. Safe to call on every open."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}
    _sql_functions(db.conn)
    applied = []
    for name, script in MIGRATIONS:
        if name in done:
            continue
        with transaction(db.conn) as conn:
            # One statement at a time: executescript() would COMMIT our transaction first.
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (name, now_iso())
            )
        applied.append(name)
    return applied
