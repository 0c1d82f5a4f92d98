"""Ingest writes the documents of several files in one transaction, each in its own savepoint:
what it stores and reports is what writing them one transaction each stores and reports, a
failing document is undone alone, and a batch that cannot be committed is written again one
document at a time. Real files, a real SQLite store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from briefings import pipeline
from briefings.errors import BriefingError
from briefings.pipeline import ingest_paths
from briefings.store import Store

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample_page_2026-04-15.txt"
TABLES = {
    "documents": "SELECT id, key, kind, source, date, page, url, sha256, versions FROM documents",
    "articles": "SELECT * FROM articles",
    "figures": "SELECT * FROM figures",
    "mentions": "SELECT * FROM mentions",
    "articles_fts": "SELECT rowid, title, body FROM articles_fts",
    "ingested_files": "SELECT sha256, size, documents FROM ingested_files",
}
RECORDS = [
    {"title": "缙云规上工业增加值增长", "body": "今年前两个月，缙云县规上工业增加值增长12%。"},
    {"title": "义乌小商品出口", "body": "一季度义乌市出口小商品货值达到1560亿元，同比增长15%。"},
    {"title": "", "body": ""},  # skipped: no title, no body
    {"title": "柯城数字经济", "body": "柯城区数字经济核心产业增加值增长19.7%。"},
    {"title": "缙云规上工业增加值增长", "body": "今年前两个月，缙云县规上工业增加值增长12%。"},
]


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(REPO / "tests" / "pages", folder / "pages")
    for day in range(1, 6):  # the same page on five days: five documents
        (folder / f"page_2026-04-{day:02d}.txt").write_text(
            SAMPLE.read_text("utf-8") + f"\n（第{day}期）\n", "utf-8"
        )
    (folder / "copy_2026-04-01.txt").write_bytes((folder / "page_2026-04-01.txt").read_bytes())
    lines = [json.dumps(r | {"date": "2026-04-15"}, ensure_ascii=False) for r in RECORDS]
    (folder / "crawl.jsonl").write_text("\n".join(lines), "utf-8")
    return folder


def stored(store: Store) -> dict[str, list[tuple]]:
    store.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    return {name: sorted(store.conn.execute(sql).fetchall()) for name, sql in TABLES.items()}


def ingest(tmp_path: Path, name: str, inputs: Path) -> tuple[dict, list[str], dict]:
    with Store.open(tmp_path / f"{name}.db") as store:
        first = ingest_paths(store, [inputs])
        again = ingest_paths(store, [inputs])
        return vars(first), [first.summary(), again.summary()], stored(store)


@pytest.mark.parametrize("batch", [2, 5, 1000])
def test_batches_store_and_report_what_one_document_per_transaction_does(
    tmp_path, inputs, monkeypatch, batch
):
    monkeypatch.setattr(pipeline, "WRITE_BATCH", 1)
    alone = ingest(tmp_path, "alone", inputs)
    monkeypatch.setattr(pipeline, "WRITE_BATCH", batch)
    together = ingest(tmp_path, f"batch{batch}", inputs)
    assert together == alone
    report, summaries, _ = together
    assert report["added"] > 10
    assert report["duplicates"] == 1  # the copied page
    assert "跳过 1 条无效记录" in summaries[0]


def test_a_failing_document_is_undone_alone_and_its_file_stops_there(tmp_path, inputs, monkeypatch):
    real = Store.save_document

    def picky(self, doc, units, **kwargs):
        if doc.title == "义乌小商品出口" or doc.date == "2026-04-03":
            raise BriefingError("存不下")
        return real(self, doc, units, **kwargs)

    monkeypatch.setattr(Store, "save_document", picky)
    with Store.open(tmp_path / "x.db") as store:
        report = ingest_paths(store, [inputs])
        titles = {t for (t,) in store.conn.execute("SELECT title FROM articles")}
        dates = {d for (d,) in store.conn.execute("SELECT date FROM documents")}
        files = store.conn.execute("SELECT count(*) FROM ingested_files").fetchone()[0]
    assert sorted(Path(p).name for p, _ in report.errors) == [
        "crawl.jsonl",
        "page_2026-04-03.txt",
    ]
    assert all(reason == "存不下" for _, reason in report.errors)
    # The record before the failing one stays (it was stored), the ones after it are not read.
    assert "缙云规上工业增加值增长" in titles
    assert "柯城数字经济" not in titles
    assert "2026-04-03" not in dates
    assert "2026-04-04" in dates
    # Failed files are read again next time: no record (the copied page shares one record).
    assert files == report.files - 2 - 1


def test_a_batch_that_cannot_be_committed_is_written_one_document_at_a_time(
    tmp_path, inputs, monkeypatch, caplog
):
    expected = ingest(tmp_path, "plain", inputs)
    real = Store.write_fts
    calls = []

    def flaky(self, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise OSError("disk full, for a moment")
        return real(self, rows)

    monkeypatch.setattr(Store, "write_fts", flaky)
    assert ingest(tmp_path, "flaky", inputs) == expected
    assert "one at a time" in caplog.text
