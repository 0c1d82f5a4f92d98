"""Ingest throughput in MB/s of page text, as a ratio to plain ``jieba.lcut`` in the same run.

Usage:
    python bench/bench_ingest.py [--pages 60] [--repeat 3]

The corpus is the bundled sample page repeated as N daily issues (different dates and one line
that differs, so each one is a new document: the same text twice is one document). Four
figures, medians of --repeat runs, each run measured back to back so machine noise hits all of
them alike:
  baseline   jieba.lcut over the same text (dictionary loaded before timing)
  analyse    read + parse + regions + figures + topics (no database)
  ingest     the whole pipeline into a fresh SQLite file (analyse + store + FTS)
  reingest   the same folder again into that file: unchanged files are recognised by their
             bytes and not parsed again
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SAMPLE = REPO / "data" / "sample_page_2026-04-15.txt"


def make_corpus(folder: Path, pages: int) -> list[Path]:
    text = SAMPLE.read_text(encoding="utf-8")
    start = date(2026, 1, 1)
    paths = []
    for i in range(pages):
        day = (start + timedelta(days=i)).isoformat()
        p = folder / f"page_{day}.txt"
        p.write_text(f"{text}\n（{day} 出版）\n", encoding="utf-8")
        paths.append(p)
    return paths


def time_it(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("jieba").setLevel(logging.ERROR)

    import jieba

    from briefings.pipeline import analyze_document, ingest_paths
    from briefings.reading import read_documents
    from briefings.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        paths = make_corpus(folder, args.pages)
        texts = [p.read_text(encoding="utf-8") for p in paths]
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6

        jieba.initialize()
        for doc in read_documents(paths[0]):  # warm caches: gazetteer, segmenter, regexes
            analyze_document(doc)

        def baseline() -> None:
            for t in texts:
                jieba.lcut(t)

        def analyse() -> None:
            for p in paths:
                for doc in read_documents(p):
                    analyze_document(doc)

        last_db: list[Path] = []

        def ingest() -> None:
            db = Path(tmp) / f"bench-{time.monotonic_ns()}.db"
            with Store.open(db) as store:
                report = ingest_paths(store, [folder])
            assert not report.errors, report.errors
            assert report.added == len(paths), report.summary()
            last_db[:] = [db]

        def reingest() -> None:
            with Store.open(last_db[0]) as store:
                report = ingest_paths(store, [folder])
            assert report.unchanged == len(paths), report.summary()

        runs: dict[str, list[float]] = {"baseline": [], "analyse": [], "ingest": [], "reingest": []}
        for _ in range(args.repeat):
            runs["baseline"].append(time_it(baseline))
            runs["analyse"].append(time_it(analyse))
            runs["ingest"].append(time_it(ingest))
            runs["reingest"].append(time_it(reingest))

    base = statistics.median(runs["baseline"])
    print(f"corpus: {args.pages} pages, {mb:.2f} MB of UTF-8 text, median of {args.repeat} runs")
    print(f"{'stage':<10} {'seconds':>8} {'MB/s':>8} {'speed vs jieba.lcut':>20}")
    for name, values in runs.items():
        secs = statistics.median(values)
        print(f"{name:<10} {secs:8.3f} {mb / secs:8.2f} {base / secs:19.2f}x")


if __name__ == "__main__":
    main()
