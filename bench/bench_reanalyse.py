"""Time `bot.py reanalyse` against `bot.py ingest` of the same pages, in the same run.

    python bench/bench_reanalyse.py [--pages DIR_GLOB] [--repeat 3]

Each round ingests the pages into a fresh database (the baseline), reanalyses it as it is
(nothing to rewrite: the rows come out the same), then wipes every derived row (figures,
mentions, topics) and reanalyses again (every article rewritten, as after an upgrade that
changed every reading). Wall time of the whole command, best of the rounds; ratios to ingest.
"""

from __future__ import annotations

import argparse
import glob
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(*argv: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "bot.py"), *argv], check=True, capture_output=True)
    return time.perf_counter() - start


def wipe_derived(db: Path) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM figures")
        conn.execute("DELETE FROM mentions")
        conn.execute("UPDATE articles SET topic = 'other', topics = '[]'")
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", default=str(REPO.parent / "shared" / "devset" / "*" / "*.txt"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pages = sorted(glob.glob(args.pages))
    if not pages:
        sys.exit(f"no pages match {args.pages}")
    best = {"ingest": float("inf"), "same": float("inf"), "rewrite": float("inf")}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.db"
            best["ingest"] = min(best["ingest"], timed("--db", str(db), "ingest", *pages))
            best["same"] = min(best["same"], timed("--db", str(db), "reanalyse"))
            wipe_derived(db)
            best["rewrite"] = min(best["rewrite"], timed("--db", str(db), "reanalyse"))
    base = best["ingest"]
    print(f"{len(pages)} pages, best of {args.repeat}")
    print(f"ingest (baseline)              {base:6.2f} s  1.00x")
    print(f"reanalyse, nothing to rewrite  {best['same']:6.2f} s  {best['same'] / base:.2f}x")
    print(f"reanalyse, every row rewritten {best['rewrite']:6.2f} s  {best['rewrite'] / base:.2f}x")


if __name__ == "__main__":
    main()
