"""Feed fetch-and-ingest throughput, as a ratio to plain ``feedparser.parse`` in the same run.

Usage:
    python bench/bench_fetch.py [--feeds 200] [--items 50] [--repeat 3]

A local aiohttp server in its own process (so its work is not counted against the bot) serves
--feeds RSS feeds of --items items each, shaped like RSSHub's 浙江日报 route (HTML bodies of
3-6 <p> paragraphs about Zhejiang counties with figures), with ETag/Last-Modified. Per run, back
to back so machine noise hits them alike:
  baseline   feedparser.parse(bytes) over the very same bytes, default options (items/s)
  parse      our parse_feed over the same bytes (feedparser + Lexbor bodies), for reference
  first      Poller over a fresh SQLite file: fetch + parse + dedup + analysis + store + FTS
  second     the same poll again: every feed answers 304 (seconds; target < 2 s)
Figures are medians of --repeat runs. Target: first ≥ 0.5x baseline items/s.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import html
import logging
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

COUNTIES = [
    "缙云", "开化", "柯城", "衢江", "龙游", "江山", "常山", "安吉", "德清", "长兴", "桐乡", "海宁",
    "嘉善", "平湖", "海盐", "义乌", "永康", "东阳", "兰溪", "浦江", "武义", "磐安", "诸暨", "嵊州",
    "新昌", "上虞", "柯桥", "余杭", "临安", "桐庐", "淳安", "建德", "富阳", "萧山", "慈溪", "余姚",
    "宁海", "象山", "北仑", "鄞州", "奉化", "乐清", "瑞安", "永嘉", "平阳", "苍南", "文成", "泰顺",
    "温岭", "玉环", "天台", "仙居", "三门", "临海", "遂昌", "松阳", "云和", "庆元", "景宁", "青田",
    "龙泉", "岱山", "嵊泗", "普陀", "定海",
]  # fmt: skip
INDICATORS = [
    ("规上工业增加值", "%"), ("固定资产投资", "%"), ("社会消费品零售总额", "亿元"),
    ("外贸进出口总额", "亿元"), ("数字经济核心产业增加值", "%"), ("农村居民人均可支配收入", "元"),
    ("高新技术产业投资", "%"), ("知识产权质押融资", "亿元"), ("旅游收入", "亿元"),
]  # fmt: skip
FILLERS = [
    "今年以来，当地坚持把发展经济的着力点放在实体经济上，一批重大项目加快建设。",
    "企业负责人表示，订单已经排到下半年，生产线满负荷运转，新招工人一百多名。",
    "记者在现场看到，新建的厂房里机器轰鸣，工人们正在调试新上的智能化生产线。",
    "业内人士认为，这一做法为山区县加快发展提供了可复制、可推广的经验。",
    "下一步，当地将继续优化营商环境，推动更多企业上规模、上台阶、上市场。",
    "据介绍，相关部门还将出台配套政策，在用地、融资和人才等方面给予支持。",
]


def make_feeds(n_feeds: int, n_items: int, seed: int = 7) -> list[bytes]:
    """RSSHub-shaped RSS 2.0 documents with distinct, realistic items."""
    rnd = random.Random(seed)
    start = date(2026, 3, 1)
    feeds = []
    for f in range(n_feeds):
        items = []
        for i in range(n_items):
            county = rnd.choice(COUNTIES)
            day = start + timedelta(days=(f * n_items + i) % 30)
            paragraphs = []
            for _ in range(rnd.randint(3, 6)):
                indicator, unit = rnd.choice(INDICATORS)
                value = f"{rnd.uniform(1, 30):.1f}%"
                if unit != "%":
                    value = f"{rnd.uniform(5, 900):.1f}{unit}"
                paragraphs.append(
                    f"　　{rnd.choice(['一季度', '前两个月', '今年以来', '去年'])}，{county}"
                    f"{indicator}{'同比增长' if unit == '%' else '达到'}{value}。"
                    + "".join(rnd.sample(FILLERS, 2))
                )
            body = "".join(f"<p>{p}</p>" for p in paragraphs)
            link = f"https://zjrb.zjol.com.cn/html/{day:%Y-%m/%d}/content_{f:03d}{i:03d}.htm"
            items.append(
                f"<item><title><![CDATA[{county}：第{f}版第{i}篇 经济运行稳中向好]]></title>"
                f"<description><![CDATA[{body}]]></description>"
                f"<pubDate>{day:%a, %d %b %Y} 00:00:00 GMT</pubDate>"
                f'<guid isPermaLink="false">{link}</guid><link>{link}</link></item>'
            )
        feeds.append(
            (
                '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                f"<title>{html.escape('浙江日报')}</title><link>https://zjrb.zjol.com.cn</link>"
                f"{''.join(items)}</channel></rss>"
            ).encode()
        )
    return feeds


# ---- the server process ----------------------------------------------------------------------


def _serve(conn: Connection, n_feeds: int, n_items: int) -> None:
    from aiohttp import web

    feeds = make_feeds(n_feeds, n_items)
    tags = ['"' + hashlib.sha1(d).hexdigest()[:16] + '"' for d in feeds]
    modified = "Wed, 15 Apr 2026 01:00:00 GMT"

    async def feed(request: web.Request) -> web.Response:
        k = int(request.match_info["k"])
        if request.headers.get("If-None-Match") == tags[k]:
            return web.Response(status=304, headers={"ETag": tags[k]})
        return web.Response(
            body=feeds[k],
            headers={
                "Content-Type": "application/rss+xml; charset=utf-8",
                "ETag": tags[k],
                "Last-Modified": modified,
            },
        )

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{k}", feed)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        conn.send(runner.addresses[0][1])
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"
        await runner.cleanup()

    asyncio.run(main())


# ---- measuring -------------------------------------------------------------------------------


def baseline(feeds: list[bytes]) -> tuple[float, int]:
    import feedparser

    t0 = time.perf_counter()
    n = sum(len(feedparser.parse(d).entries) for d in feeds)
    return time.perf_counter() - t0, n


def ours_parse(feeds: list[bytes]) -> tuple[float, int]:
    from briefings.feeds import parse_feed

    now = datetime.now(UTC)
    t0 = time.perf_counter()
    n = sum(len(parse_feed(d, url="http://127.0.0.1/f", fetched=now).items) for d in feeds)
    return time.perf_counter() - t0, n


async def fetch_twice(
    port: int, n_feeds: int, folder: Path, processes: int = 0
) -> tuple[float, int, float, int]:
    from briefings import sources
    from briefings.fetching import FeedSettings
    from briefings.polling import Poller
    from briefings.store import Store

    store = Store.open(folder / "bench.db")
    for k in range(n_feeds):
        sources.add_source(store.conn, f"http://127.0.0.1:{port}/feed/{k}", source="浙江日报")
    settings = FeedSettings(sources_file=folder / "none.toml", max_items=1000)
    poller = Poller(store, settings, processes=processes)
    try:
        await poller.warm()  # worker processes load the gazetteer and segmenter, as at start-up
        t0 = time.perf_counter()
        first = await poller.poll(due_only=False)
        t1 = time.perf_counter()
        second = await poller.poll(due_only=False)
        t2 = time.perf_counter()
    finally:
        poller.close()
        store.close()
    assert not first.failed, first.failed[0].status
    assert not second.failed
    assert all(r.not_modified for r in second.results)
    return t1 - t0, first.total("added"), t2 - t1, second.total("added")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--processes", type=int, default=0, help="parse and analyse in this many worker processes"
    )
    args = parser.parse_args()
    logging.getLogger("jieba").setLevel(logging.ERROR)
    from briefings.feeds import document_key, item_document, parse_feed
    from briefings.pipeline import analyze_document

    feeds = make_feeds(args.feeds, args.items)
    total = args.feeds * args.items
    # Warm the gazetteer and segmenter once, as the running bot does at start-up.
    warm = parse_feed(feeds[0], url="http://127.0.0.1/f").items[0]
    analyze_document(item_document(warm, source="x", key=document_key(warm, "x")))

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(child, args.feeds, args.items), daemon=True)
    server.start()
    port = parent.recv()
    rows: dict[str, list[float]] = {"baseline": [], "parse": [], "first": [], "second": []}
    try:
        for run in range(args.repeat):
            b, nb = baseline(feeds)
            o, no = ours_parse(feeds)
            with tempfile.TemporaryDirectory() as tmp:
                f, added, s2, again = asyncio.run(
                    fetch_twice(port, args.feeds, Path(tmp), args.processes)
                )
            assert nb == no == added == total, (nb, no, added, total)
            assert again == 0
            rows["baseline"].append(b)
            rows["parse"].append(o)
            rows["first"].append(f)
            rows["second"].append(s2)
            print(
                f"run {run + 1}: baseline {total / b:.0f} items/s, parse {total / o:.0f}, "
                f"first fetch {total / f:.0f} items/s ({b / f:.2f}x), all-304 pass {s2:.2f} s",
                flush=True,
            )
    finally:
        parent.send("stop")
        server.join(10)
    med = {k: statistics.median(v) for k, v in rows.items()}
    size = sum(len(d) for d in feeds) / 1e6
    print(f"\n{args.feeds} feeds x {args.items} items = {total} items, {size:.1f} MB of RSS; "
          f"medians of {args.repeat} runs")  # fmt: skip
    print("| stage | seconds | items/s | vs feedparser.parse |")
    print("|---|---|---|---|")
    for name, label in (
        ("baseline", "baseline `feedparser.parse` (default options)"),
        ("parse", "our `parse_feed` (feedparser + Lexbor bodies)"),
        ("first", "first fetch: HTTP + parse + dedup + analysis + SQLite + FTS"),
    ):
        print(f"| {label} | {med[name]:.2f} | {total / med[name]:.0f} | "
              f"{med['baseline'] / med[name]:.2f}x |")  # fmt: skip
    print(f"| second fetch, all 304 | {med['second']:.2f} | — | — |")


if __name__ == "__main__":
    main()
