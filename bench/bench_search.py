"""Benchmark the store's read paths on a large synthetic database (default 1,000,000 articles).

Builds (or reuses) a database of synthetic articles made of sentences from the sample page, with
random county mentions and figures, then times the data paths of /county and /search through
``Store`` and, in the same run, a naive ``LIKE '%term%'`` scan with the same result shape.

Usage:
    python bench/bench_search.py --n 20000          # smoke run, a few seconds
    python bench/bench_search.py                    # 1M articles; the build takes minutes once
    python bench/bench_search.py --n 100000 --rebuild --queries 500
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefings.comparable import canonical_indicator, lookup  # noqa: E402
from briefings.ranking import latest_entries, rank  # noqa: E402
from briefings.search import index_text, query_terms  # noqa: E402
from briefings.store import ID_SPAN, Store, id_base  # noqa: E402

SAMPLE = ROOT / "data" / "sample_page_2026-04-15.txt"
GAZETTEER = ROOT / "data" / "gazetteer.tsv"
LAST_DAY = Date(2026, 4, 15)
PER_DAY = 270  # articles per publication day, about one day's regional papers
BATCH = 20_000

# Used only when data/gazetteer.tsv is missing.
FALLBACK_COUNTIES = [
    ("330102", "上城"), ("330110", "余杭"), ("330122", "桐庐"), ("330206", "北仑"),
    ("330212", "鄞州"), ("330282", "慈溪"), ("330382", "乐清"), ("330421", "嘉善"),
    ("330603", "柯桥"), ("330782", "义乌"), ("330802", "柯城"), ("331122", "缙云"),
    ("330727", "磐安"), ("331082", "临海"), ("330681", "诸暨"), ("330783", "东阳"),
    ("330502", "吴兴"), ("330902", "定海"), ("331002", "椒江"), ("330522", "长兴"),
]  # fmt: skip
MISSING_WORDS = ["量子计算", "深海养殖", "冰雪运动", "沙漠治理", "航天发射", "草原牧业"]
# Figures of a county: (indicator, unit, value range, periods), drawn in these proportions: a
# plain 营收 most of the time, else a comparable statistic (briefings/comparable.py) of a
# period a county paper prints. Bump BUILD when the rows change, so old files are rebuilt.
BUILD = 2
RANK_QUERIES = [
    "GDP",
    "规上工业增加值增速",
    "出口",
    "社会消费品零售总额",
    "固定资产投资增速",
    "GDP增速",
]
FIGURE_KINDS = [
    ("营收", "元", (1e8, 3e11), ["", "去年", "一季度"], 0.55),
    ("GDP", "元", (1e10, 4e11), ["", "去年", "2025年"], 0.08),
    ("地区生产总值增速", "%", (1.0, 12.0), ["去年", "一季度", "上半年"], 0.05),
    ("规上工业增加值增速", "%", (-5.0, 25.0), ["前两个月", "一季度", "1-4月"], 0.08),
    ("规上工业总产值", "元", (1e9, 3e11), ["去年", "一季度"], 0.05),
    ("出口", "元", (1e8, 6e11), ["去年", "一季度", "前两个月"], 0.05),
    ("社会消费品零售总额", "元", (1e9, 2e11), ["去年", "一季度"], 0.05),
    ("固定资产投资增速", "%", (-10.0, 30.0), ["一季度", "前两个月"], 0.04),
    ("经济增长目标", "%", (5.0, 8.0), ["今年"], 0.05),
]


@dataclass(frozen=True)
class Corpus:
    sentences: list[str]
    indexed: list[str]  # index_text of each sentence, computed once
    counties: list[tuple[str, str]]  # adcode, short name
    weights: list[float]  # a few counties are in the news far more often than others


def load_counties() -> list[tuple[str, str]]:
    if not GAZETTEER.exists():
        return FALLBACK_COUNTIES
    out = []
    for raw in GAZETTEER.read_text(encoding="utf-8").splitlines():
        cols = raw.split("\t")
        if raw.startswith("#") or len(cols) < 6 or cols[0] == "adcode":
            continue
        if cols[3] == "county" and cols[5] == "浙江省":
            out.append((cols[0], cols[2]))
    return out or FALLBACK_COUNTIES


def load_corpus(seed: int) -> Corpus:
    text = SAMPLE.read_text(encoding="utf-8")
    pieces = [s.strip() for s in re.split(r"(?<=[。！？!?])|\n", text)]
    sentences = sorted({s for s in pieces if 8 <= len(s) <= 160})
    counties = load_counties()
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(counties))]  # Zipf-like
    rng.shuffle(weights)
    return Corpus(sentences, [index_text(s) for s in sentences], counties, weights)


def synth_rows(corpus: Corpus, n: int, seed: int) -> Iterator[tuple[list, list, list, list, list]]:
    """Batches of (documents, articles, mentions, figures, fts) rows, oldest day first."""
    rng = random.Random(seed)
    days = (n + PER_DAY - 1) // PER_DAY
    first_day = LAST_DAY - timedelta(days=days - 1)
    made = 0
    batch: tuple[list, list, list, list, list] = ([], [], [], [], [])
    for d in range(days):
        day = (first_day + timedelta(days=d)).isoformat()
        base = id_base(day)
        doc_id = d + 1
        batch[0].append((doc_id, f"bench|{day}", "page", "浙江日报", day, "1", "", "", "-", 1, day))
        for seq in range(min(PER_DAY, n - made)):
            aid = base + seq + 1
            picks = rng.sample(range(len(corpus.sentences)), rng.randint(3, 8))
            named = rng.choices(range(len(corpus.counties)), corpus.weights, k=rng.randint(0, 3))
            body_parts = [corpus.sentences[i] for i in picks]
            index_parts = [corpus.indexed[i] for i in picks]
            for c in set(named):
                code, short = corpus.counties[c]
                # The county is named in the text, so that searching its name finds it.
                body_parts.insert(0, f"{short}消息:")
                index_parts.insert(0, f"{short} 消息")
                batch[2].append((aid, code, short, "county", 1))
                if rng.random() < 0.5:
                    batch[3].append(synth_figure(rng, aid, seq, day, code=code, short=short))
            title_src = corpus.sentences[picks[0]][:24]
            topic = rng.choice(["county", "film", "finance", "other"])
            batch[1].append(
                (
                    aid,
                    doc_id,
                    seq,
                    "article",
                    title_src,
                    "\n".join(body_parts),
                    day,
                    "浙江日报",
                    topic,
                    f'[{{"topic": "{topic}", "score": 0.8}}]',
                )
            )
            batch[4].append((aid, index_text(title_src), " ".join(index_parts)))
            made += 1
            if len(batch[1]) >= BATCH:
                yield batch
                batch = ([], [], [], [], [])
    if batch[1]:
        yield batch


def synth_figure(
    rng: random.Random, aid: int, seq: int, day: str, *, code: str, short: str
) -> tuple:
    """One figure row of a county, comparable or plain, with its canonical key as ingest
    would store it."""
    weights = [k[4] for k in FIGURE_KINDS]
    indicator, unit, (lo, hi), periods, _ = rng.choices(FIGURE_KINDS, weights)[0]
    value = round(rng.uniform(lo, hi), 1)
    text = f"{value / 1e8:.1f}亿元" if unit == "元" else f"{value}%"
    period = rng.choice(periods)
    role = "goal" if indicator.endswith("目标") else "current"
    key = canonical_indicator(indicator, "", unit, period, role, True) or None
    return (aid, seq, day, code, short, indicator, value, unit, text, period, role, key)


def query_time_rank(conn: sqlite3.Connection, key: str) -> int:
    """The alternative to a stored key: map every figure at query time, keep the newest per
    county (what /rank would do without the column and its index)."""
    latest: dict[str, tuple] = {}
    for row in conn.execute(
        "SELECT adcode, date, article_id, indicator, subject, unit, period, role, confident "
        "FROM figures WHERE adcode != ''"
    ):
        if canonical_indicator(*row[3:]) == key and row[1:3] > latest.get(row[0], ("",))[:2]:
            latest[row[0]] = row[1:3]
    return len(latest)


def build(path: Path, n: int, seed: int) -> None:
    """Create the database through Store (migrations), then bulk-load it in one transaction."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    Store.open(path).close()
    corpus = load_corpus(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    # A throwaway file: no journal, no fsync, a big cache while loading.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    started = time.perf_counter()
    conn.execute("BEGIN")
    done = 0
    for docs, arts, mentions, figures, fts in synth_rows(corpus, n, seed):
        conn.executemany(
            "INSERT INTO documents (id, key, kind, source, date, page, path, url, sha256, "
            "versions, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            docs,
        )
        conn.executemany(
            "INSERT INTO articles (id, document_id, seq, kind, title, body, date, source, topic, "
            "topics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arts,
        )
        conn.executemany(
            "INSERT INTO mentions (article_id, adcode, name, level, count) VALUES (?, ?, ?, ?, ?)",
            mentions,
        )
        conn.executemany(
            "INSERT INTO figures (article_id, seq, date, adcode, region, indicator, value, unit, "
            "text, period, role, confident, canonical, sentence) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, '')",
            figures,
        )
        conn.executemany("INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)", fts)
        done += len(arts)
        rate = done / (time.perf_counter() - started)
        print(f"\r  built {done:,}/{n:,} articles ({rate:,.0f}/s)", end="", file=sys.stderr)
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    conn.execute("CREATE TABLE bench_meta (n INTEGER, seed INTEGER, build INTEGER)")
    conn.execute("INSERT INTO bench_meta VALUES (?, ?, ?)", (n, seed, BUILD))
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    print(f"\n  build {time.perf_counter() - started:.0f} s", file=sys.stderr)


def reusable(path: Path, n: int, seed: int) -> bool:
    if not path.exists():
        return False
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT n, seed, build FROM bench_meta").fetchone() == (n, seed, BUILD)
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def timed(fn: Callable[[], object], repeat: int = 1) -> float:
    """Milliseconds for one call (the best of ``repeat``)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter_ns()
        fn()
        best = min(best, (time.perf_counter_ns() - t) / 1e6)
    return best


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def like_search(conn: sqlite3.Connection, query: str) -> tuple[list[int], int]:
    """The naive baseline with Store.search's result shape: newest 10, count capped at 1001."""
    terms = query_terms(query)
    where = " AND ".join("(title LIKE ? OR body LIKE ?)" for _ in terms)
    args = [f"%{t}%" for t in terms for _ in (0, 1)]
    ids = [
        r[0]
        for r in conn.execute(
            f"SELECT id FROM articles WHERE {where} ORDER BY id DESC LIMIT 10", args
        )
    ]
    (count,) = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM articles WHERE {where} LIMIT 1001)", args
    ).fetchone()
    return ids, count


def search_queries(corpus: Corpus, k: int, rng: random.Random) -> list[str]:
    """County names, words and word pairs from the corpus, and words it does not contain."""
    words = sorted({w for s in corpus.sentences for w in query_terms(s) if len(w) >= 2})
    out = []
    for _ in range(k):
        r = rng.random()
        if r < 0.3:
            out.append(rng.choices(corpus.counties, corpus.weights)[0][1])
        elif r < 0.7:
            out.append(rng.choice(words))
        elif r < 0.9:
            out.append(f"{rng.choice(words)} {rng.choice(words)}")
        else:
            out.append(rng.choice(MISSING_WORDS))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=1_000_000, help="articles in the database")
    p.add_argument("--db", type=Path, help="database file (default bench/bench_search_<n>.db)")
    p.add_argument("--queries", type=int, default=300, help="timed calls per read path")
    p.add_argument("--like-queries", type=int, default=30, help="timed LIKE scans (slow)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--rebuild", action="store_true", help="build even if a matching file exists")
    args = p.parse_args(argv)
    path = args.db or ROOT / "bench" / f"bench_search_{args.n}.db"

    if args.rebuild or not reusable(path, args.n, args.seed):
        print(f"building {path} with {args.n:,} articles", file=sys.stderr)
        build(path, args.n, args.seed)
    size_mb = path.stat().st_size / 1e6
    corpus = load_corpus(args.seed)
    rng = random.Random(args.seed + 1)
    queries = search_queries(corpus, args.queries, rng)
    counties = [c for c, _ in rng.choices(corpus.counties, corpus.weights, k=args.queries)]
    like_queries = queries[: args.like_queries]
    rank_queries = [rng.choice(RANK_QUERIES) for _ in range(args.queries)]

    with Store.open(path) as store:
        latest = store.latest_date()

        def county(code: str) -> None:
            store.county_articles(code, limit=10)
            store.county_figures(code, limit=20)

        for q in queries[:20]:  # warm the page cache for the FTS and article pages
            store.search(q)
        shapes: dict[str, list[float]] = {
            "/county: county_articles(10) + county_figures(20)": [
                timed(lambda c=c: county(c)) for c in counties
            ],
            "/search: store.search (top 10 + capped count + snippets)": [
                timed(lambda q=q: store.search(q)) for q in queries
            ],
            "/search page 3: store.search(offset=20)": [
                timed(lambda q=q: store.search(q, offset=20)) for q in queries[:100]
            ],
            "digest: topic_bundles(10) + articles_on(latest)": [
                timed(lambda t=t: (store.topic_bundles(t), store.articles_on(latest or "")))
                for t in ["county", "film", "finance"] * 10
            ],
            "dates(30)": [timed(store.dates) for _ in range(50)],
            "/rank data: latest_entries + rank (stored key, index)": [
                timed(lambda k=k: rank(lookup(k), latest_entries(store.conn, lookup(k).key)))
                for k in rank_queries
            ],
            "baseline: /rank with the key mapped at query time": [
                timed(lambda k=k: query_time_rank(store.conn, lookup(k).key))
                for k in rank_queries[: args.like_queries]
            ],
            "baseline: LIKE '%term%' (top 10 + capped count)": [
                timed(lambda q=q: like_search(store.conn, q)) for q in like_queries
            ],
        }
        n = store.conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    print(
        f"\n{n:,} articles, {size_mb:,.0f} MB, SQLite {sqlite3.sqlite_version}, "
        f"ids {ID_SPAN:,} per day"
    )
    print(f"{'query shape':<58} {'calls':>6} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9}")
    for name, ms in shapes.items():
        p50, p99 = percentile(ms, 0.5), percentile(ms, 0.99)
        print(f"{name:<58} {len(ms):>6} {p50:>9.2f} {p99:>9.2f} {max(ms):>9.2f}")
    fts = shapes["/search: store.search (top 10 + capped count + snippets)"]
    like = shapes["baseline: LIKE '%term%' (top 10 + capped count)"]
    same = fts[: len(like)]  # the LIKE queries are the first queries of the FTS run
    print(
        f"\nLIKE / FTS on the same {len(like)} queries: "
        f"p50 {statistics.median(like) / statistics.median(same):,.0f}x, "
        f"p99 {percentile(like, 0.99) / percentile(same, 0.99):,.0f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
