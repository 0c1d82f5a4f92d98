"""The SQLite store: round trip, idempotent and atomic ingest, reads, and a plain-sqlite3 file."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
from dataclasses import replace
from datetime import date as Date
from pathlib import Path

import pytest

from briefings import segment
from briefings.errors import InvalidArgument
from briefings.models import (
    AnalyzedUnit,
    Document,
    Figure,
    Person,
    Region,
    RegionMention,
    TopicScore,
    Unit,
)
from briefings.store import DEFAULT_DB, ID_SPAN, Store, db_path, id_base

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_page_2026-04-15.txt"
LINES = SAMPLE.read_text(encoding="utf-8").splitlines()

JINYUN = Region("331122", "缙云县", "缙云", "county", "331100", "浙江省", "丽水市")
KECHENG = Region("330802", "柯城区", "柯城", "county", "330800", "浙江省", "衢州市")
YIWU = Region("330782", "义乌市", "义乌", "county", "330700", "浙江省", "金华市")
SHAOXING = Region("330600", "绍兴市", "绍兴", "city", "330000", "浙江省", "")
SHANGCHENG = Region("330102", "上城区", "上城", "county", "330100", "浙江省", "杭州市")


def line(n: int) -> str:
    """Line ``n`` (1-based) of the sample page, stripped."""
    return LINES[n - 1].strip()


def paragraphs(start: int, end: int, skip: tuple[int, ...] = ()) -> list[str]:
    return [line(n) for n in range(start, end + 1) if line(n) and n not in skip]


def mention(region: Region, text: str) -> RegionMention:
    return RegionMention(region, text.count(region.short))


def sample_units() -> list[AnalyzedUnit]:
    """Four articles of the sample page, analysed by hand (regions, figures, topics)."""
    lead = Unit(
        kind="article",
        kicker=line(5),
        title=line(7),
        byline=[Person("郑亚丽", "本报记者"), Person("刘磊", "通讯员")],
        subheads=[line(21), line(43), line(71)],
        paragraphs=paragraphs(13, 95, skip=(21, 43, 71)),
        line_start=5,
        line_end=95,
    )
    finance = Unit(kind="article", title=line(121), paragraphs=paragraphs(123, 131))
    shangcheng = Unit(kind="article", title=line(133), paragraphs=paragraphs(135, 143))
    film = Unit(kind="continuation", title=line(109), paragraphs=paragraphs(111, 119))
    industrial = Figure(
        indicator="规上工业总产值",
        value=1e11,
        unit="元",
        text="1000亿元以上",
        sentence=line(17),
    )
    jinyun_fig = Figure(
        indicator="规上工业增加值增速",
        value=19.7,
        unit="%",
        text="19.7%",
        region="缙云",
        adcode=JINYUN.adcode,
        sentence="缙云规上工业增加值增速19.7%",
    )
    return [
        AnalyzedUnit(
            lead,
            regions=[mention(r, lead.body) for r in (JINYUN, KECHENG, YIWU)],
            figures=[industrial, jinyun_fig],
            topics=[TopicScore("county", 0.9), TopicScore("finance", 0.2)],
        ),
        AnalyzedUnit(
            finance,
            regions=[mention(SHAOXING, finance.body)],
            topics=[TopicScore("finance", 0.8)],
        ),
        AnalyzedUnit(
            shangcheng,
            regions=[mention(SHANGCHENG, shangcheng.title + shangcheng.body)],
            topics=[TopicScore("county", 0.5), TopicScore("finance", 0.5)],
        ),
        AnalyzedUnit(film, topics=[TopicScore("film", 0.7)]),
    ]


def page(date: str = "2026-04-15", text: str | None = None, key: str | None = None) -> Document:
    return Document(
        kind="page",
        # A different text per date: the same text under two keys is one document.
        text=SAMPLE.read_text(encoding="utf-8") + f"\n{date}\n" if text is None else text,
        source="浙江日报",
        date=date,
        page="1",
        key=key or f"浙江日报|{date}|1",
    )


def dump(path: Path) -> list[str]:
    """Every row of every table (FTS shadow tables included), read by a separate connection."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "briefings.db") as s:
        yield s


def test_round_trip_keeps_every_field(store: Store) -> None:
    units = sample_units()
    result = store.save_document(page(), units)
    assert (result.status, result.articles, result.figures) == ("added", 4, 2)

    stored = store.articles_on("2026-04-15")
    assert [b.article.title for b in stored] == [au.unit.title for au in units]
    lead = stored[0]
    assert lead.article.id == id_base("2026-04-15") + 1
    assert lead.article.body == units[0].unit.body
    assert lead.article.kicker == line(5)
    assert lead.article.byline == (Person("郑亚丽", "本报记者"), Person("刘磊", "通讯员"))
    assert lead.article.subheads == (line(21), line(43), line(71))
    assert (lead.article.line_start, lead.article.line_end) == (5, 95)
    assert lead.article.topics == (TopicScore("county", 0.9), TopicScore("finance", 0.2))
    assert lead.figures == tuple(units[0].figures)
    # Regions come back most-mentioned first, with their short names.
    counts = {r.adcode: r.count for r in lead.regions}
    assert counts == {m.region.adcode: m.count for m in units[0].regions}
    assert [r.count for r in lead.regions] == sorted(counts.values(), reverse=True)
    assert {r.name for r in lead.regions} == {"缙云", "柯城", "义乌"}


def test_part_of_index_becomes_article_id_and_reads_join_the_parts(store: Store) -> None:
    units = sample_units()
    units[3].unit.part_of = 0  # the film block is a part of the lead article
    store.save_document(page(), units)
    lead_id = id_base("2026-04-15") + 1
    (part_of,) = store.conn.execute(
        "SELECT part_of FROM articles WHERE title = ?", (line(109),)
    ).fetchone()
    assert part_of == lead_id
    # Every read path meets one article: the host with its part's text after its own.
    stored = store.articles_on("2026-04-15")
    assert [b.article.title for b in stored] == [au.unit.title for au in units[:3]]
    lead = stored[0].article
    assert lead.body == units[0].unit.body + "\n" + units[3].unit.body
    assert lead.ids == (lead_id, lead_id + 3)
    assert lead.subheads[-1] == line(109)  # the part's title reads as a sub-head
    assert store.article(lead_id + 3) == lead
    assert [h.article.id for h in store.search("电影").items] == [lead_id]


def test_same_document_twice_is_unchanged_and_writes_nothing(store: Store) -> None:
    first = store.save_document(page(), sample_units())
    before = dump(store.path)
    again = store.save_document(page(), sample_units())
    assert again.status == "unchanged"
    assert (again.articles, again.figures, again.document_id) == (
        first.articles,
        first.figures,
        first.document_id,
    )
    assert dump(store.path) == before


def test_new_text_under_same_key_replaces_old_rows(store: Store) -> None:
    store.save_document(page(), sample_units())
    old_ids = [b.article.id for b in store.articles_on("2026-04-15")]
    new_unit = AnalyzedUnit(
        Unit(kind="article", title="更正", paragraphs=["缙云县发布更正后的烧饼产业数据。"]),
        regions=[RegionMention(JINYUN, 1)],
    )
    result = store.save_document(page(text="更正后的版面"), [new_unit])

    assert (result.status, result.articles, result.figures) == ("replaced", 1, 0)
    (versions,) = store.conn.execute("SELECT versions FROM documents").fetchone()
    assert versions == 2
    stored = store.articles_on("2026-04-15")
    assert [b.article.title for b in stored] == ["更正"]
    # Fresh ids: a chat that was sent an old article never mistakes the new one for it.
    assert stored[0].article.id not in old_ids
    assert store.search("保贷联动").total == 0
    assert [h.article.id for h in store.search("更正").items] == [stored[0].article.id]
    assert store.stats()["figures"] == 0
    assert store.stats()["mentions"] == 1
    assert store.county_figures(JINYUN.adcode) == []


def test_failure_before_writing_leaves_database_unchanged(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save_document(page("2026-04-14"), sample_units()[:1])
    before = dump(store.path)
    real = segment.cut_for_search
    calls = []

    def flaky(text: str) -> list[str]:
        calls.append(text)
        if len(calls) == 3:  # heading and body of the first unit, then the second unit fails
            raise RuntimeError("segmenter crashed")
        return real(text)

    monkeypatch.setattr(segment, "cut_for_search", flaky)
    with pytest.raises(RuntimeError, match="segmenter crashed"):
        store.save_document(page(), sample_units())
    assert dump(store.path) == before


def test_failure_midway_through_replacement_rolls_everything_back(store: Store) -> None:
    store.save_document(page(), sample_units())
    before = dump(store.path)
    # Fail on the second figure row: the old articles are already deleted by then.
    store.conn.execute(
        "CREATE TEMP TRIGGER fail_second_figure BEFORE INSERT ON main.figures "
        "WHEN NEW.seq = 1 BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="injected failure"):
        store.save_document(page(text="第二版"), sample_units())
    assert not store.conn.in_transaction
    assert dump(store.path) == before
    assert store.search("保贷联动").total == 1
    # The store stays usable after the rollback.
    store.conn.execute("DROP TRIGGER temp.fail_second_figure")
    assert store.save_document(page(text="第二版"), sample_units()).status == "replaced"


def test_ids_follow_dates_so_rowid_order_is_newest_first(store: Store) -> None:
    units = sample_units()
    store.save_document(page("2026-04-15"), units[:2])
    store.save_document(page("2026-04-13"), units[:1])
    store.save_document(page("2026-04-15", text="第二版", key="浙江日报|2026-04-15|2"), units[2:])
    ids = [b.article.id for b in store.articles_on("2026-04-15")]
    day = (Date(2026, 4, 15) - Date(1970, 1, 1)).days
    assert ids == [day * ID_SPAN + n for n in (1, 2, 3, 4)]
    assert [a.date for a in store.county_articles(JINYUN.adcode)] == ["2026-04-15", "2026-04-13"]
    assert store.dates() == ["2026-04-15", "2026-04-13"]
    assert store.latest_date() == "2026-04-15"
    assert store.last_mention_date(JINYUN.adcode) == "2026-04-15"
    assert store.last_mention_date("999999") is None


def test_undated_documents_get_day_zero_ids_and_no_date(store: Store) -> None:
    doc = Document(kind="article", text="无日期稿件", source="测试", date="", key="x")
    store.save_document(doc, sample_units()[1:2])
    (aid,) = store.conn.execute("SELECT id FROM articles").fetchone()
    assert 0 < aid < ID_SPAN
    assert store.dates() == []
    assert store.latest_date() is None


def test_malformed_date_is_rejected_before_any_write(store: Store) -> None:
    before = dump(store.path)
    with pytest.raises(InvalidArgument):
        store.save_document(page("2026-13-40"), sample_units())
    assert dump(store.path) == before


def test_county_reads_come_newest_first(store: Store) -> None:
    units = sample_units()
    store.save_document(page("2026-04-10"), units[:1])
    store.save_document(page("2026-04-15"), units[:1])
    figures = store.county_figures(JINYUN.adcode)
    assert [(f.date, f.figure.text) for f in figures] == [
        ("2026-04-15", "19.7%"),
        ("2026-04-10", "19.7%"),
    ]
    assert {f.source for f in figures} == {"浙江日报"}
    assert store.county_articles(JINYUN.adcode, limit=1)[0].date == "2026-04-15"
    assert store.mention_counts()[JINYUN.adcode] == 2
    assert store.county_articles("000000") == []


def test_topic_bundles_use_best_topic(store: Store) -> None:
    store.save_document(page(), sample_units())
    finance = store.topic_bundles("finance")
    assert [b.article.title for b in finance] == [line(121)]
    assert finance[0].regions[0].name == "绍兴"
    # A tie between county and finance goes to county, the earlier topic.
    assert [b.article.title for b in store.topic_bundles("county")] == [line(133), line(7)]


def test_bundles_keep_requested_order_and_skip_unknown_ids(store: Store) -> None:
    store.save_document(page(), sample_units())
    ids = [b.article.id for b in store.articles_on("2026-04-15")]
    got = store.bundles([ids[2], 12345, ids[0]])
    assert [b.article.id for b in got] == [ids[2], ids[0]]
    assert store.bundle(12345) is None
    assert store.article(ids[1]).title == line(121)


def test_stats_count_rows(store: Store) -> None:
    store.save_document(page(), sample_units())
    stats = store.stats()
    assert stats["documents"] == 1
    assert stats["articles"] == 4
    assert stats["figures"] == 2
    assert stats["mentions"] == 5
    assert stats["subscribers"] == 0
    assert stats["deliveries_pending"] == 0


def test_file_is_searchable_with_plain_sqlite3(store: Store) -> None:
    store.save_document(page(), sample_units())
    lead_id = store.articles_on("2026-04-15")[0].article.id
    store.close()
    conn = sqlite3.connect(store.path)
    rows = conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH '缙云' ORDER BY rowid DESC"
    ).fetchall()
    conn.close()
    assert rows == [(lead_id,)]


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="sqlite3 command-line tool missing")
def test_file_is_searchable_with_sqlite3_cli(store: Store) -> None:
    store.save_document(page(), sample_units())
    store.close()
    out = subprocess.run(
        [
            "sqlite3",
            str(store.path),
            "SELECT title FROM articles WHERE id IN "
            "(SELECT rowid FROM articles_fts WHERE articles_fts MATCH '保贷 AND 联动')",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == line(121)


def test_db_path_prefers_explicit_then_env_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIEFINGS_DB", raising=False)
    assert db_path(None) == DEFAULT_DB
    monkeypatch.setenv("BRIEFINGS_DB", str(tmp_path / "env.db"))
    assert db_path(None) == tmp_path / "env.db"
    assert db_path(str(tmp_path / "cli.db")) == tmp_path / "cli.db"
    with Store.open(db_path(None)) as s:
        s.save_document(page(), sample_units()[:1])
    assert (tmp_path / "env.db").exists()


def test_reopening_keeps_data_and_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    with Store.open(path) as s:
        s.save_document(page(), sample_units())
    with Store.open(path) as s:
        assert s.stats()["articles"] == 4
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


async def test_store_serves_concurrent_worker_threads(store: Store) -> None:
    units = sample_units()

    def ingest(day: int) -> str:
        return store.save_document(page(f"2026-04-{day:02d}"), units).status

    calls = [asyncio.to_thread(ingest, day) for day in range(1, 9)]
    calls += [asyncio.to_thread(store.search, "缙云") for _ in range(16)]
    calls += [asyncio.to_thread(store.county_articles, JINYUN.adcode) for _ in range(16)]
    results = await asyncio.gather(*calls)
    assert results[:8] == ["added"] * 8
    assert store.stats()["articles"] == 32
    assert store.search("缙云").total == 8
    # Every date got its own contiguous block of ids.
    ids = [b.article.id for b in store.articles_on("2026-04-03")]
    assert ids == [id_base("2026-04-03") + n for n in (1, 2, 3, 4)]


def test_duplicate_region_mentions_are_summed(store: Store) -> None:
    au = sample_units()[1]
    twice = replace(au, regions=[RegionMention(SHAOXING, 2), RegionMention(SHAOXING, 3)])
    store.save_document(page(), [twice])
    (bundle,) = store.articles_on("2026-04-15")
    assert [(r.adcode, r.count) for r in bundle.regions] == [(SHAOXING.adcode, 5)]


@pytest.mark.parametrize(
    ("query", "title_line"),
    [
        ("缙云", 7),
        ("保贷联动", 121),
        ("知识产权证券化", 7),
        ("人工智能 义乌", 7),
        ("上城", 133),
        ("縉雲", 7),  # traditional characters find the simplified text
        ("ＧＤＰ", 7),  # full-width Latin folds to GDP
        ("电影", 109),
    ],
)
def test_search_finds_article_by_chinese_terms(store: Store, query: str, title_line: int) -> None:
    store.save_document(page(), sample_units())
    result = store.search(query)
    assert [h.article.title for h in result.items] == [line(title_line)]
    assert (result.total, result.total_capped) == (1, False)


def test_search_is_newest_first_and_pages(store: Store) -> None:
    for day in (3, 9, 5):
        store.save_document(page(f"2026-04-{day:02d}"), sample_units())
    first = store.search("缙云", limit=2)
    assert [h.article.date for h in first.items] == ["2026-04-09", "2026-04-05"]
    rest = store.search("缙云", limit=2, offset=2)
    assert [h.article.date for h in rest.items] == ["2026-04-03"]
    assert first.total == rest.total == 3


def test_search_snippet_shows_original_text_around_the_term(store: Store) -> None:
    store.save_document(page(), sample_units())
    (hit,) = store.search("保贷联动").items
    assert "保贷联动" in hit.snippet
    assert hit.snippet.strip("…") in " ".join(hit.article.body.split())


def test_search_count_is_capped(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import briefings.store as store_module

    monkeypatch.setattr(store_module, "COUNT_CAP", 2)
    for day in (1, 2, 3):
        store.save_document(page(f"2026-04-{day:02d}"), sample_units())
    result = store.search("缙云", limit=1)
    assert (result.total, result.total_capped, result.total_label) == (2, True, "2+")
    assert store.search("保贷联动 上城").total == 0


def test_search_with_nothing_searchable_is_an_empty_page(store: Store) -> None:
    store.save_document(page(), sample_units())
    for query in ("", "   ", '"', "*", "——", "🙂", "\x00\x1b"):
        result = store.search(query)
        assert (result.items, result.total, result.total_capped) == ([], 0, False), query


def test_search_pages_show_an_article_once_whichever_parts_match(store: Store) -> None:
    units = sample_units()
    units[3].unit.part_of = 0  # the film block is a part of the lead article
    store.save_document(page(), units)
    first_page = store.search("浙江", limit=1)
    pages = [first_page] + [store.search("浙江", limit=1, offset=n) for n in range(1, 6)]
    shown = [h.article.id for p in pages for h in p.items]
    assert len(shown) == len(set(shown))
    assert set(shown) == {h.article.id for h in store.search("浙江", limit=50).items}
