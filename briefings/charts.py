"""Charts of comparable figures as PNG images that read well on a phone.

Two kinds: an indicator across places (a sorted horizontal bar chart, one bar per place, its
value printed at the bar's end) and one place's indicators over time (one panel per indicator,
stacked, dated points with their values). Every chart states its source and date range. A
lower bound (超3000亿元) is drawn as a hatched bar labelled ``>3000亿元``; goals are never
drawn as results (a dashed line labelled 目标, beside the results of their own panel).

matplotlib's object API with the Agg canvas only (no pyplot: no global figure registry, no GUI
backend), under one lock, since matplotlib is not thread-safe. The CJK font is Noto Sans CJK SC
from the ``mplfonts`` package, registered with matplotlib's font manager at first use: no system
font is needed and nothing is written into site-packages.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date as Date
from functools import lru_cache
from pathlib import Path
from typing import Any

WIDTH_IN = 7.2  # at 150 dpi: 1080 px, about what Telegram shows a photo at on a phone
DPI = 150
BASE_FONT = 15
MAX_BARS = 15
MAX_PANELS = 4
LABELLED_POINTS = 8  # up to this many points carry their value; more: first, last, highest
_LOCK = threading.Lock()
FONT_FILE = "NotoSansCJKsc-Regular.otf"
_BAR = "#2f6db5"
_BOUND = "#9dbbe3"
_GOAL = "#c0392b"
# Dates on a time axis as Chinese readers write them (2026年, 03月), not English month names.
_DATE_FORMATS = ["%Y年", "%m月", "%m-%d", "%H:%M", "%H:%M", "%S"]
_ZERO_FORMATS = ["", "%Y年", "%m月", "%m-%d", "%H:%M", "%H:%M"]


@dataclass(frozen=True)
class Bar:
    """One place's value: ``text`` is printed at the bar's end (>3000亿元, 19.7%)."""

    label: str
    value: float
    text: str
    bound: str = ""  # '>' draws the bar hatched: the value is a lower bound


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    unit: str  # the axis unit after scaling (亿元, %)
    scale: float  # values are divided by this for the axis
    footer: str


@dataclass(frozen=True)
class Point:
    when: Date
    value: float
    text: str  # printed by the point (19.7%)


@dataclass(frozen=True)
class Panel:
    """One indicator of a place over time; ``goals`` are drawn as dashed lines, never points."""

    title: str
    points: tuple[Point, ...]
    unit: str
    scale: float
    goals: tuple[tuple[float, str], ...] = ()  # (value, label)


@dataclass(frozen=True)
class SeriesChart:
    title: str
    panels: tuple[Panel, ...]
    footer: str


Chart = BarChart | SeriesChart


def money_scale(values: Sequence[float]) -> tuple[float, str]:
    """A divisor and unit for amounts in 元: 亿元 from 1亿, 万元 from 1万, else 元."""
    top = max((abs(v) for v in values), default=0.0)
    if top >= 1e8:
        return 1e8, "亿元"
    if top >= 1e4:
        return 1e4, "万元"
    return 1.0, "元"


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register Noto Sans CJK SC (shipped by mplfonts) with matplotlib; return its family name."""
    from matplotlib import font_manager
    from mplfonts.conf import FONT_DIR

    path = Path(FONT_DIR) / FONT_FILE
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    family = cjk_font()
    rc = {
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "font.size": BASE_FONT,
        "axes.unicode_minus": False,  # the CJK font's hyphen, not U+2212
        "axes.titlesize": BASE_FONT + 2,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.fonttype": "none",  # text stays text in SVG (tests read the labels)
        "svg.hashsalt": "briefing-bot",
    }
    with _LOCK, matplotlib.rc_context(rc):
        yield


def _number(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def _bar_figure(chart: BarChart) -> Any:
    from matplotlib.figure import Figure

    bars = chart.bars[:MAX_BARS]
    height = 1.9 + 0.62 * len(bars)
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    ax = fig.add_axes((0.2, 1.15 / height, 0.72, 1 - 1.85 / height))
    labels = [b.label for b in reversed(bars)]
    values = [b.value / chart.scale for b in reversed(bars)]
    colours = [_BOUND if b.bound == ">" else _BAR for b in reversed(bars)]
    hatches = ["//" if b.bound == ">" else "" for b in reversed(bars)]
    drawn = ax.barh(range(len(bars)), values, color=colours, height=0.62)
    for patch, hatch in zip(drawn, hatches, strict=True):
        patch.set_hatch(hatch)
        patch.set_edgecolor(_BAR)
    ax.set_yticks(range(len(bars)), labels)
    top = max(values, default=1.0) or 1.0
    ax.set_xlim(0, top * 1.42)  # room for the value printed after the longest bar
    for i, b in enumerate(reversed(bars)):
        ax.text(values[i] + top * 0.02, i, b.text, va="center", fontsize=BASE_FONT - 1)
    ax.set_xlabel(chart.unit)
    ax.xaxis.set_major_locator(_few_ticks())
    ax.xaxis.set_major_formatter(_plain_formatter())
    fig.suptitle(chart.title, fontsize=BASE_FONT + 3, y=1 - 0.3 / height)
    fig.text(0.02, 0.25 / height, chart.footer, fontsize=BASE_FONT - 5, color="#555555")
    return fig


def _few_ticks() -> Any:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(nbins=4, min_n_ticks=2)


def _plain_formatter() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: _number(v))


def _series_figure(chart: SeriesChart) -> Any:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure

    panels = chart.panels[:MAX_PANELS]
    per_panel = 3.3
    height = 1.5 + per_panel * len(panels)
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    fig.suptitle(chart.title, fontsize=BASE_FONT + 3, y=1 - 0.3 / height)
    for n, panel in enumerate(panels):
        bottom = (0.8 + per_panel * (len(panels) - 1 - n) + 0.7) / height
        ax = fig.add_axes((0.15, bottom, 0.78, (per_panel - 1.45) / height))
        xs = [date2num(p.when) for p in panel.points]
        ys = [p.value / panel.scale for p in panel.points]
        ax.plot(xs, ys, color=_BAR, marker="o", markersize=7, linewidth=2.2)
        for i in _labelled(ys):
            ax.annotate(
                panel.points[i].text,
                (xs[i], ys[i]),
                xytext=(0, 9),
                textcoords="offset points",
                ha="center" if 0 < i < len(xs) - 1 else ("left" if i == 0 else "right"),
                fontsize=BASE_FONT - 2,
            )
        for value, _label in panel.goals:
            ax.axhline(value / panel.scale, color=_GOAL, linestyle="--", linewidth=1.5)
        if panel.goals:
            # Named above the panel, not beside the line, where point labels may be.
            ax.set_title(panel.goals[-1][1], loc="right", color=_GOAL, fontsize=BASE_FONT - 4)
        low = min([*ys, *(g / panel.scale for g, _ in panel.goals)])
        high = max([*ys, *(g / panel.scale for g, _ in panel.goals)])
        pad = (high - low) * 0.35 or abs(high) * 0.2 or 1.0
        ax.set_ylim(min(0.0, low - pad) if low >= 0 else low - pad, high + pad)
        span = (max(xs) - min(xs)) or 30.0
        ax.set_xlim(min(xs) - span * 0.12, max(xs) + span * 0.12)
        locator = AutoDateLocator(minticks=2, maxticks=4)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(
            ConciseDateFormatter(
                locator, formats=_DATE_FORMATS, zero_formats=_ZERO_FORMATS, show_offset=False
            )
        )
        ax.yaxis.set_major_locator(_few_ticks())
        ax.yaxis.set_major_formatter(_plain_formatter())
        ax.set_title(f"{panel.title}（{panel.unit}）", loc="left", fontsize=BASE_FONT + 1)
        ax.tick_params(labelsize=BASE_FONT - 3)
    fig.text(0.02, 0.25 / height, chart.footer, fontsize=BASE_FONT - 5, color="#555555")
    return fig


def _labelled(ys: Sequence[float]) -> list[int]:
    """Which points carry their value: all of a few; else first, last, highest and lowest."""
    if len(ys) <= LABELLED_POINTS:
        return list(range(len(ys)))
    keep = {0, len(ys) - 1, max(range(len(ys)), key=ys.__getitem__)}
    keep.add(min(range(len(ys)), key=ys.__getitem__))
    return sorted(keep)


def figure(chart: Chart) -> Any:
    """The chart as a matplotlib ``Figure`` on the Agg canvas (tests inspect its texts)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _bar_figure(chart) if isinstance(chart, BarChart) else _series_figure(chart)
    FigureCanvasAgg(fig)
    return fig


def render(chart: Chart, *, fmt: str = "png") -> bytes:
    """The chart as PNG (or SVG with ``fmt="svg"``, text kept as text) bytes."""
    with _style():
        fig = figure(chart)
        out = io.BytesIO()
        fig.savefig(out, format=fmt, dpi=DPI, metadata=_metadata(fmt))
    return out.getvalue()


def _metadata(fmt: str) -> dict[str, Any]:
    # No creation date or software version: the same chart gives the same bytes.
    if fmt == "png":
        return {"Software": None}
    if fmt == "svg":
        return {"Date": None, "Creator": None}
    return {}


@contextmanager
def styled() -> Iterator[None]:
    """The charts' style and font, under the render lock (for tests that lay a figure out)."""
    with _style():
        yield
