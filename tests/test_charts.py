"""Charts drawn for real: PNG size, Chinese labels read back from the SVG and from matplotlib's
text objects, no overlapping labels, no missing glyphs (any matplotlib warning fails: pytest
runs with filterwarnings=error), the render cache, and too-sparse data becoming text."""

from __future__ import annotations

import asyncio
import re
import warnings
from datetime import date
from itertools import combinations
from pathlib import Path

import pytest

from bot.chart_commands import ChartRenderer
from briefings import chart_specs, charts
from briefings import ranking as R
from briefings.comparable import lookup
from briefings.pipeline import ingest_paths
from briefings.store import Store

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_page_2026-04-15.txt"
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    with Store.open(tmp_path_factory.mktemp("charts") / "c.db") as s:
        ingest_paths(s, [SAMPLE])
        yield s


@pytest.fixture(scope="module")
def gdp_chart(store) -> charts.BarChart:
    ind = lookup("GDP")
    ranking = R.rank(ind, R.latest_entries(store.conn, ind.key), keep=lambda a: a[4:] != "00")
    chart = chart_specs.ranking_chart(ranking)
    assert chart is not None
    return chart


def series_chart(n: int = 11) -> charts.SeriesChart:
    growth = tuple(
        charts.Point(date(2025, m, 28), 8 + m * 1.1, f"{8 + m * 1.1:.1f}%") for m in range(1, n + 1)
    )
    gdp = (
        charts.Point(date(2024, 12, 31), 2.9e11, "2900亿元"),
        charts.Point(date(2025, 12, 31), 3.1e11, ">3100亿元"),
    )
    return charts.SeriesChart(
        "缙云：主要指标走势",
        (
            charts.Panel("规上工业增加值增速", growth, "%", 1.0),
            charts.Panel("地区生产总值（GDP）", gdp, "亿元", 1e8, ((3.5e11, "目标 3500亿元"),)),
        ),
        "来源：浙江日报，2025-01-28 至 2026-04-15",
    )


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def texts_and_boxes(chart: charts.Chart) -> list[tuple[str, object]]:
    """Every visible, non-empty text of the laid-out figure with its box in pixels."""
    from matplotlib.text import Text

    with charts.styled():
        fig = charts.figure(chart)
        renderer = fig.canvas.get_renderer()
        fig.canvas.draw()
        out = []
        for t in fig.findobj(Text):
            if t.get_visible() and t.get_text().strip() and _inside(t, fig, renderer):
                out.append((t.get_text(), t.get_window_extent(renderer)))
        return out


def _inside(t, fig, renderer) -> bool:
    box = t.get_window_extent(renderer)
    return box.x1 > 0 and box.y1 > 0 and box.x0 < fig.bbox.width and box.y0 < fig.bbox.height


def test_gdp_bar_chart_is_a_phone_sized_png_with_every_county(gdp_chart) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = charts.render(gdp_chart)
    assert not [w for w in caught if "missing" in str(w.message).lower()], caught
    width, height = png_size(png)
    assert 900 <= width <= 1280
    assert 400 <= height <= 20 * width
    texts = [t for t, _ in texts_and_boxes(gdp_chart)]
    for county in ("余杭", "北仑", "慈溪", "鄞州"):
        assert county in texts
    assert texts.count(">3000亿元") == 4
    assert any(t.startswith("地区生产总值") for t in texts)
    assert any("来源" in t and "2026-04-15" in t for t in texts)


def test_labels_are_chinese_text_in_the_svg(gdp_chart) -> None:
    svg = charts.render(gdp_chart, fmt="svg").decode("utf-8")
    for word in ("余杭", "鄞州", "地区生产总值", "来源", "亿元"):
        assert word in svg
    assert "Noto Sans CJK SC" in svg


@pytest.mark.parametrize("chart", ["bars", "series", "series_short"])
def test_no_two_labels_overlap(chart: str, gdp_chart) -> None:
    spec = {"bars": gdp_chart, "series": series_chart(), "series_short": series_chart(3)}[chart]
    boxes = texts_and_boxes(spec)
    assert len(boxes) > 8
    for (a, box_a), (b, box_b) in combinations(boxes, 2):
        assert not box_a.overlaps(box_b), (a, b)


def test_series_chart_draws_goals_as_a_labelled_line_not_a_point() -> None:
    with charts.styled():
        fig = charts.figure(series_chart())
        gdp_axes = fig.axes[1]
        (line,) = [ln for ln in gdp_axes.get_lines() if ln.get_marker() == "o"]
        assert list(line.get_ydata()) == [2900.0, 3100.0]
        dashed = [ln for ln in gdp_axes.get_lines() if ln.get_linestyle() == "--"]
        assert [list(d.get_ydata()) for d in dashed] == [[3500.0, 3500.0]]
        assert gdp_axes.get_title(loc="right") == "目标 3500亿元"


def test_every_text_of_a_chart_is_drawable_in_the_cjk_font(gdp_chart) -> None:
    from matplotlib import font_manager

    family = charts.cjk_font()
    path = font_manager.findfont(font_manager.FontProperties(family=family))
    assert path.endswith(charts.FONT_FILE)
    assert all(HAN.search(t) or t.isascii() or "—" in t for t, _ in texts_and_boxes(gdp_chart))


def test_same_data_renders_the_same_bytes_and_the_cache_serves_it(gdp_chart, monkeypatch) -> None:
    renderer = ChartRenderer()
    first = asyncio.run(renderer.png(gdp_chart))
    assert first is not None
    calls = []
    monkeypatch.setattr(charts, "render", lambda c: calls.append(c) or b"")
    again = asyncio.run(renderer.png(gdp_chart))
    assert again == first
    assert calls == []


def test_renderer_refuses_work_beyond_its_bound(gdp_chart) -> None:
    renderer = ChartRenderer(max_pending=0)
    assert asyncio.run(renderer.png(gdp_chart)) is None


def test_too_sparse_data_gives_no_chart(store) -> None:
    ind = lookup("制造业投资增速")
    ranking = R.rank(ind, R.latest_entries(store.conn, ind.key))
    assert len(ranking.rows) == 1
    assert chart_specs.ranking_chart(ranking) is None
    kecheng = R.county_entries(store.conn, "330802", per_key=60)
    assert chart_specs.county_chart("柯城", kecheng) is None


def test_county_chart_has_one_panel_per_indicator_with_two_periods(tmp_path: Path) -> None:
    from briefings.pipeline import ingest_bytes

    page = "本报讯 今年一季度,柯城区规上工业增加值增长21.3%。"
    with Store.open(tmp_path / "k.db") as store:
        ingest_paths(store, [SAMPLE])
        ingest_bytes(store, "kecheng_2026-05-02.txt", page.encode())
        entries = R.county_entries(store.conn, "330802", per_key=60)
    chart = chart_specs.county_chart("柯城", entries)
    assert chart is not None
    (panel,) = chart.panels
    assert [p.text for p in panel.points] == ["19.7%", "21.3%"]
    assert png_size(charts.render(chart))[0] >= 900
