"""Benchmark chart rendering: the bot's charts (briefings/charts.py) against a bare matplotlib
chart of the same data, measured in the same run, and the cached path a repeat takes.

Charts are built from a store ingested from the sample page plus synthetic months (so county
charts have several periods): an indicator across counties (bars) and a county over time
(panels). Each chart is drawn ``--repeat`` times from scratch; the cached path is
``ChartRenderer.png`` for a chart already drawn (hash of the chart's data + cache lookup), the
whole /chart handler path measured the same way at the end.

Usage:
    python bench/bench_charts.py                 # 100 renders of each chart
    python bench/bench_charts.py --repeat 30     # quicker
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import chart_commands  # noqa: E402
from bot.chart_commands import ChartRenderer  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.handlers import Ctx  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from briefings import charts  # noqa: E402
from briefings.pipeline import ingest_bytes, ingest_paths  # noqa: E402
from briefings.store import Store  # noqa: E402

SAMPLE = ROOT / "data" / "sample_page_2026-04-15.txt"
COUNTIES = ["柯城", "缙云", "义乌", "余杭", "鄞州", "慈溪", "北仑", "桐庐", "乐清", "嘉善", "临海"]


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter_ns()
        fn()
        out.append((time.perf_counter_ns() - t) / 1e6)
    return out


def seed_store(path: Path) -> Store:
    """The sample page, then a month of synthetic county reports per page (dated)."""
    store = Store.open(path)
    ingest_paths(store, [SAMPLE])
    rng = random.Random(13)
    for month in range(3, 13):
        lines = []
        for county in COUNTIES:
            lines.append(
                f"1-{month - 1}月,{county}规上工业增加值增长{rng.uniform(2, 20):.1f}%,"
                f"出口{rng.uniform(50, 900):.0f}亿元。"
            )
        day = date(2025, month, 15).isoformat()
        ingest_bytes(store, f"bench_{day}.txt", ("本报讯 " + "".join(lines)).encode())
    return store


def bare(chart: charts.BarChart) -> bytes:
    """The baseline: a default matplotlib bar chart of the same values (no layout work)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(charts.WIDTH_IN, 4), dpi=charts.DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.barh(range(len(chart.bars)), [b.value for b in chart.bars])
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--repeat", type=int, default=100)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        store = seed_store(Path(tmp) / "charts.db")
        rt = Runtime(config=Config(db_path=str(Path(tmp) / "charts.db")), store=store)
        ctx = Ctx(rt=rt, chat_id=1)
        try:
            results = asyncio.run(measure(ctx, args.repeat))
        finally:
            rt.close()
    print(f"chart rendering, {args.repeat} renders each (ms)")
    print(f"  {'what':<52} {'p50':>8} {'p99':>8} {'max':>8}")
    for name, ms in results.items():
        p50, p99 = percentile(ms, 0.5), percentile(ms, 0.99)
        print(f"  {name:<52} {p50:>8.2f} {p99:>8.2f} {max(ms):>8.2f}")
    bars = statistics.median(results["bars: /chart 出口 (11 counties)"])
    base = statistics.median(results["baseline: bare matplotlib bars, same data"])
    print(f"  bars / bare matplotlib, medians: {bars / base:.2f}x")
    return 0


async def measure(ctx: Ctx, repeat: int) -> dict[str, list[float]]:
    rt = ctx.rt
    exports = await chart_commands.parse_indicator(ctx, "出口")
    assert exports is not None
    ranking = await rt.call(chart_commands.load_ranking, rt.store, exports.indicator, None)
    from briefings import chart_specs

    bar_chart = chart_specs.ranking_chart(ranking)
    entries = await rt.call(chart_commands.load_county, rt.store, "330802", 60)
    series_chart = chart_specs.county_chart("柯城", entries)
    assert bar_chart is not None
    assert series_chart is not None
    charts.render(bar_chart)  # font registration and first-use caches, not timed
    bare(bar_chart)
    renderer = ChartRenderer()
    await renderer.png(bar_chart)
    out = {
        "bars: /chart 出口 (11 counties)": timed(lambda: charts.render(bar_chart), repeat),
        "baseline: bare matplotlib bars, same data": timed(lambda: bare(bar_chart), repeat),
        "series: /chart 柯城 (2 panels, 10 months)": timed(
            lambda: charts.render(series_chart), repeat
        ),
    }
    cached = []
    for _ in range(repeat):
        t = time.perf_counter_ns()
        await renderer.png(bar_chart)
        cached.append((time.perf_counter_ns() - t) / 1e6)
    out["cached: ChartRenderer.png of a chart drawn before"] = cached
    handler = []
    chart_commands.RENDERER = renderer
    for _ in range(repeat):
        t = time.perf_counter_ns()
        await chart_commands.cmd_chart(ctx, "出口")
        handler.append((time.perf_counter_ns() - t) / 1e6)
    out["cached: whole /chart 出口 handler (query + hash + cache)"] = handler
    return out


if __name__ == "__main__":
    raise SystemExit(main())
