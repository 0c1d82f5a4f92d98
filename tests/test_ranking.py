"""Rankings and comparisons from a real store: the sample page ingested, the canonical column
filled at ingest and by migration 0015 for figures stored before it."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefings import ranking as R
from briefings.comparable import lookup
from briefings.pipeline import ingest_bytes, ingest_paths
from briefings.store import Store

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_page_2026-04-15.txt"


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "rank.db") as s:
        ingest_paths(s, [SAMPLE])
        yield s


def _county(adcode: str) -> bool:
    return adcode[4:] != "00"


def gdp(store: Store) -> R.Ranking:
    ind = lookup("GDP")
    return R.rank(ind, R.latest_entries(store.conn, ind.key), keep=_county)


def test_rank_gdp_lists_the_four_counties_over_3000_from_their_own_sentences(store) -> None:
    rows = gdp(store).rows
    assert {r.entry.region for r in rows} == {"余杭", "北仑", "慈溪", "鄞州"}
    for r in rows:
        assert R.display_value(r.entry) == ">3000亿元"
        assert r.rank == 1  # the same lower bound: a tie
        assert r.entry.region in r.entry.figure.sentence
        assert r.entry.date == "2026-04-15"
        assert r.entry.article_id > 0


def test_shared_statement_ranks_each_county_it_names(store) -> None:
    shared = [r.entry for r in gdp(store).rows if r.entry.figure.role == "shared"]
    # 余杭、北仑、慈溪等GDP超3000亿元: 慈溪's own later sentence (去年刚迈过3000亿元门槛的慈溪,
    # whose threshold takes this GDP) is its latest result, with its year.
    assert sorted(e.region for e in shared) == sorted(["余杭", "北仑"])
    assert len({e.figure.sentence for e in shared}) == 1
    (cixi,) = [r.entry for r in gdp(store).rows if r.entry.region == "慈溪"]
    assert cixi.figure.role == "current"
    assert cixi.figure.sentence.startswith("去年刚迈过3000亿元门槛的慈溪")
    assert cixi.when == "2025年"


def test_growth_ranking_orders_by_value_with_periods(store) -> None:
    ind = lookup("规上工业增加值增速")
    ranking = R.rank(ind, R.latest_entries(store.conn, ind.key), keep=_county)
    assert [(r.rank, r.entry.region, r.entry.figure.value) for r in ranking.rows] == [
        (1, "柯城", 19.7),
        (2, "义乌", 13.1),
    ]
    assert all(r.entry.when == "2026年1-2月" for r in ranking.rows)


def test_goals_are_kept_apart_and_never_ranked(store) -> None:
    ind = lookup("人工智能核心产业营收")
    ranking = R.rank(ind, R.latest_entries(store.conn, ind.key), keep=_county)
    assert ranking.rows == []
    assert [g.region for g in ranking.goals] == ["余杭"]
    latest = R.latest_by_indicator(R.county_entries(store.conn, "330110"))
    assert latest[ind.key].result is None
    assert latest[ind.key].goal is not None


def test_scope_by_adcode_prefix(store) -> None:
    ind = lookup("GDP")
    assert {e.region for e in R.latest_entries(store.conn, ind.key, "3302")} == {
        "北仑",
        "鄞州",
        "慈溪",
    }
    assert R.latest_entries(store.conn, ind.key, "11") == []


def test_a_later_report_replaces_the_earlier_in_the_ranking(store) -> None:
    page = "本报讯 2026年一季度,余杭区实现地区生产总值980亿元。去年,余杭区地区生产总值3300亿元。"
    ingest_bytes(store, "yuhang_2026-05-01.txt", page.encode())
    ranking = gdp(store)
    yuhang = [r for r in ranking.rows if r.entry.region == "余杭"]
    assert [R.display_value(r.entry) for r in yuhang] == ["3300亿元"]
    assert yuhang[0].rank == 1  # 3300 ranks above the lower bounds of 3000
    assert [r.entry.figure.text for r in ranking.part_year] == ["980亿元"]


def test_a_level_series_never_mixes_whole_years_with_parts(store) -> None:
    page = "本报讯 2026年一季度,余杭区实现地区生产总值980亿元。去年,余杭区地区生产总值3300亿元。"
    ingest_bytes(store, "yuhang_2026-05-01.txt", page.encode())
    ind = lookup("GDP")
    entries = [e for e in R.county_entries(store.conn, "330110", per_key=60) if e.key == "gdp"]
    points = R.series(ind, entries).points
    assert all(p.annual for p in points)
    assert len(points) == 2


def test_migration_fills_the_column_for_figures_stored_before_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store.open(path) as s:
        ingest_paths(s, [SAMPLE])
        s.conn.executescript(
            "DROP INDEX figures_canonical; DROP INDEX figures_county_canonical;"
            "ALTER TABLE figures DROP COLUMN canonical;"
            "DELETE FROM _migrations WHERE name = '0015_charts_canonical';"
        )
    with Store.open(path) as s:
        keys = dict(
            s.conn.execute(
                "SELECT region, canonical FROM figures WHERE canonical = 'gdp'"
            ).fetchall()
        )
        assert set(keys) == {"余杭", "北仑", "慈溪", "鄞州"}
        (plain,) = s.conn.execute("SELECT count(*) FROM figures WHERE canonical IS NULL").fetchone()
        assert plain > 0
        assert R.known_keys(s.conn)


def test_plain_figures_are_not_indexed(store) -> None:
    (n,) = store.conn.execute("SELECT count(*) FROM figures WHERE canonical IS NOT NULL").fetchone()
    (total,) = store.conn.execute("SELECT count(*) FROM figures").fetchone()
    assert 0 < n < total
    plan = store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM figures WHERE canonical = 'gdp' AND adcode = '330110'"
    ).fetchall()
    assert "figures_c" in str(plan)
