"""Author notes, credits, sources and signatures are stored with their article, apart from its
text: migration 0014_parse_article_notes adds ``articles.notes`` (JSON), ``StoredArticle.notes``
reads it back, and nothing a reply shows as the article's text contains a note."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from bot.cards import article_messages
from briefings.migrations import MIGRATIONS, migrate
from briefings.models import AnalyzedUnit, Document
from briefings.parsing import parse_page
from briefings.store import Store

PAGES = Path(__file__).resolve().parent / "pages"


def _document(text: str) -> Document:
    return Document(
        kind="page", text=text, source="浙江日报", date="2026-03-05", page="3", key="浙江日报|3"
    )


def test_notes_migration_is_appended_and_adds_a_json_column(tmp_path: Path) -> None:
    names = [name for name, _ in MIGRATIONS]
    # Appended after the schema it alters, never edited into an earlier migration.
    assert names.index("0014_parse_article_notes") > names.index("0001_documents_and_articles")
    with Store.open(tmp_path / "b.db") as store:
        columns = {row[1]: row for row in store.conn.execute("PRAGMA table_info(articles)")}
    assert columns["notes"][2] == "TEXT"
    assert columns["notes"][4] == "'[]'"


def test_articles_stored_before_the_migration_read_back_with_no_notes(tmp_path: Path) -> None:
    import briefings.migrations as m

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    saved = list(m.MIGRATIONS)
    before = [name for name, _ in saved].index("0014_parse_article_notes")
    m.MIGRATIONS[:] = saved[:before]  # the schema as it was before this migration
    try:
        migrate(db)
    finally:
        m.MIGRATIONS[:] = saved
    db["documents"].insert(
        {"id": 1, "key": "k", "kind": "page", "source": "浙江日报", "date": "2026-03-05",
         "sha256": "x", "ingested_at": "2026-03-05T00:00:00"}
    )  # fmt: skip
    db["articles"].insert(
        {"id": 7, "document_id": 1, "seq": 0, "kind": "article", "title": "旧稿件",
         "body": "正文。", "date": "2026-03-05", "source": "浙江日报"}
    )  # fmt: skip
    db.conn.commit()
    db.conn.close()
    with Store.open(path) as store:  # opening applies the notes migration
        old = store.article(7)
    assert old is not None
    assert (old.title, old.notes) == ("旧稿件", ())


def test_notes_round_trip_and_never_join_the_body(tmp_path: Path) -> None:
    text = (PAGES / "told_and_signed.txt").read_text(encoding="utf-8")
    units = parse_page(text)
    with Store.open(tmp_path / "b.db") as store:
        store.save_document(_document(text), [AnalyzedUnit(u) for u in units])
        stored = store.articles_on("2026-03-05")
    assert [b.article.notes for b in stored] == [tuple(u.notes) for u in units]
    lead = stored[0].article
    assert "丽水市松阳县新兴镇茶农王大山讲述" in lead.notes
    for bundle in stored:
        for note in bundle.article.notes:
            assert note not in bundle.article.body
            assert all(note not in r.text for r in article_messages(bundle))


def test_the_notes_column_is_plain_json_for_sqlite3(tmp_path: Path) -> None:
    text = (PAGES / "features_and_pictures.txt").read_text(encoding="utf-8")
    with Store.open(tmp_path / "b.db") as store:
        store.save_document(_document(text), [AnalyzedUnit(u) for u in parse_page(text)])
    conn = sqlite3.connect(tmp_path / "b.db")
    try:
        rows = conn.execute(
            "SELECT value FROM articles, json_each(articles.notes) ORDER BY articles.id"
        ).fetchall()
    finally:
        conn.close()
    assert [r[0] for r in rows] == ["（吴晓明  周丽参与采写）", "新华社发", "张  三图  李  四文"]
