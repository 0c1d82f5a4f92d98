"""Time composing and rendering a 1,000-article edition built from the sample page's sentences.

Prints one line per measurement: the median of several runs, and its ratio to a baseline measured
in the same run (escaping and joining the same 1,000 titles), so numbers compare across machines.

    python bench/bench_digest.py [--articles 1000] [--runs 7]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.edition_html import render_html  # noqa: E402
from bot.telegram_html import escape  # noqa: E402
from briefings.digest import DigestPrefs, compose_edition  # noqa: E402
from briefings.models import (  # noqa: E402
    ArticleBundle,
    ArticleRegion,
    Figure,
    StoredArticle,
    TopicScore,
)
from briefings.numbers import number_tokens, parse_number  # noqa: E402

DATE = "2026-04-15"
COUNTIES = {
    "330110": "余杭", "330122": "桐庐", "330206": "北仑", "330212": "鄞州", "330282": "慈溪",
    "330603": "柯桥", "330782": "义乌", "330802": "柯城", "331122": "缙云", "330102": "上城",
    "330421": "嘉善", "330382": "乐清", "330903": "普陀",
}  # fmt: skip
TOPICS = ("county", "film", "finance", "other")


def synthetic_bundles(n: int, seed: int = 15) -> list[ArticleBundle]:
    """``n`` articles of 6-14 sentences each from the sample page, with random regions, topics
    and figures taken from number-bearing sentences; a few are reprints (near-duplicates)."""
    rng = random.Random(seed)
    page = (ROOT / "data" / "sample_page_2026-04-15.txt").read_text(encoding="utf-8")
    sentences = [s for s in re.findall(r"[^。！？\n]+[。！？]”?", page) if len(s) >= 12]
    bundles: list[ArticleBundle] = []
    for i in range(n):
        if bundles and rng.random() < 0.05:  # a reprint with a new id and title
            src = rng.choice(bundles)
            a = src.article
            reprint = StoredArticle(**{**a.__dict__, "id": i + 1, "title": a.title + "(转载)"})
            bundles.append(ArticleBundle(reprint, src.regions, src.figures))
            continue
        chosen = rng.sample(sentences, rng.randint(6, 14))
        paragraphs = ["".join(chosen[j : j + 3]) for j in range(0, len(chosen), 3)]
        body = "\n".join(paragraphs)
        codes = rng.sample(sorted(COUNTIES), rng.randint(0, 3))
        figures = []
        for s in chosen:
            nums = number_tokens(s)
            if nums and codes and rng.random() < 0.6:
                code = rng.choice(codes)
                value = parse_number(nums[0]) or 1.0  # a figure's value is what its text reads
                figures.append(
                    Figure("指标", value, "元", nums[0], period=rng.choice(["", "前两个月"]),
                           region=COUNTIES[code], adcode=code, sentence=s, confident=True)
                )  # fmt: skip
        topics = tuple(TopicScore(t, round(rng.random(), 2)) for t in TOPICS)
        article = StoredArticle(
            id=i + 1, date=DATE, source="浙江日报", page=str(rng.randint(1, 8)), kind="article",
            title=chosen[0][:rng.randint(6, 12)] + chosen[1][-rng.randint(6, 12):],
            subtitle="", kicker="", section="要闻",
            dateline="", body=body, url="", topics=topics,
        )  # fmt: skip
        regions = tuple(ArticleRegion(c, COUNTIES[c], rng.randint(1, 9)) for c in codes)
        bundles.append(ArticleBundle(article, regions, tuple(figures)))
    return bundles


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    bundles = synthetic_bundles(args.articles)
    titles = [b.article.title for b in bundles]
    prefs = DigestPrefs(
        topics=frozenset(TOPICS), follows=("330122", "330800"), recently_sent=frozenset(range(50))
    )

    def baseline() -> str:
        return "\n".join(f"<b>{escape(t)}</b>" for t in titles)

    def compose() -> object:
        return compose_edition(DATE, bundles, prefs, region_names=COUNTIES)

    edition = compose_edition(DATE, bundles, prefs, region_names=COUNTIES)

    def render() -> object:
        return render_html(edition, bot_username="zj_brief_bot")

    def both() -> object:
        return render_html(compose(), bot_username="zj_brief_bot")

    base = median_time(baseline, args.runs)
    print(f"baseline escape+join {len(titles)} titles: {base * 1000:.2f} ms")
    for label, fn in (
        ("compose_edition", compose),
        ("render_html", render),
        ("compose_edition + render_html", both),
    ):
        t = median_time(fn, args.runs)
        print(f"{label} ({len(bundles)} articles): {t * 1000:.1f} ms = {t / base:.0f}x baseline")
    messages = render_html(edition, bot_username="zj_brief_bot")
    items = sum(len(s.items) for s in edition.sections)
    print(f"edition: {items} items in {len(messages)} message(s), {len(edition.merged)} merged")
    # Number tokens on OCR debris (a long run of 一) against ordinary numerals of the same length:
    # a linear tokenizer keeps both ratios near 1 (the old pattern was quadratic on the run).
    ordinary = ("增长19.7%,出口三万五千元。" * 1600)[:16000]
    for n in (4000, 16000):
        run, same = "一" * n, ordinary[:n]
        t_run = median_time(lambda run=run: number_tokens(run), args.runs)
        t_same = median_time(lambda same=same: number_tokens(same), args.runs)
        ratio = t_run / t_same
        print(f"number_tokens {n} × 一: {t_run * 1000:.2f} ms = {ratio:.2f}x ordinary text")


if __name__ == "__main__":
    main()
