"""Region suggestions for unknown names: the indexed rapidfuzz version against the plain
pure-Python edit distance it replaced, measured in the same run.

Usage:
    python bench/bench_suggest.py [--repeat 5]

Query sets (each timed as a whole, median of --repeat runs):
  typos      what people mistype: 缙去, 柯成区, 丽水缙去县, jinyu, hangzou …
  capped     40-character names made of common name characters (the longest a command takes)
  hostile    one 4,000-character name (no longer reaches suggestions: the command refuses it;
             the domain function returns nothing for anything longer than 64 characters)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from briefings.normalize import for_matching  # noqa: E402
from briefings.regions import (  # noqa: E402
    _ADMIN_SUFFIX,
    _PINYIN_NOISE,
    _focus_first,
    load_gazetteer,
)

NAME_CHARS = "江山阳城宁安平州海东西南北县区云和义乌"
TYPOS = ["缙去", "柯成区", "丽水缙去县", "义务", "桐芦", "jinyu", "hangzou", "kecheng qu", "yiwwu"]


def plain_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def plain_suggest(gaz, query: str, limit: int = 5) -> list:
    """The suggestions as they were computed before (no length bound, no index, Python loops)."""
    q = for_matching(query).replace(" ", "")
    if not q:
        return []
    scored = []
    if q.isascii():
        p = _PINYIN_NOISE.sub("", q.lower())
        for r in gaz.regions:
            if not r.pinyin or (r.level == "province" and len(p) < 3):
                continue
            prefix = r.pinyin.startswith(p[:3])
            dist = plain_distance(p, r.pinyin)
            if prefix or dist <= max(1, len(p) // 4):
                scored.append(((dist, not prefix, *_focus_first(r)), r))
    else:
        core = _ADMIN_SUFFIX.sub("", q) or q
        for r in gaz.regions:
            shared = len(set(core) & set(r.short))
            if shared:
                scored.append(((-shared, plain_distance(core, r.short), *_focus_first(r)), r))
    scored.sort(key=lambda pair: pair[0])
    return [r for _, r in scored[:limit]]


def timed(fn, queries: list[str]) -> float:
    t0 = time.perf_counter()
    for q in queries:
        fn(q)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    gaz = load_gazetteer()
    gaz.suggest("缙去")  # build the character index before timing
    capped = [(NAME_CHARS * 3)[i : i + 40] for i in range(10)]
    hostile = [(NAME_CHARS * 300)[:4000]]
    for q in TYPOS + capped:
        assert gaz.suggest(q) == plain_suggest(gaz, q), q
    print(f"{len(gaz.regions)} regions; median of {args.repeat} runs; same machine, same run")
    print(f"{'queries':<10} {'n':>3} {'plain ms/q':>11} {'now ms/q':>9} {'speed-up':>9}")
    for name, queries in (("typos", TYPOS), ("capped", capped), ("hostile", hostile)):
        runs = 1 if name == "hostile" else args.repeat
        plain = statistics.median(
            timed(lambda q: plain_suggest(gaz, q), queries) for _ in range(runs)
        )
        now = statistics.median(timed(gaz.suggest, queries) for _ in range(args.repeat))
        n = len(queries)
        print(f"{name:<10} {n:3d} {plain / n * 1e3:11.2f} {now / n * 1e3:9.3f} {plain / now:8.0f}x")


if __name__ == "__main__":
    main()
