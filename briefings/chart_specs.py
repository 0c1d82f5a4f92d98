"""What a chart shows, from rankings and a place's figures: titles, bars, points, footers.

Pure data (``briefings.charts`` draws it). A chart with too little to show is ``None``: an
indicator needs two places with a result, a place's chart one indicator with results of two
periods. Goals are passed as dashed lines of their panel, never as points or bars.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from briefings.charts import Bar, BarChart, Panel, Point, SeriesChart, money_scale
from briefings.comparable import Indicator, display_name, indicator_for_key
from briefings.i18n import N_, Translator, translator
from briefings.ranking import Entry, Ranking, date_range, display_value, series, sources

MIN_POINTS = 2
BAR_TITLE = N_("{indicator}：各县（市、区）最新数值")
BAR_TITLE_SCOPED = N_("{indicator}：{scope}各县（市、区）最新数值")
SERIES_TITLE = N_("{place}：主要指标走势")
FOOTER = N_("来源：{sources}，{dates}")
FOOTER_BOUND = N_("斜线柱为下限（>）")
FOOTER_GOALS = N_("目标值未计入")
DATE_RANGE = N_("{first} 至 {last}")
GOAL_LABEL = N_("目标 {value}")
UNDATED = N_("日期不详")


def _scale(ind: Indicator, values: Sequence[float]) -> tuple[float, str]:
    if ind.family == "money":
        scale, unit = money_scale(values)
        return scale, unit if ind.unit == "元" else unit.replace("元", ind.unit)
    return 1.0, ind.unit


def footer(entries: Sequence[Entry], tr: Translator, *extra: str) -> str:
    """来源:浙江日报,2026-04-14 至 2026-04-15 (+ notes)."""
    first, last = date_range(entries)
    if not first:
        dates = tr(UNDATED)
    elif first == last:
        dates = first
    else:
        dates = tr(DATE_RANGE, first=first, last=last)
    names = tr.join(sources(entries)[:3]) or "—"
    return tr.clauses([tr(FOOTER, sources=names, dates=dates), *extra])


def ranking_chart(
    ranking: Ranking, scope: str = "", tr: Translator | None = None
) -> BarChart | None:
    """The ranking's main results as sorted bars; None with fewer than two places."""
    tr = tr or translator()
    rows = ranking.rows if len(ranking.rows) >= MIN_POINTS else ranking.part_year
    if len(rows) < MIN_POINTS:
        return None
    ind = ranking.indicator
    entries = [r.entry for r in rows]
    scale, unit = _scale(ind, [e.figure.value for e in entries])
    bars = tuple(Bar(e.region, e.figure.value, display_value(e), e.bound) for e in entries)
    notes = [tr(FOOTER_BOUND)] if any(b.bound == ">" for b in bars) else []
    if ranking.goals:
        notes.append(tr(FOOTER_GOALS))
    name = display_name(ind, tr)
    title = (
        tr(BAR_TITLE_SCOPED, indicator=name, scope=scope)
        if scope
        else tr(BAR_TITLE, indicator=name)
    )
    return BarChart(title, bars, unit, scale, footer(entries, tr, *notes))


def county_chart(
    place: str, entries: Iterable[Entry], tr: Translator | None = None
) -> SeriesChart | None:
    """One panel per indicator with results of two or more periods (most points first)."""
    tr = tr or translator()
    by_key: dict[str, list[Entry]] = {}
    for e in entries:
        by_key.setdefault(e.key, []).append(e)
    panels: list[tuple[int, Panel, list[Entry]]] = []
    for key, group in by_key.items():
        ind = indicator_for_key(key)
        if ind is None:
            continue
        s = series(ind, [e for e in group if e.period.end or e.date])
        if len(s.points) < MIN_POINTS:
            continue
        values = [e.figure.value for e in (*s.points, *s.goals)]
        scale, unit = _scale(ind, values)
        points = tuple(
            Point(e.period.end or _day(e.date), e.figure.value, display_value(e)) for e in s.points
        )
        goals = tuple(
            (g.figure.value, tr(GOAL_LABEL, value=display_value(g))) for g in s.goals[-1:]
        )
        panel = Panel(display_name(ind, tr), points, unit, scale, goals)
        panels.append((len(points), panel, s.points))
    if not panels:
        return None
    panels.sort(key=lambda p: -p[0])
    shown = panels[:4]
    used = [e for _, _, pts in shown for e in pts]
    return SeriesChart(
        tr(SERIES_TITLE, place=place), tuple(p for _, p, _ in shown), footer(used, tr)
    )


def _day(text: str) -> date:
    return date.fromisoformat(text)
