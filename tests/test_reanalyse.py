"""`bot.py reanalyse`: stored articles get the current analysis; ids and texts never move."""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

import pytest

import briefings.store as store_module
from briefings.pipeline import analyze_unit, bounded_units, ingest_paths
from briefings.reading import documents_from_bytes
from briefings.reanalysis import _UNIT_COLUMNS, reanalyse, unit_from_row
from briefings.store import Store

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample_page_2026-04-15.txt"
_spec = importlib.util.spec_from_file_location("bot_cli_reanalyse", REPO / "bot.py")
assert _spec is not None
assert _spec.loader is not None
cli = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cli)

# One-article files written for these tests: county figures of two Zhejiang counties, one
# dated before the sample page (2026-04-15) and one after it.
KECHENG = (
    "柯城工业经济开门红\n\n"
    "本报衢州4月9日讯(记者 王晓)前两个月,柯城区规上工业增加值增长19.7%,增速居全市第一。"
    "全区完成工业投资12.3亿元,同比增长25.4%。\n\n"
    "柯城区将继续推进产业链招商,培育新兴产业集群。\n"
)
JINYUN = (
    "缙云一季度经济稳中向好\n\n"
    "本报丽水4月19日讯 一季度,缙云县实现地区生产总值68.5亿元,同比增长7.2%。"
    "其中,规上工业增加值增长9.8%,固定资产投资增长15.1%。\n\n"
    "缙云烧饼产业全年实现营收32亿元,带动就业2.5万人。\n"
)
EARLY, LATE = "2026-04-10", "2026-04-20"


@pytest.fixture
def pages(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    early = folder / f"{EARLY}_柯城工业.txt"
    late = folder / f"{LATE}_缙云经济.txt"
    early.write_text(KECHENG, encoding="utf-8")
    late.write_text(JINYUN, encoding="utf-8")
    return [SAMPLE, early, late]


@pytest.fixture
def db(tmp_path: Path, pages: list[Path]) -> Path:
    path = tmp_path / "briefings.db"
    with Store.open(path) as store:
        report = ingest_paths(store, pages)
    assert report.added == 3
    assert not report.errors
    return path


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def derived(path: Path) -> dict[str, list[tuple]]:
    """Every row analysis derives (a figure's own id left out: nothing refers to it)."""
    return {
        "figures": rows(
            path,
            "SELECT article_id, seq, date, adcode, region, indicator, value, unit, text, "
            "qualifier, period, sentence, subject, role, confident, canonical FROM figures "
            "ORDER BY article_id, seq",
        ),
        "mentions": rows(path, "SELECT * FROM mentions ORDER BY article_id, adcode"),
        "topics": rows(path, "SELECT id, topic, topics FROM articles ORDER BY id"),
    }


def texts(path: Path) -> dict[str, list[tuple]]:
    """What must never move: article ids with their text columns, and the full-text rows."""
    return {
        "articles": rows(
            path,
            "SELECT id, document_id, seq, kind, title, subtitle, kicker, section, dateline, "
            "byline, subheads, body, notes, part_of FROM articles ORDER BY id",
        ),
        "fts": rows(path, "SELECT rowid, title, body FROM articles_fts ORDER BY rowid"),
    }


def tamper(path: Path, date: str) -> None:
    """Wrong derived rows for the articles of ``date``: a figure lost, a confidence flipped,
    a mention moved to another county, a topic changed."""
    conn = sqlite3.connect(path)
    with conn:
        ids = "(SELECT id FROM articles WHERE date = ?)"
        conn.execute(
            "DELETE FROM figures WHERE id = "
            f"(SELECT min(id) FROM figures WHERE article_id IN {ids})",
            (date,),
        )
        conn.execute(
            f"UPDATE figures SET confident = 1 - confident WHERE article_id IN {ids}", (date,)
        )
        conn.execute(
            "UPDATE mentions SET adcode = '330102', name = '上城' WHERE rowid = "
            f"(SELECT min(rowid) FROM mentions WHERE article_id IN {ids})",
            (date,),
        )
        conn.execute(f"UPDATE articles SET topic = 'film' WHERE id IN {ids}", (date,))
    conn.close()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_stored_article_rebuilds_the_unit_that_was_analysed(pages):
    for path in pages:
        (doc,) = documents_from_bytes(path.read_bytes(), path)
        units, _ = bounded_units(doc)
        with Store.open(":memory:") as store:
            result = store.save_document(doc, [analyze_unit(u) for u in units])
            stored = store.conn.execute(
                f"SELECT {_UNIT_COLUMNS} FROM articles WHERE document_id = ? ORDER BY seq",
                (result.document_id,),
            ).fetchall()
        assert len(stored) == len(units)
        for unit, row in zip(units, stored, strict=True):
            rebuilt = unit_from_row(row[1:])
            rebuilt.part_of = unit.part_of  # a link between articles, not an analysis input
            assert rebuilt == unit


def test_reanalysing_a_fresh_database_changes_nothing(db, capsys):
    before_rows, before_texts = derived(db), texts(db)
    figure_ids = rows(db, "SELECT id FROM figures ORDER BY id")
    assert any(r[4] == "柯城" and r[14] == 1 for r in before_rows["figures"])
    assert any(r[4] == "缙云" for r in before_rows["figures"])
    code, out, _ = run(capsys, "--db", str(db), "reanalyse")
    assert code == 0
    assert "重新分析 3 篇文档, 10 条稿件" in out
    assert f"数据 {len(figure_ids)} → {len(figure_ids)}" in out
    assert "改写 0 篇文档" in out
    assert derived(db) == before_rows
    assert texts(db) == before_texts
    assert rows(db, "SELECT id FROM figures ORDER BY id") == figure_ids  # nothing rewritten


def test_reanalyse_restores_tampered_rows_and_keeps_ids_and_text(db, capsys):
    fresh, fresh_texts = derived(db), texts(db)
    for date in (EARLY, "2026-04-15", LATE):
        tamper(db, date)
    tampered = derived(db)
    assert tampered["figures"] != fresh["figures"]
    assert tampered["mentions"] != fresh["mentions"]
    assert tampered["topics"] != fresh["topics"]
    code, out, _ = run(capsys, "--db", str(db), "reanalyse")
    assert code == 0
    figures = len(fresh["figures"])
    assert f"数据 {figures - 3} → {figures}" in out
    assert "改写 3 篇文档" in out
    assert derived(db) == fresh
    assert texts(db) == fresh_texts


def test_since_leaves_earlier_documents_alone(db, capsys):
    fresh = derived(db)
    tamper(db, EARLY)
    tamper(db, LATE)
    code, out, _ = run(capsys, "--db", str(db), "reanalyse", "--since", "2026-04-15")
    assert code == 0
    assert "重新分析 2 篇文档" in out
    after = derived(db)
    early_ids = {r[0] for r in rows(db, f"SELECT id FROM articles WHERE date = '{EARLY}'")}
    for table, found in after.items():
        kept = [r for r in found if r[0] not in early_ids]
        assert kept == [r for r in fresh[table] if r[0] not in early_ids]
        assert [r for r in found if r[0] in early_ids] != [
            r for r in fresh[table] if r[0] in early_ids
        ], f"{table} of {EARLY} should still be tampered"


def test_a_failed_write_leaves_the_document_as_it_was(db, monkeypatch):
    tamper(db, LATE)
    tampered = derived(db)
    insert = store_module._insert

    def failing(conn, table, new_rows):
        insert(conn, table, new_rows)
        if table == "figures":
            raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store_module, "_insert", failing)
    with Store.open(db) as store, pytest.raises(sqlite3.OperationalError):
        reanalyse(store, since=LATE)
    assert derived(db) == tampered


def test_a_document_replaced_meanwhile_is_not_written(db):
    tamper(db, LATE)
    tampered = derived(db)
    with Store.open(db) as store:
        (document_id,) = store.conn.execute(
            "SELECT id FROM documents WHERE date = ?", (LATE,)
        ).fetchone()
        assert store.replace_analysis(document_id, "0" * 64, []) is None
    assert derived(db) == tampered


def test_reanalyse_on_a_missing_database_is_an_error_and_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "nope" / "briefings.db"
    code, _out, err = run(capsys, "--db", str(missing), "reanalyse")
    assert code == 1
    assert "数据库不存在" in err
    assert str(missing) in err
    assert len(err.strip().splitlines()) == 1
    assert not missing.exists()
    assert not missing.parent.exists()


def test_malformed_since_is_a_one_line_error(db, capsys):
    code, _, err = run(capsys, "--db", str(db), "reanalyse", "--since", "2026-13-01")
    assert code == 1
    assert "YYYY-MM-DD" in err
    assert len(err.strip().splitlines()) == 1
